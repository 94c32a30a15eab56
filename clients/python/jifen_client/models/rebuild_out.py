from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RebuildOut")


@_attrs_define
class RebuildOut:
    """What a rebuild did.

    Attributes:
        leaderboard (str):
        period (str):
        ranked (int):
        rankings (str): `memory` (this node's ranking) or `redis` (the shared one).
        seconds (float):
    """

    leaderboard: str
    period: str
    ranked: int
    rankings: str
    seconds: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        leaderboard = self.leaderboard

        period = self.period

        ranked = self.ranked

        rankings = self.rankings

        seconds = self.seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "leaderboard": leaderboard,
                "period": period,
                "ranked": ranked,
                "rankings": rankings,
                "seconds": seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        leaderboard = d.pop("leaderboard")

        period = d.pop("period")

        ranked = d.pop("ranked")

        rankings = d.pop("rankings")

        seconds = d.pop("seconds")

        rebuild_out = cls(
            leaderboard=leaderboard,
            period=period,
            ranked=ranked,
            rankings=rankings,
            seconds=seconds,
        )

        rebuild_out.additional_properties = d
        return rebuild_out

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
