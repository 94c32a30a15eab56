from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.benefit_out import BenefitOut
    from ..models.grant_out import GrantOut
    from ..models.tier_ref import TierRef


T = TypeVar("T", bound="BenefitsOut")


@_attrs_define
class BenefitsOut:
    """What a member has now, and what was given.

    Attributes:
        benefits (list[BenefitOut]):
        granted (list[GrantOut]): Gifts given, newest first (the last 50).
        tier (TierRef): A tier, by id and name.
    """

    benefits: list[BenefitOut]
    granted: list[GrantOut]
    tier: TierRef
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        benefits = []
        for benefits_item_data in self.benefits:
            benefits_item = benefits_item_data.to_dict()
            benefits.append(benefits_item)

        granted = []
        for granted_item_data in self.granted:
            granted_item = granted_item_data.to_dict()
            granted.append(granted_item)

        tier = self.tier.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "benefits": benefits,
                "granted": granted,
                "tier": tier,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.benefit_out import BenefitOut  # noqa: PLC0415
        from ..models.grant_out import GrantOut  # noqa: PLC0415
        from ..models.tier_ref import TierRef  # noqa: PLC0415

        d = dict(src_dict)
        benefits = []
        _benefits = d.pop("benefits")
        for benefits_item_data in _benefits:
            benefits_item = BenefitOut.from_dict(benefits_item_data)

            benefits.append(benefits_item)

        granted = []
        _granted = d.pop("granted")
        for granted_item_data in _granted:
            granted_item = GrantOut.from_dict(granted_item_data)

            granted.append(granted_item)

        tier = TierRef.from_dict(d.pop("tier"))

        benefits_out = cls(
            benefits=benefits,
            granted=granted,
            tier=tier,
        )

        benefits_out.additional_properties = d
        return benefits_out

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
