"""Contains all the data models used in inputs/outputs"""

from .actor_out import ActorOut
from .adjustment_in import AdjustmentIn
from .api_key_out import ApiKeyOut
from .attempt_out import AttemptOut
from .audit_entry_out import AuditEntryOut
from .audit_entry_out_after_type_0 import AuditEntryOutAfterType0
from .audit_entry_out_before_type_0 import AuditEntryOutBeforeType0
from .backtest_in import BacktestIn
from .backtest_in_rules_item import BacktestInRulesItem
from .backtest_out import BacktestOut
from .backtest_out_report import BacktestOutReport
from .badge_level_out import BadgeLevelOut
from .badge_level_out_reward_type_0 import BadgeLevelOutRewardType0
from .badge_list import BadgeList
from .badge_out import BadgeOut
from .badge_progress_out import BadgeProgressOut
from .balance_out import BalanceOut
from .batch_result import BatchResult
from .benefit_out import BenefitOut
from .benefit_out_detail import BenefitOutDetail
from .benefits_out import BenefitsOut
from .campaign_list import CampaignList
from .campaign_out import CampaignOut
from .campaign_out_spec import CampaignOutSpec
from .cancel_in import CancelIn
from .category_share import CategoryShare
from .cause_out import CauseOut
from .challenge_list import ChallengeList
from .challenge_out import ChallengeOut
from .challenge_out_goal import ChallengeOutGoal
from .challenge_out_period import ChallengeOutPeriod
from .challenge_out_reward_type_0 import ChallengeOutRewardType0
from .challenge_out_steps_item import ChallengeOutStepsItem
from .challenge_reward_out import ChallengeRewardOut
from .checkout_in import CheckoutIn
from .checkout_in_cart import CheckoutInCart
from .checkout_out import CheckoutOut
from .checkout_out_quote import CheckoutOutQuote
from .checkout_settings import CheckoutSettings
from .checkout_settings_points_as_cash_type_0 import CheckoutSettingsPointsAsCashType0
from .choice_in import ChoiceIn
from .claim_in import ClaimIn
from .codes_out import CodesOut
from .commit_in import CommitIn
from .consent_in import ConsentIn
from .consent_out import ConsentOut
from .console_settings_in import ConsoleSettingsIn
from .console_settings_out import ConsoleSettingsOut
from .contest_list import ContestList
from .contest_out import ContestOut
from .delivery_out import DeliveryOut
from .earned_badge_out import EarnedBadgeOut
from .endpoint_in import EndpointIn
from .endpoint_list import EndpointList
from .endpoint_out import EndpointOut
from .endpoint_patch import EndpointPatch
from .entry_out import EntryOut
from .erasure_out import ErasureOut
from .error_body import ErrorBody
from .error_detail import ErrorDetail
from .event_batch import EventBatch
from .event_in import EventIn
from .event_in_attributes import EventInAttributes
from .event_result import EventResult
from .event_result_actions_type_0_item import EventResultActionsType0Item
from .event_result_rules_type_0_item import EventResultRulesType0Item
from .event_result_tier_type_0 import EventResultTierType0
from .event_type_in import EventTypeIn
from .event_type_in_schema import EventTypeInSchema
from .event_type_list import EventTypeList
from .event_type_out import EventTypeOut
from .event_type_out_schema_type_0 import EventTypeOutSchemaType0
from .expiring_out import ExpiringOut
from .fulfilment_in import FulfilmentIn
from .gender import Gender
from .generate_in import GenerateIn
from .get_offer_settings_response_200 import GetOfferSettingsResponse200
from .get_referral_program_response_200 import GetReferralProgramResponse200
from .get_reminder_settings_response_200 import GetReminderSettingsResponse200
from .gift_cancel_in import GiftCancelIn
from .gift_in import GiftIn
from .gift_option import GiftOption
from .gift_out import GiftOut
from .grant_out import GrantOut
from .hold_in import HoldIn
from .hold_out import HoldOut
from .identity_in import IdentityIn
from .issue_in import IssueIn
from .issued import Issued
from .join_in import JoinIn
from .leaderboard_list import LeaderboardList
from .leaderboard_out import LeaderboardOut
from .leaderboard_out_spec import LeaderboardOutSpec
from .list_out_member_reward_out import ListOutMemberRewardOut
from .list_out_reward_out import ListOutRewardOut
from .list_out_reward_redemption_out import ListOutRewardRedemptionOut
from .list_out_template_out import ListOutTemplateOut
from .list_out_voucher_out import ListOutVoucherOut
from .member_badges_out import MemberBadgesOut
from .member_batch_in import MemberBatchIn
from .member_batch_item_in import MemberBatchItemIn
from .member_batch_item_in_attributes_type_0 import MemberBatchItemInAttributesType0
from .member_batch_out import MemberBatchOut
from .member_batch_result import MemberBatchResult
from .member_batch_result_error_type_0 import MemberBatchResultErrorType0
from .member_challenge_out import MemberChallengeOut
from .member_challenge_out_reward_type_0 import MemberChallengeOutRewardType0
from .member_challenges_out import MemberChallengesOut
from .member_export import MemberExport
from .member_export_records import MemberExportRecords
from .member_in import MemberIn
from .member_in_attributes_type_0 import MemberInAttributesType0
from .member_out import MemberOut
from .member_out_attributes import MemberOutAttributes
from .member_out_boost_type_0 import MemberOutBoostType0
from .member_out_referral_type_0 import MemberOutReferralType0
from .member_place_out import MemberPlaceOut
from .member_reward_out import MemberRewardOut
from .member_reward_out_availability import MemberRewardOutAvailability
from .member_reward_out_titles import MemberRewardOutTitles
from .member_segment_out import MemberSegmentOut
from .member_segments import MemberSegments
from .member_segments_features import MemberSegmentsFeatures
from .member_status import MemberStatus
from .member_tiers_out import MemberTiersOut
from .message_out import MessageOut
from .message_out_data import MessageOutData
from .meter_list import MeterList
from .meter_out import MeterOut
from .meter_out_spec import MeterOutSpec
from .meters_out import MetersOut
from .meters_out_meters import MetersOutMeters
from .new_api_key import NewApiKey
from .notification_out import NotificationOut
from .notification_out_payload_type_0 import NotificationOutPayloadType0
from .offer_out import OfferOut
from .offers_out import OffersOut
from .operator_in import OperatorIn
from .operator_list import OperatorList
from .operator_out import OperatorOut
from .order_event_out import OrderEventOut
from .order_out import OrderOut
from .override_in import OverrideIn
from .page_audit_entry_out import PageAuditEntryOut
from .page_consent_out import PageConsentOut
from .page_delivery_out import PageDeliveryOut
from .page_entry_out import PageEntryOut
from .page_member_out import PageMemberOut
from .page_message_out import PageMessageOut
from .page_notification_out import PageNotificationOut
from .page_referral_out import PageReferralOut
from .page_segment_member_out import PageSegmentMemberOut
from .part_out import PartOut
from .partner_event_response_200 import PartnerEventResponse200
from .partner_in import PartnerIn
from .partner_key_in import PartnerKeyIn
from .partner_list import PartnerList
from .partner_member_out import PartnerMemberOut
from .partner_out import PartnerOut
from .perk_codes_in import PerkCodesIn
from .perk_codes_out import PerkCodesOut
from .place_out import PlaceOut
from .points_write_out import PointsWriteOut
from .policy_out import PolicyOut
from .policy_out_expiry import PolicyOutExpiry
from .policy_patch import PolicyPatch
from .policy_patch_expiry_type_0 import PolicyPatchExpiryType0
from .portal_link_in import PortalLinkIn
from .portal_link_out import PortalLinkOut
from .portal_patch import PortalPatch
from .portal_settings import PortalSettings
from .post_validate_response_200 import PostValidateResponse200
from .preference_out import PreferenceOut
from .preferences_in import PreferencesIn
from .preferences_out import PreferencesOut
from .preview_in import PreviewIn
from .preview_item import PreviewItem
from .preview_item_data import PreviewItemData
from .preview_out import PreviewOut
from .preview_out_by_channel import PreviewOutByChannel
from .preview_out_by_kind import PreviewOutByKind
from .program_out import ProgramOut
from .progress_out import ProgressOut
from .put_badge_body import PutBadgeBody
from .put_campaign_body import PutCampaignBody
from .put_challenge_body import PutChallengeBody
from .put_leaderboard_body import PutLeaderboardBody
from .put_meter_body import PutMeterBody
from .put_offer_settings_body import PutOfferSettingsBody
from .put_offer_settings_response_200 import PutOfferSettingsResponse200
from .put_referral_program_body import PutReferralProgramBody
from .put_referral_program_response_200 import PutReferralProgramResponse200
from .put_reminder_settings_body import PutReminderSettingsBody
from .put_reminder_settings_response_200 import PutReminderSettingsResponse200
from .put_reward_body import PutRewardBody
from .put_rule_body import PutRuleBody
from .put_template_body import PutTemplateBody
from .put_tier_policy_body import PutTierPolicyBody
from .rate_limit_in import RateLimitIn
from .rate_limit_out import RateLimitOut
from .reason_out import ReasonOut
from .rebuild_out import RebuildOut
from .redemption_in import RedemptionIn
from .referral_code_out import ReferralCodeOut
from .referral_code_out_boost_type_0 import ReferralCodeOutBoostType0
from .referral_code_out_friends import ReferralCodeOutFriends
from .referral_code_out_referred_by_type_0 import ReferralCodeOutReferredByType0
from .referral_out import ReferralOut
from .referral_stats_out import ReferralStatsOut
from .referral_stats_out_referrals import ReferralStatsOutReferrals
from .refund_out import RefundOut
from .replay_failed_in import ReplayFailedIn
from .replay_message_in import ReplayMessageIn
from .replay_out import ReplayOut
from .reward_out import RewardOut
from .reward_out_reward import RewardOutReward
from .reward_redemption_in import RewardRedemptionIn
from .reward_redemption_in_shipping_type_0 import RewardRedemptionInShippingType0
from .reward_redemption_out import RewardRedemptionOut
from .reward_redemption_out_details import RewardRedemptionOutDetails
from .rotate_in import RotateIn
from .rule_list import RuleList
from .rule_out import RuleOut
from .rule_out_spec import RuleOutSpec
from .segment_in import SegmentIn
from .segment_list import SegmentList
from .segment_member_out import SegmentMemberOut
from .segment_out import SegmentOut
from .simulate_in import SimulateIn
from .simulate_in_events_item import SimulateInEventsItem
from .simulate_in_rules_item import SimulateInRulesItem
from .simulate_out import SimulateOut
from .simulate_out_results_item import SimulateOutResultsItem
from .site_spec import SiteSpec
from .sites_body import SitesBody
from .standing_out import StandingOut
from .standings_out import StandingsOut
from .step_out import StepOut
from .step_out_reward import StepOutReward
from .stored_event_out import StoredEventOut
from .stored_event_out_answer_type_0 import StoredEventOutAnswerType0
from .stored_event_out_attributes import StoredEventOutAttributes
from .target_out import TargetOut
from .template_out import TemplateOut
from .template_out_template import TemplateOutTemplate
from .tier_change_out import TierChangeOut
from .tier_job_out import TierJobOut
from .tier_policy_out import TierPolicyOut
from .tier_policy_out_policy import TierPolicyOutPolicy
from .tier_ref import TierRef
from .usage_stats import UsageStats
from .voucher_out import VoucherOut
from .voucher_state import VoucherState

