from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BadgeProgressOut")


@_attrs_define
class BadgeProgressOut:
    """A member's progress towards the next level of a badge.

    Attributes:
        badge (str):
        level (int): The next level (1 for the first).
        level_name (str):
        name (str):
        target (int):
        value (int):
    """

    badge: str
    level: int
    level_name: str
    name: str
    target: int
    value: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        badge = self.badge

        level = self.level

        level_name = self.level_name

        name = self.name

        target = self.target

        value = self.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "badge": badge,
                "level": level,
                "level_name": level_name,
                "name": name,
                "target": target,
                "value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        badge = d.pop("badge")

        level = d.pop("level")

        level_name = d.pop("level_name")

        name = d.pop("name")

        target = d.pop("target")

        value = d.pop("value")

        badge_progress_out = cls(
            badge=badge,
            level=level,
            level_name=level_name,
            name=name,
            target=target,
            value=value,
        )

        badge_progress_out.additional_properties = d
        return badge_progress_out

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
