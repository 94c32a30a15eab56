from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ContestOut")


@_attrs_define
class ContestOut:
    """A settled contest.

    Attributes:
        leaderboard (str):
        period (str):
        ranked (int): Members in the final standings.
        settled_at (datetime.datetime):
        winners (int): Members who won a prize.
    """

    leaderboard: str
    period: str
    ranked: int
    settled_at: datetime.datetime
    winners: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        leaderboard = self.leaderboard

        period = self.period

        ranked = self.ranked

        settled_at = self.settled_at.isoformat()

        winners = self.winners

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "leaderboard": leaderboard,
                "period": period,
                "ranked": ranked,
                "settled_at": settled_at,
                "winners": winners,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        leaderboard = d.pop("leaderboard")

        period = d.pop("period")

        ranked = d.pop("ranked")

        settled_at = datetime.datetime.fromisoformat(d.pop("settled_at"))

        winners = d.pop("winners")

        contest_out = cls(
            leaderboard=leaderboard,
            period=period,
            ranked=ranked,
            settled_at=settled_at,
            winners=winners,
        )

        contest_out.additional_properties = d
        return contest_out

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
