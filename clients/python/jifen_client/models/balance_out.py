from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.expiring_out import ExpiringOut


T = TypeVar("T", bound="BalanceOut")


@_attrs_define
class BalanceOut:
    """A member's points at an instant.

    Attributes:
        at (datetime.datetime): The instant the figures are for.
        available (int): Spendable now.
        clawed_back (int): Points taken back by refunds (from lots or as debt).
        expired (int): Points that expired unspent.
        expiring (list[ExpiringOut]): Points that expire in the 30 days after `at`, by instant.
        held (int): Reserved by pending holds.
        lifetime_earned (int): Points ever earned: purchases and positive adjustments.
        lifetime_redeemed (int): Points ever redeemed: redemptions and committed holds.
        negative (int): Debt (≥ 0): points owed after clawbacks; repaid first by every later credit.
        pending (int): Earned, not yet available (inside the return window).
        written_off (int): Points refunds could not take back and the policy forbade as debt.
    """

    at: datetime.datetime
    available: int
    clawed_back: int
    expired: int
    expiring: list[ExpiringOut]
    held: int
    lifetime_earned: int
    lifetime_redeemed: int
    negative: int
    pending: int
    written_off: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        available = self.available

        clawed_back = self.clawed_back

        expired = self.expired

        expiring = []
        for expiring_item_data in self.expiring:
            expiring_item = expiring_item_data.to_dict()
            expiring.append(expiring_item)

        held = self.held

        lifetime_earned = self.lifetime_earned

        lifetime_redeemed = self.lifetime_redeemed

        negative = self.negative

        pending = self.pending

        written_off = self.written_off

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "available": available,
                "clawed_back": clawed_back,
                "expired": expired,
                "expiring": expiring,
                "held": held,
                "lifetime_earned": lifetime_earned,
                "lifetime_redeemed": lifetime_redeemed,
                "negative": negative,
                "pending": pending,
                "written_off": written_off,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.expiring_out import ExpiringOut  # noqa: PLC0415

        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        available = d.pop("available")

        clawed_back = d.pop("clawed_back")

        expired = d.pop("expired")

        expiring = []
        _expiring = d.pop("expiring")
        for expiring_item_data in _expiring:
            expiring_item = ExpiringOut.from_dict(expiring_item_data)

            expiring.append(expiring_item)

        held = d.pop("held")

        lifetime_earned = d.pop("lifetime_earned")

        lifetime_redeemed = d.pop("lifetime_redeemed")

        negative = d.pop("negative")

        pending = d.pop("pending")

        written_off = d.pop("written_off")

        balance_out = cls(
            at=at,
            available=available,
            clawed_back=clawed_back,
            expired=expired,
            expiring=expiring,
            held=held,
            lifetime_earned=lifetime_earned,
            lifetime_redeemed=lifetime_redeemed,
            negative=negative,
            pending=pending,
            written_off=written_off,
        )

        balance_out.additional_properties = d
        return balance_out

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
