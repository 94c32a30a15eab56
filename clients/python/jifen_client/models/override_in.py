from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="OverrideIn")


@_attrs_define
class OverrideIn:
    """An operator's override.

    Attributes:
        reason (str):
        tier (str): The tier the member holds while the override lasts.
        until (datetime.datetime): When it ends (the member's standing applies again).
    """

    reason: str
    tier: str
    until: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        tier = self.tier

        until = self.until.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
                "tier": tier,
                "until": until,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        tier = d.pop("tier")

        until = datetime.datetime.fromisoformat(d.pop("until"))

        override_in = cls(
            reason=reason,
            tier=tier,
            until=until,
        )

        return override_in
