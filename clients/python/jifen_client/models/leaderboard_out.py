from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.leaderboard_out_spec import LeaderboardOutSpec


T = TypeVar("T", bound="LeaderboardOut")


@_attrs_define
class LeaderboardOut:
    """A leaderboard as defined, with where it stands now.

    Attributes:
        created_at (datetime.datetime):
        current_period (str): The period a query reads without naming one: `all`, `2027-W05`, `2027-02`, `window`.
        id (str):
        rankings (str): Where rankings are kept: `memory` (this node) or `redis` (every node).
        spec (LeaderboardOutSpec): `name`, `description`, `metric` (`points`, `spend`, `events` of a `type`, a `meter`),
            `period` (`all_time`, `week`, `month`, `window`) and `contest` (`prizes`).
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    current_period: str
    id: str
    rankings: str
    spec: LeaderboardOutSpec
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        current_period = self.current_period

        id = self.id

        rankings = self.rankings

        spec = self.spec.to_dict()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "current_period": current_period,
                "id": id,
                "rankings": rankings,
                "spec": spec,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.leaderboard_out_spec import LeaderboardOutSpec  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        current_period = d.pop("current_period")

        id = d.pop("id")

        rankings = d.pop("rankings")

        spec = LeaderboardOutSpec.from_dict(d.pop("spec"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        leaderboard_out = cls(
            created_at=created_at,
            current_period=current_period,
            id=id,
            rankings=rankings,
            spec=spec,
            updated_at=updated_at,
        )

        leaderboard_out.additional_properties = d
        return leaderboard_out

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
