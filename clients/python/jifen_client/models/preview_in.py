from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PreviewIn")


@_attrs_define
class PreviewIn:
    """A condition to count before it is saved.

    Attributes:
        condition (str):
    """

    condition: str

    def to_dict(self) -> dict[str, Any]:
        condition = self.condition

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "condition": condition,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        condition = d.pop("condition")

        preview_in = cls(
            condition=condition,
        )

        return preview_in
