from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.category_share import CategoryShare
    from ..models.offer_out import OfferOut


T = TypeVar("T", bound="OffersOut")


@_attrs_define
class OffersOut:
    """A member's offers, best first.

    Attributes:
        available_points (int): The points the member can spend now.
        categories (list[CategoryShare]): The categories the member spends most in over the last 365 days (up to three).
        data (list[OfferOut]):
        member (str):
    """

    available_points: int
    categories: list[CategoryShare]
    data: list[OfferOut]
    member: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        available_points = self.available_points

        categories = []
        for categories_item_data in self.categories:
            categories_item = categories_item_data.to_dict()
            categories.append(categories_item)

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        member = self.member

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "available_points": available_points,
                "categories": categories,
                "data": data,
                "member": member,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.category_share import CategoryShare  # noqa: PLC0415
        from ..models.offer_out import OfferOut  # noqa: PLC0415

        d = dict(src_dict)
        available_points = d.pop("available_points")

        categories = []
        _categories = d.pop("categories")
        for categories_item_data in _categories:
            categories_item = CategoryShare.from_dict(categories_item_data)

            categories.append(categories_item)

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = OfferOut.from_dict(data_item_data)

            data.append(data_item)

        member = d.pop("member")

        offers_out = cls(
            available_points=available_points,
            categories=categories,
            data=data,
            member=member,
        )

        offers_out.additional_properties = d
        return offers_out

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
