from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ConsoleSettingsIn")


@_attrs_define
class ConsoleSettingsIn:
    """
    Attributes:
        support_adjustment_limit (int): 1 to 1,000,000,000 points.
    """

    support_adjustment_limit: int

    def to_dict(self) -> dict[str, Any]:
        support_adjustment_limit = self.support_adjustment_limit

        field_dict: dict[str, Any] = {}

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

        console_settings_in = cls(
            support_adjustment_limit=support_adjustment_limit,
        )

        return console_settings_in
