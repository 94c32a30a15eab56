//! The HTTP API under `/v1`, described by OpenAPI from the handlers themselves.

pub mod audit;
pub mod badges;
pub mod challenges;
pub mod checkout;
pub mod events;
pub mod leaderboards;
pub mod members;
pub mod notifications;
pub mod offers;
pub mod operators;
pub mod ops;
pub mod orders;
pub mod partners;
pub mod personal;
pub mod points;
pub mod portal;
pub mod program;
pub mod referrals;
pub mod reminders;
pub mod responses;
pub mod rewards;
pub mod rules;
pub mod segments;
pub mod tiers;
pub mod webhooks;
pub use crate::shapes as types;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "jifen",
        description = "Self-hostable customer-loyalty engine: points ledger, members and events.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    security(("api_key" = [])),
    tags(
        (name = "program", description = "The program of the calling key, its policy and keys"),
        (name = "members", description = "Members and their identities"),
        (name = "events", description = "What members do: purchases, refunds, behaviours"),
        (name = "points", description = "Balances, the ledger, redemptions and adjustments"),
        (name = "holds", description = "Two-phase reservations of points for checkouts"),
        (name = "rules", description = "Earning rules and campaigns: versions, simulation"),
        (name = "tiers", description = "Meters, sites, tiers, benefits and their re-evaluation"),
        (name = "partners", description = "Partner businesses, their keys, and what their keys reach"),
        (name = "vouchers", description = "Voucher templates, codes, members' vouchers and gifts of them"),
        (name = "rewards", description = "The rewards catalog, what a member can redeem, redemptions"),
        (name = "checkout", description = "Carts judged and redeemed with vouchers and points; gifts claimed"),
        (name = "notifications", description = "The notification outbox: what rules, tiers and gifts wrote for members to be told"),
        (name = "operators", description = "The console's operators, their roles, and the console's settings"),
        (name = "leaderboards", description = "Leaderboards: ranks among every member, neighbours, gaps; contests settled once"),
        (name = "badges", description = "Badges with levels, earned once each; members' badges and progress"),
        (name = "challenges", description = "Challenges: goals over a period with steps and rewards; members' progress and joins"),
        (name = "referrals", description = "Referral codes, friends attributed to them, rewards, milestones and their figures"),
        (name = "webhooks", description = "Webhook endpoints, the signed messages sent to them, deliveries, attempts and replays"),
        (name = "reminders", description = "Scheduled reminders: settings, quiet hours, caps, members' preferences, a preview"),
        (name = "segments", description = "Segments: CEL conditions over members' features, their members kept current, exports"),
        (name = "offers", description = "Personal offers: a member's rewards and vouchers ranked by an explainable score"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.description = Some("A program's secret API key, `jf_sk_…`".into());
        components.add_security_scheme("api_key", SecurityScheme::Http(http));
    }
}

