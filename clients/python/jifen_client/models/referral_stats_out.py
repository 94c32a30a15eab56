from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.referral_stats_out_referrals import ReferralStatsOutReferrals


T = TypeVar("T", bound="ReferralStatsOut")


@_attrs_define
class ReferralStatsOut:
    """A program's referral figures.

    Attributes:
        active_boosts (int): Members with a milestone boost active now.
        friend_points (int): Points given to friends at signup, and to referrers (less what was clawed back).
        referrals (ReferralStatsOutReferrals): Referrals by status: `pending`, `qualified`, `rewarded`, `capped`,
            `clawed_back`,
            `rejected` (each present, 0 when none).
        referrer_points (int):
        referrers (int): Members who brought at least one friend (rejected referrals aside).
        total (int): Every referral recorded.
    """

    active_boosts: int
    friend_points: int
    referrals: ReferralStatsOutReferrals
    referrer_points: int
    referrers: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active_boosts = self.active_boosts

        friend_points = self.friend_points

        referrals = self.referrals.to_dict()

        referrer_points = self.referrer_points

        referrers = self.referrers

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active_boosts": active_boosts,
                "friend_points": friend_points,
                "referrals": referrals,
                "referrer_points": referrer_points,
                "referrers": referrers,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referral_stats_out_referrals import ReferralStatsOutReferrals  # noqa: PLC0415

        d = dict(src_dict)
        active_boosts = d.pop("active_boosts")

        friend_points = d.pop("friend_points")

        referrals = ReferralStatsOutReferrals.from_dict(d.pop("referrals"))

        referrer_points = d.pop("referrer_points")

        referrers = d.pop("referrers")

        total = d.pop("total")

        referral_stats_out = cls(
            active_boosts=active_boosts,
            friend_points=friend_points,
            referrals=referrals,
            referrer_points=referrer_points,
            referrers=referrers,
            total=total,
        )

        referral_stats_out.additional_properties = d
        return referral_stats_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
