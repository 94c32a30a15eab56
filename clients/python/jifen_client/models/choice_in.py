from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ChoiceIn")


@_attrs_define
class ChoiceIn:
    """One choice to apply.

    Attributes:
        channel (str):
        enabled (bool):
        kind (str):
    """

    channel: str
    enabled: bool
    kind: str

    def to_dict(self) -> dict[str, Any]:
        channel = self.channel

        enabled = self.enabled

        kind = self.kind

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "channel": channel,
                "enabled": enabled,
                "kind": kind,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channel = d.pop("channel")

        enabled = d.pop("enabled")

        kind = d.pop("kind")

        choice_in = cls(
            channel=channel,
            enabled=enabled,
            kind=kind,
        )

        return choice_in
