from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConsentIn")


@_attrs_define
class ConsentIn:
    """A consent given or withdrawn.

    Attributes:
        granted (bool): True when the member gave consent, false when they withdrew it.
        id (str): The client's id for the record: a retry with it returns the first answer.
        purpose (str): What the consent is for: `marketing_sms`, `marketing_email`, `profiling`,
            `cross_border_transfer`… (1–64 of `a-z 0-9 _ . : -`).
        source (str): Where the record comes from: a form, a store, an agent… (1–64 characters).
        at (None | str | Unset): When the member gave or withdrew it (RFC 3339); default: now.
        channel (None | str | Unset): The channel it came through (`wechat_mp`, `app`, `store:12`…).
    """

    granted: bool
    id: str
    purpose: str
    source: str
    at: None | str | Unset = UNSET
    channel: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        granted = self.granted

        id = self.id

        purpose = self.purpose

        source = self.source

        at: None | str | Unset
        if isinstance(self.at, Unset):
            at = UNSET
        else:
            at = self.at

        channel: None | str | Unset
        if isinstance(self.channel, Unset):
            channel = UNSET
        else:
            channel = self.channel

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "granted": granted,
                "id": id,
                "purpose": purpose,
                "source": source,
            }
        )
        if at is not UNSET:
            field_dict["at"] = at
        if channel is not UNSET:
            field_dict["channel"] = channel

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        granted = d.pop("granted")

        id = d.pop("id")

        purpose = d.pop("purpose")

        source = d.pop("source")

        def _parse_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        at = _parse_at(d.pop("at", UNSET))

        def _parse_channel(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        channel = _parse_channel(d.pop("channel", UNSET))

        consent_in = cls(
            granted=granted,
            id=id,
            purpose=purpose,
            source=source,
            at=at,
            channel=channel,
        )

        return consent_in
