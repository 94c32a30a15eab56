from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.place_out import PlaceOut
    from ..models.target_out import TargetOut


T = TypeVar("T", bound="MemberPlaceOut")


@_attrs_define
class MemberPlaceOut:
    """A member's place on a board.

    Attributes:
        above (list[PlaceOut]): The members just above, nearest last.
        below (list[PlaceOut]): The members just below, nearest first.
        final (bool):
        leaderboard (str):
        member (str):
        period (str):
        ranked (int): How many members the period ranks.
        score (int):
        rank (int | None | Unset): Absent when the member is not ranked (nothing counted yet).
        reached_at (datetime.datetime | None | Unset):
        target (None | TargetOut | Unset):
    """

    above: list[PlaceOut]
    below: list[PlaceOut]
    final: bool
    leaderboard: str
    member: str
    period: str
    ranked: int
    score: int
    rank: int | None | Unset = UNSET
    reached_at: datetime.datetime | None | Unset = UNSET
    target: None | TargetOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.target_out import TargetOut  # noqa: PLC0415

        above = []
        for above_item_data in self.above:
            above_item = above_item_data.to_dict()
            above.append(above_item)

        below = []
        for below_item_data in self.below:
            below_item = below_item_data.to_dict()
            below.append(below_item)

        final = self.final

        leaderboard = self.leaderboard

        member = self.member

        period = self.period

        ranked = self.ranked

        score = self.score

        rank: int | None | Unset
        if isinstance(self.rank, Unset):
            rank = UNSET
        else:
            rank = self.rank

        reached_at: None | str | Unset
        if isinstance(self.reached_at, Unset):
            reached_at = UNSET
        elif isinstance(self.reached_at, datetime.datetime):
            reached_at = self.reached_at.isoformat()
        else:
            reached_at = self.reached_at

        target: dict[str, Any] | None | Unset
        if isinstance(self.target, Unset):
            target = UNSET
        elif isinstance(self.target, TargetOut):
            target = self.target.to_dict()
        else:
            target = self.target

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "above": above,
                "below": below,
                "final": final,
                "leaderboard": leaderboard,
                "member": member,
                "period": period,
                "ranked": ranked,
                "score": score,
            }
        )
        if rank is not UNSET:
            field_dict["rank"] = rank
        if reached_at is not UNSET:
            field_dict["reached_at"] = reached_at
        if target is not UNSET:
            field_dict["target"] = target

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.place_out import PlaceOut  # noqa: PLC0415
        from ..models.target_out import TargetOut  # noqa: PLC0415

        d = dict(src_dict)
        above = []
        _above = d.pop("above")
        for above_item_data in _above:
            above_item = PlaceOut.from_dict(above_item_data)

            above.append(above_item)

        below = []
        _below = d.pop("below")
        for below_item_data in _below:
            below_item = PlaceOut.from_dict(below_item_data)

            below.append(below_item)

        final = d.pop("final")

        leaderboard = d.pop("leaderboard")

        member = d.pop("member")

        period = d.pop("period")

        ranked = d.pop("ranked")

        score = d.pop("score")

        def _parse_rank(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rank = _parse_rank(d.pop("rank", UNSET))

        def _parse_reached_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                reached_at_type_0 = datetime.datetime.fromisoformat(data)

                return reached_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        reached_at = _parse_reached_at(d.pop("reached_at", UNSET))

        def _parse_target(data: object) -> None | TargetOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                target_type_1 = TargetOut.from_dict(data)

                return target_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TargetOut | Unset, data)

        target = _parse_target(d.pop("target", UNSET))

        member_place_out = cls(
            above=above,
            below=below,
            final=final,
            leaderboard=leaderboard,
            member=member,
            period=period,
            ranked=ranked,
            score=score,
            rank=rank,
            reached_at=reached_at,
            target=target,
        )

        member_place_out.additional_properties = d
        return member_place_out

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
