from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PartOut")


@_attrs_define
class PartOut:
    """One part of an offer's score.

    Attributes:
        fraction (float): What the offer earned of the part, 0–1.
        part (str): `affinity`, `segment`, `tier`, `ready`, `near`, `thrift`, `expiring` or `boost`.
        points (float): fraction × the part's weight.
    """

    fraction: float
    part: str
    points: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fraction = self.fraction

        part = self.part

        points = self.points

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fraction": fraction,
                "part": part,
                "points": points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        fraction = d.pop("fraction")

        part = d.pop("part")

        points = d.pop("points")

        part_out = cls(
            fraction=fraction,
            part=part,
            points=points,
        )

        part_out.additional_properties = d
        return part_out

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
