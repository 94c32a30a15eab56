from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SegmentIn")


@_attrs_define
class SegmentIn:
    """A segment's definition.

    Attributes:
        condition (str): A CEL condition over a member's features, e.g.
            `recency_days > 90 && monetary_365d > 100000`.
        name (str): 1–100 characters.
        description (str | Unset):
    """

    condition: str
    name: str
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        condition = self.condition

        name = self.name

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "condition": condition,
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        condition = d.pop("condition")

        name = d.pop("name")

        description = d.pop("description", UNSET)

        segment_in = cls(
            condition=condition,
            name=name,
            description=description,
        )

        return segment_in