/// Every `/v1` route with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(program::get_program, program::patch_program))
        .routes(routes!(program::create_api_key, program::list_api_keys))
        .routes(routes!(program::revoke_api_key))
        .routes(routes!(operators::list_operators))
        .routes(routes!(operators::put_operator, operators::delete_operator))
        .routes(routes!(
            operators::get_console_settings,
            operators::put_console_settings
        ))
        .routes(routes!(audit::list_audit_log))
        .routes(routes!(members::put_member, members::get_member))
        .routes(routes!(members::list_members))
        .routes(routes!(members::post_member_batch))
        // The batch route takes `/v1/members/batch`: a member whose id is `batch` stays reachable.
        .route(
            "/v1/members/batch",
            axum::routing::get(members::get_member_named_batch)
                .put(members::put_member_named_batch),
        )
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::member_notifications))
        .routes(routes!(personal::export_member))
        .routes(routes!(personal::erase_member))
        .routes(routes!(portal::create_portal_link))
        .routes(routes!(personal::post_consent, personal::list_consents))
        .routes(routes!(events::post_events))
        .routes(routes!(events::get_event))
        .routes(routes!(orders::get_order))
        .routes(routes!(points::get_balance))
        .routes(routes!(points::get_ledger))
        .routes(routes!(points::post_redemption))
        .routes(routes!(points::post_adjustment))
        .routes(routes!(points::post_hold))
        .routes(routes!(rules::list_rules))
        .routes(routes!(rules::simulate))
        .routes(routes!(rules::start_backtest))
        .routes(routes!(rules::get_backtest))
        .routes(routes!(
            rules::put_rule,
            rules::get_rule,
            rules::delete_rule
        ))
        .routes(routes!(rules::rule_versions))
        .routes(routes!(rules::pause_rule))
        .routes(routes!(rules::resume_rule))
        .routes(routes!(rules::archive_rule))
        .routes(routes!(rules::list_campaigns))
        .routes(routes!(rules::list_event_types))
        .routes(routes!(rules::put_event_type))
        .routes(routes!(rules::put_campaign, rules::get_campaign))
        .routes(routes!(tiers::list_meters))
        .routes(routes!(tiers::put_meter))
        .routes(routes!(tiers::get_sites, tiers::put_sites))
        .routes(routes!(tiers::get_tier_policy, tiers::put_tier_policy))
        .routes(routes!(tiers::post_tier_job))
        .routes(routes!(tiers::get_tier_job))
        .routes(routes!(tiers::member_tiers))
        .routes(routes!(tiers::put_override, tiers::delete_override))
        .routes(routes!(tiers::member_benefits))
        .routes(routes!(tiers::member_meters))
        .routes(routes!(partners::list_partners))
        .routes(routes!(partners::put_partner))
        .routes(routes!(partners::create_partner_key))
        .routes(routes!(partners::partner_event))
        .routes(routes!(partners::partner_member))
        .routes(routes!(rewards::list_templates))
        .routes(routes!(rewards::put_template, rewards::get_template))
        .routes(routes!(rewards::generate_codes, rewards::export_codes))
        .routes(routes!(rewards::import_codes))
        .routes(routes!(rewards::issue_voucher, rewards::member_vouchers))
        .routes(routes!(rewards::get_voucher))
        .routes(routes!(rewards::gift_voucher))
        .routes(routes!(rewards::list_rewards))
        .routes(routes!(rewards::put_reward, rewards::get_reward))
        .routes(routes!(rewards::add_perk_codes))
        .routes(routes!(rewards::put_reward_image))
        .routes(routes!(rewards::member_rewards))
        .routes(routes!(
            rewards::post_reward_redemption,
            rewards::member_reward_redemptions
        ))
        .routes(routes!(rewards::get_reward_redemption))
        .routes(routes!(rewards::cancel_reward_redemption))
        .routes(routes!(rewards::post_fulfilment))
        .routes(routes!(checkout::get_settings, checkout::put_settings))
        .routes(routes!(checkout::post_validate))
        .routes(routes!(checkout::post_redeem))
        .routes(routes!(checkout::get_checkout))
        .routes(routes!(checkout::post_confirm))
        .routes(routes!(checkout::post_cancel))
        .routes(routes!(checkout::get_gift))
        .routes(routes!(checkout::claim_gift))
        .routes(routes!(checkout::cancel_gift))
        .routes(routes!(webhooks::create_endpoint, webhooks::list_endpoints))
        .routes(routes!(
            webhooks::get_endpoint,
            webhooks::patch_endpoint,
            webhooks::delete_endpoint
        ))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::list_messages))
        .routes(routes!(webhooks::get_message))
        .routes(routes!(webhooks::replay_message))
        .routes(routes!(webhooks::replay_failed))
        .routes(routes!(badges::list_badges))
        .routes(routes!(badges::put_badge, badges::get_badge))
        .routes(routes!(badges::put_badge_image))
        .routes(routes!(badges::get_member_badges))
        .routes(routes!(segments::list_segments))
        .routes(routes!(
            segments::put_segment,
            segments::get_segment,
            segments::delete_segment
        ))
        .routes(routes!(segments::list_segment_members))
        .routes(routes!(segments::export_segment_members))
        .routes(routes!(segments::get_member_segments))
        .routes(routes!(segments::preview_segment))
        .routes(routes!(offers::member_offers))
        .routes(routes!(
            offers::get_offer_settings,
            offers::put_offer_settings
        ))
        .routes(routes!(challenges::list_challenges))
        .routes(routes!(
            challenges::put_challenge,
            challenges::get_challenge
        ))
        .routes(routes!(challenges::get_member_challenges))
        .routes(routes!(challenges::join_challenge))
        .routes(routes!(
            referrals::get_referral_program,
            referrals::put_referral_program
        ))
        .routes(routes!(referrals::referral_program_stats))
        .routes(routes!(
            reminders::get_reminder_settings,
            reminders::put_reminder_settings
        ))
        .routes(routes!(reminders::get_reminders_preview))
        .routes(routes!(
            reminders::get_notification_preferences,
            reminders::put_notification_preferences
        ))
        .routes(routes!(referrals::member_referral_code))
        .routes(routes!(referrals::member_referral_qr))
        .routes(routes!(referrals::member_referrals))
        .routes(routes!(points::get_hold))
        .routes(routes!(points::commit_hold))
        .routes(routes!(points::void_hold))
        .routes(routes!(leaderboards::list_leaderboards))
        .routes(routes!(
            leaderboards::put_leaderboard,
            leaderboards::get_leaderboard
        ))
        .routes(routes!(leaderboards::standings))
        .routes(routes!(leaderboards::member_place))
        .routes(routes!(leaderboards::list_contests))
        .routes(routes!(leaderboards::settle_contest))
        .routes(routes!(leaderboards::rebuild))
}

/// The OpenAPI document, as committed in `docs/openapi.json`.
pub fn openapi_json() -> String {
    let (_, mut api) = routes().split_for_parts();
    responses::add_common_responses(&mut api);
    reference_list_items(&mut api);
    api.to_pretty_json().unwrap_or_default() + "\n"
}

/// A list's items refer to their schema (`Page_MemberOut.data` is an array of `MemberOut`)
/// instead of repeating it inline, as utoipa writes the type argument of a generic: so a client
/// generated from the document has one `MemberOut` type, not a copy per list. Only an inline
/// schema equal to the named one is replaced.
fn reference_list_items(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayBuilder, Schema};
    use utoipa::openapi::{Ref, RefOr};

    let Some(components) = api.components.as_mut() else {
        return;
    };
    let named = components.schemas.clone();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item) = name
            .strip_prefix("Page_")
            .or_else(|| name.strip_prefix("ListOut_"))
        else {
            continue;
        };
        let Some(RefOr::T(item_schema)) = named.get(item) else {
            continue;
        };
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        let Some(RefOr::T(Schema::Array(data))) = object.properties.get("data") else {
            continue;
        };
        let inline = serde_json::to_value(&data.items).ok();
        if inline != serde_json::to_value(item_schema).ok() {
            continue;
        }
        let items = ArrayBuilder::new()
            .items(Ref::from_schema_name(item))
            .build();
        object
            .properties
            .insert("data".into(), RefOr::T(Schema::Array(items)));
    }
}
