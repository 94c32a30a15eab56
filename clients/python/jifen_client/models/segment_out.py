from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SegmentOut")


@_attrs_define
class SegmentOut:
    """A segment: what it is, and how many members it has now.

    Attributes:
        condition (str): The CEL condition over a member's features (docs/segments.md#features).
        created_at (datetime.datetime):
        members (int): Members in the segment now.
        name (str):
        refreshed (bool): Whether a full refresh has judged every member by this version of the condition
            (until then, `members` counts those judged so far).
        slug (str):
        updated_at (datetime.datetime):
        version (int): Grows with every change of the condition.
        description (str | Unset):
        refreshed_at (datetime.datetime | None | Unset): When a full refresh last judged every member by it.
    """

    condition: str
    created_at: datetime.datetime
    members: int
    name: str
    refreshed: bool
    slug: str
    updated_at: datetime.datetime
    version: int
    description: str | Unset = UNSET
    refreshed_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        condition = self.condition

        created_at = self.created_at.isoformat()

        members = self.members

        name = self.name

        refreshed = self.refreshed

        slug = self.slug

        updated_at = self.updated_at.isoformat()

        version = self.version

        description = self.description

        refreshed_at: None | str | Unset
        if isinstance(self.refreshed_at, Unset):
            refreshed_at = UNSET
        elif isinstance(self.refreshed_at, datetime.datetime):
            refreshed_at = self.refreshed_at.isoformat()
        else:
            refreshed_at = self.refreshed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "condition": condition,
                "created_at": created_at,
                "members": members,
                "name": name,
                "refreshed": refreshed,
                "slug": slug,
                "updated_at": updated_at,
                "version": version,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if refreshed_at is not UNSET:
            field_dict["refreshed_at"] = refreshed_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        condition = d.pop("condition")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        members = d.pop("members")

        name = d.pop("name")

        refreshed = d.pop("refreshed")

        slug = d.pop("slug")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        description = d.pop("description", UNSET)

        def _parse_refreshed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                refreshed_at_type_0 = datetime.datetime.fromisoformat(data)

                return refreshed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        refreshed_at = _parse_refreshed_at(d.pop("refreshed_at", UNSET))

        segment_out = cls(
            condition=condition,
            created_at=created_at,
            members=members,
            name=name,
            refreshed=refreshed,
            slug=slug,
            updated_at=updated_at,
            version=version,
            description=description,
            refreshed_at=refreshed_at,
        )

        segment_out.additional_properties = d
        return segment_out

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
