from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.policy_out_expiry import PolicyOutExpiry


T = TypeVar("T", bound="PolicyOut")


@_attrs_define
class PolicyOut:
    """How purchases earn and when points become available or expire.

    Attributes:
        expiry (PolicyOutExpiry):
        negative_balance (str): `allow` (missing clawback points become debt) or `forbid` (they are written off).
            Example: allow.
        pending_days (int): Days after `occurred_at` before earned points become available.
        points_per_yuan (int): Points per whole yuan of an order: `floor(amount / 100) × points_per_yuan`.
    """

    expiry: PolicyOutExpiry
    negative_balance: str
    pending_days: int
    points_per_yuan: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expiry = self.expiry.to_dict()

        negative_balance = self.negative_balance

        pending_days = self.pending_days

        points_per_yuan = self.points_per_yuan

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expiry": expiry,
                "negative_balance": negative_balance,
                "pending_days": pending_days,
                "points_per_yuan": points_per_yuan,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.policy_out_expiry import PolicyOutExpiry  # noqa: PLC0415

        d = dict(src_dict)
        expiry = PolicyOutExpiry.from_dict(d.pop("expiry"))

        negative_balance = d.pop("negative_balance")

        pending_days = d.pop("pending_days")

        points_per_yuan = d.pop("points_per_yuan")

        policy_out = cls(
            expiry=expiry,
            negative_balance=negative_balance,
            pending_days=pending_days,
            points_per_yuan=points_per_yuan,
        )

        policy_out.additional_properties = d
        return policy_out

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
