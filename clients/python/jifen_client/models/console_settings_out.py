from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ConsoleSettingsOut")


@_attrs_define
class ConsoleSettingsOut:
    """The console's settings of the program.

    Attributes:
        support_adjustment_limit (int): The most points one point adjustment by a `support` operator may add or remove:
            the
            owner's choice, or 1,000 until the owner sets one.
    """

    support_adjustment_limit: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        support_adjustment_limit = self.support_adjustment_limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "support_adjustment_limit": support_adjustment_limit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        support_adjustment_limit = d.pop("support_adjustment_limit")

        console_settings_out = cls(
            support_adjustment_limit=support_adjustment_limit,
        )

        console_settings_out.additional_properties = d
        return console_settings_out

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
