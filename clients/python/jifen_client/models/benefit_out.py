from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.benefit_out_detail import BenefitOutDetail


T = TypeVar("T", bound="BenefitOut")


@_attrs_define
class BenefitOut:
    """A benefit a member has, and why.

    Attributes:
        detail (BenefitOutDetail): `earn_multiplier`, `early_access`, `upgrade_gift`, `birthday_gift`, `periodic_gift`,
            `free_shipping`, `partner_perk`, `content`, `service`, with their fields.
        id (str):
        why (str): Why the member has it.
        title (str | Unset):
    """

    detail: BenefitOutDetail
    id: str
    why: str
    title: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detail = self.detail.to_dict()

        id = self.id

        why = self.why

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detail": detail,
                "id": id,
                "why": why,
            }
        )
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.benefit_out_detail import BenefitOutDetail  # noqa: PLC0415

        d = dict(src_dict)
        detail = BenefitOutDetail.from_dict(d.pop("detail"))

        id = d.pop("id")

        why = d.pop("why")

        title = d.pop("title", UNSET)

        benefit_out = cls(
            detail=detail,
            id=id,
            why=why,
            title=title,
        )

        benefit_out.additional_properties = d
        return benefit_out

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
