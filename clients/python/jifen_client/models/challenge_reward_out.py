from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ChallengeRewardOut")


@_attrs_define
class ChallengeRewardOut:
    """A reward a member was given by a challenge.

    Attributes:
        awarded_at (datetime.datetime):
        event_id (str):
        points (int):
        status (str): `awarded`, or `revoked` when a refund took the progress back below it.
        step (int): The step (1, 2, …), or 0 for the completion.
        revoked_at (datetime.datetime | None | Unset):
    """

    awarded_at: datetime.datetime
    event_id: str
    points: int
    status: str
    step: int
    revoked_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        awarded_at = self.awarded_at.isoformat()

        event_id = self.event_id

        points = self.points

        status = self.status

        step = self.step

        revoked_at: None | str | Unset
        if isinstance(self.revoked_at, Unset):
            revoked_at = UNSET
        elif isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "awarded_at": awarded_at,
                "event_id": event_id,
                "points": points,
                "status": status,
                "step": step,
            }
        )
        if revoked_at is not UNSET:
            field_dict["revoked_at"] = revoked_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        awarded_at = datetime.datetime.fromisoformat(d.pop("awarded_at"))

        event_id = d.pop("event_id")

        points = d.pop("points")

        status = d.pop("status")

        step = d.pop("step")

        def _parse_revoked_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at", UNSET))

        challenge_reward_out = cls(
            awarded_at=awarded_at,
            event_id=event_id,
            points=points,
            status=status,
            step=step,
            revoked_at=revoked_at,
        )

        challenge_reward_out.additional_properties = d
        return challenge_reward_out

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
