from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PlaceOut")


@_attrs_define
class PlaceOut:
    """A ranked member.

    Attributes:
        member (str):
        rank (int): 1 is the top.
        reached_at (datetime.datetime): When the member reached the score (ties go to whoever reached it first).
        score (int):
    """

    member: str
    rank: int
    reached_at: datetime.datetime
    score: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        member = self.member

        rank = self.rank

        reached_at = self.reached_at.isoformat()

        score = self.score

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "member": member,
                "rank": rank,
                "reached_at": reached_at,
                "score": score,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        member = d.pop("member")

        rank = d.pop("rank")

        reached_at = datetime.datetime.fromisoformat(d.pop("reached_at"))

        score = d.pop("score")

        place_out = cls(
            member=member,
            rank=rank,
            reached_at=reached_at,
            score=score,
        )

        place_out.additional_properties = d
        return place_out

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
