from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConsentOut")


@_attrs_define
class ConsentOut:
    """A consent record.

    Attributes:
        at (datetime.datetime):
        granted (bool):
        id (str):
        purpose (str):
        recorded_at (datetime.datetime):
        source (str):
        channel (None | str | Unset):
    """

    at: datetime.datetime
    granted: bool
    id: str
    purpose: str
    recorded_at: datetime.datetime
    source: str
    channel: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        granted = self.granted

        id = self.id

        purpose = self.purpose

        recorded_at = self.recorded_at.isoformat()

        source = self.source

        channel: None | str | Unset
        if isinstance(self.channel, Unset):
            channel = UNSET
        else:
            channel = self.channel

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "granted": granted,
                "id": id,
                "purpose": purpose,
                "recorded_at": recorded_at,
                "source": source,
            }
        )
        if channel is not UNSET:
            field_dict["channel"] = channel

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        granted = d.pop("granted")

        id = d.pop("id")

        purpose = d.pop("purpose")

        recorded_at = datetime.datetime.fromisoformat(d.pop("recorded_at"))

        source = d.pop("source")

        def _parse_channel(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        channel = _parse_channel(d.pop("channel", UNSET))

        consent_out = cls(
            at=at,
            granted=granted,
            id=id,
            purpose=purpose,
            recorded_at=recorded_at,
            source=source,
            channel=channel,
        )

        consent_out.additional_properties = d
        return consent_out

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