__all__ = (
    "ActorOut",
    "AdjustmentIn",
    "ApiKeyOut",
    "AttemptOut",
    "AuditEntryOut",
    "AuditEntryOutAfterType0",
    "AuditEntryOutBeforeType0",
    "BacktestIn",
    "BacktestInRulesItem",
    "BacktestOut",
    "BacktestOutReport",
    "BadgeLevelOut",
    "BadgeLevelOutRewardType0",
    "BadgeList",
    "BadgeOut",
    "BadgeProgressOut",
    "BalanceOut",
    "BatchResult",
    "BenefitOut",
    "BenefitOutDetail",
    "BenefitsOut",
    "CampaignList",
    "CampaignOut",
    "CampaignOutSpec",
    "CancelIn",
    "CategoryShare",
    "CauseOut",
    "ChallengeList",
    "ChallengeOut",
    "ChallengeOutGoal",
    "ChallengeOutPeriod",
    "ChallengeOutRewardType0",
    "ChallengeOutStepsItem",
    "ChallengeRewardOut",
    "CheckoutIn",
    "CheckoutInCart",
    "CheckoutOut",
    "CheckoutOutQuote",
    "CheckoutSettings",
    "CheckoutSettingsPointsAsCashType0",
    "ChoiceIn",
    "ClaimIn",
    "CodesOut",
    "CommitIn",
    "ConsentIn",
    "ConsentOut",
    "ConsoleSettingsIn",
    "ConsoleSettingsOut",
    "ContestList",
    "ContestOut",
    "DeliveryOut",
    "EarnedBadgeOut",
    "EndpointIn",
    "EndpointList",
    "EndpointOut",
    "EndpointPatch",
    "EntryOut",
    "ErasureOut",
    "ErrorBody",
    "ErrorDetail",
    "EventBatch",
    "EventIn",
    "EventInAttributes",
    "EventResult",
    "EventResultActionsType0Item",
    "EventResultRulesType0Item",
    "EventResultTierType0",
    "EventTypeIn",
    "EventTypeInSchema",
    "EventTypeList",
    "EventTypeOut",
    "EventTypeOutSchemaType0",
    "ExpiringOut",
    "FulfilmentIn",
    "Gender",
    "GenerateIn",
    "GetOfferSettingsResponse200",
    "GetReferralProgramResponse200",
    "GetReminderSettingsResponse200",
    "GiftCancelIn",
    "GiftIn",
    "GiftOption",
    "GiftOut",
    "GrantOut",
    "HoldIn",
    "HoldOut",
    "IdentityIn",
    "Issued",
    "IssueIn",
    "JoinIn",
    "LeaderboardList",
    "LeaderboardOut",
    "LeaderboardOutSpec",
    "ListOutMemberRewardOut",
    "ListOutRewardOut",
    "ListOutRewardRedemptionOut",
    "ListOutTemplateOut",
    "ListOutVoucherOut",
    "MemberBadgesOut",
    "MemberBatchIn",
    "MemberBatchItemIn",
    "MemberBatchItemInAttributesType0",
    "MemberBatchOut",
    "MemberBatchResult",
    "MemberBatchResultErrorType0",
    "MemberChallengeOut",
    "MemberChallengeOutRewardType0",
    "MemberChallengesOut",
    "MemberExport",
    "MemberExportRecords",
    "MemberIn",
    "MemberInAttributesType0",
    "MemberOut",
    "MemberOutAttributes",
    "MemberOutBoostType0",
    "MemberOutReferralType0",
    "MemberPlaceOut",
    "MemberRewardOut",
    "MemberRewardOutAvailability",
    "MemberRewardOutTitles",
    "MemberSegmentOut",
    "MemberSegments",
    "MemberSegmentsFeatures",
    "MemberStatus",
    "MemberTiersOut",
    "MessageOut",
    "MessageOutData",
    "MeterList",
    "MeterOut",
    "MeterOutSpec",
    "MetersOut",
    "MetersOutMeters",
    "NewApiKey",
    "NotificationOut",
    "NotificationOutPayloadType0",
    "OfferOut",
    "OffersOut",
    "OperatorIn",
    "OperatorList",
    "OperatorOut",
    "OrderEventOut",
    "OrderOut",
    "OverrideIn",
    "PageAuditEntryOut",
    "PageConsentOut",
    "PageDeliveryOut",
    "PageEntryOut",
    "PageMemberOut",
    "PageMessageOut",
    "PageNotificationOut",
    "PageReferralOut",
    "PageSegmentMemberOut",
    "PartnerEventResponse200",
    "PartnerIn",
    "PartnerKeyIn",
    "PartnerList",
    "PartnerMemberOut",
    "PartnerOut",
    "PartOut",
    "PerkCodesIn",
    "PerkCodesOut",
    "PlaceOut",
    "PointsWriteOut",
    "PolicyOut",
    "PolicyOutExpiry",
    "PolicyPatch",
    "PolicyPatchExpiryType0",
    "PortalLinkIn",
    "PortalLinkOut",
    "PortalPatch",
    "PortalSettings",
    "PostValidateResponse200",
    "PreferenceOut",
    "PreferencesIn",
    "PreferencesOut",
    "PreviewIn",
    "PreviewItem",
    "PreviewItemData",
    "PreviewOut",
    "PreviewOutByChannel",
    "PreviewOutByKind",
    "ProgramOut",
    "ProgressOut",
    "PutBadgeBody",
    "PutCampaignBody",
    "PutChallengeBody",
    "PutLeaderboardBody",
    "PutMeterBody",
    "PutOfferSettingsBody",
    "PutOfferSettingsResponse200",
    "PutReferralProgramBody",
    "PutReferralProgramResponse200",
    "PutReminderSettingsBody",
    "PutReminderSettingsResponse200",
    "PutRewardBody",
    "PutRuleBody",
    "PutTemplateBody",
    "PutTierPolicyBody",
    "RateLimitIn",
    "RateLimitOut",
    "ReasonOut",
    "RebuildOut",
    "RedemptionIn",
    "ReferralCodeOut",
    "ReferralCodeOutBoostType0",
    "ReferralCodeOutFriends",
    "ReferralCodeOutReferredByType0",
    "ReferralOut",
    "ReferralStatsOut",
    "ReferralStatsOutReferrals",
    "RefundOut",
    "ReplayFailedIn",
    "ReplayMessageIn",
    "ReplayOut",
    "RewardOut",
    "RewardOutReward",
    "RewardRedemptionIn",
    "RewardRedemptionInShippingType0",
    "RewardRedemptionOut",
    "RewardRedemptionOutDetails",
    "RotateIn",
    "RuleList",
    "RuleOut",
    "RuleOutSpec",
    "SegmentIn",
    "SegmentList",
    "SegmentMemberOut",
    "SegmentOut",
    "SimulateIn",
    "SimulateInEventsItem",
    "SimulateInRulesItem",
    "SimulateOut",
    "SimulateOutResultsItem",
    "SitesBody",
    "SiteSpec",
    "StandingOut",
    "StandingsOut",
    "StepOut",
    "StepOutReward",
    "StoredEventOut",
    "StoredEventOutAnswerType0",
    "StoredEventOutAttributes",
    "TargetOut",
    "TemplateOut",
    "TemplateOutTemplate",
    "TierChangeOut",
    "TierJobOut",
    "TierPolicyOut",
    "TierPolicyOutPolicy",
    "TierRef",
    "UsageStats",
    "VoucherOut",
    "VoucherState",
)
