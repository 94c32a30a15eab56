from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="EarnedBadgeOut")


@_attrs_define
class EarnedBadgeOut:
    """A level a member earned.

    Attributes:
        badge (str):
        cause (str): What awarded it: `event:<id>`, `contest:<id>`, …
        earned_at (datetime.datetime):
        level (int):
        level_name (str):
        name (str):
        share_path (str): The public share page of the level, relative to the server.
        event_id (None | str | Unset): The event that earned it, when an event did.
        image_url (None | str | Unset):
    """

    badge: str
    cause: str
    earned_at: datetime.datetime
    level: int
    level_name: str
    name: str
    share_path: str
    event_id: None | str | Unset = UNSET
    image_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        badge = self.badge

        cause = self.cause

        earned_at = self.earned_at.isoformat()

        level = self.level

        level_name = self.level_name

        name = self.name

        share_path = self.share_path

        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        else:
            event_id = self.event_id

        image_url: None | str | Unset
        if isinstance(self.image_url, Unset):
            image_url = UNSET
        else:
            image_url = self.image_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "badge": badge,
                "cause": cause,
                "earned_at": earned_at,
                "level": level,
                "level_name": level_name,
                "name": name,
                "share_path": share_path,
            }
        )
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if image_url is not UNSET:
            field_dict["image_url"] = image_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        badge = d.pop("badge")

        cause = d.pop("cause")

        earned_at = datetime.datetime.fromisoformat(d.pop("earned_at"))

        level = d.pop("level")

        level_name = d.pop("level_name")

        name = d.pop("name")

        share_path = d.pop("share_path")

        def _parse_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_id = _parse_event_id(d.pop("event_id", UNSET))

        def _parse_image_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image_url = _parse_image_url(d.pop("image_url", UNSET))

        earned_badge_out = cls(
            badge=badge,
            cause=cause,
            earned_at=earned_at,
            level=level,
            level_name=level_name,
            name=name,
            share_path=share_path,
            event_id=event_id,
            image_url=image_url,
        )

        earned_badge_out.additional_properties = d
        return earned_badge_out

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
