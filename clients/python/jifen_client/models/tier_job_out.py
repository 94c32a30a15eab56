from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TierJobOut")


@_attrs_define
class TierJobOut:
    """A re-evaluation of every member's tier.

    Attributes:
        changes (int): Tier changes they caused.
        created_at (datetime.datetime):
        id (str):
        members (int): Members re-evaluated so far.
        reason (str): `policy_changed`, `requested` or `periodic`.
        status (str): `running` or `done`.
        updated_at (datetime.datetime):
    """

    changes: int
    created_at: datetime.datetime
    id: str
    members: int
    reason: str
    status: str
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        changes = self.changes

        created_at = self.created_at.isoformat()

        id = self.id

        members = self.members

        reason = self.reason

        status = self.status

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "changes": changes,
                "created_at": created_at,
                "id": id,
                "members": members,
                "reason": reason,
                "status": status,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        changes = d.pop("changes")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        members = d.pop("members")

        reason = d.pop("reason")

        status = d.pop("status")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        tier_job_out = cls(
            changes=changes,
            created_at=created_at,
            id=id,
            members=members,
            reason=reason,
            status=status,
            updated_at=updated_at,
        )

        tier_job_out.additional_properties = d
        return tier_job_out

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
