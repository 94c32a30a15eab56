from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UsageStats")


@_attrs_define
class UsageStats:
    """What a rule or a campaign has done so far.

    Attributes:
        members_reached (int):
        points_awarded (int):
        times_fired (int):
        budget_left (int | None | Unset): Points left of the budget, when there is one.
    """

    members_reached: int
    points_awarded: int
    times_fired: int
    budget_left: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        members_reached = self.members_reached

        points_awarded = self.points_awarded

        times_fired = self.times_fired

        budget_left: int | None | Unset
        if isinstance(self.budget_left, Unset):
            budget_left = UNSET
        else:
            budget_left = self.budget_left

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "members_reached": members_reached,
                "points_awarded": points_awarded,
                "times_fired": times_fired,
            }
        )
        if budget_left is not UNSET:
            field_dict["budget_left"] = budget_left

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        members_reached = d.pop("members_reached")

        points_awarded = d.pop("points_awarded")

        times_fired = d.pop("times_fired")

        def _parse_budget_left(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        budget_left = _parse_budget_left(d.pop("budget_left", UNSET))

        usage_stats = cls(
            members_reached=members_reached,
            points_awarded=points_awarded,
            times_fired=times_fired,
            budget_left=budget_left,
        )

        usage_stats.additional_properties = d
        return usage_stats

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
