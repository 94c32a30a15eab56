from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.badge_level_out_reward_type_0 import BadgeLevelOutRewardType0


T = TypeVar("T", bound="BadgeLevelOut")


@_attrs_define
class BadgeLevelOut:
    """One level of a badge, with how many members hold it.

    Attributes:
        level (int): 1 for the first level.
        members (int): Members who earned this level.
        name (str):
        condition (None | str | Unset):
        progress (None | str | Unset):
        reward (BadgeLevelOutRewardType0 | None | Unset): `{"points": …, "voucher": "<template>"}`.
        target (int | None | Unset):
    """

    level: int
    members: int
    name: str
    condition: None | str | Unset = UNSET
    progress: None | str | Unset = UNSET
    reward: BadgeLevelOutRewardType0 | None | Unset = UNSET
    target: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.badge_level_out_reward_type_0 import BadgeLevelOutRewardType0  # noqa: PLC0415

        level = self.level

        members = self.members

        name = self.name

        condition: None | str | Unset
        if isinstance(self.condition, Unset):
            condition = UNSET
        else:
            condition = self.condition

        progress: None | str | Unset
        if isinstance(self.progress, Unset):
            progress = UNSET
        else:
            progress = self.progress

        reward: dict[str, Any] | None | Unset
        if isinstance(self.reward, Unset):
            reward = UNSET
        elif isinstance(self.reward, BadgeLevelOutRewardType0):
            reward = self.reward.to_dict()
        else:
            reward = self.reward

        target: int | None | Unset
        if isinstance(self.target, Unset):
            target = UNSET
        else:
            target = self.target

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "level": level,
                "members": members,
                "name": name,
            }
        )
        if condition is not UNSET:
            field_dict["condition"] = condition
        if progress is not UNSET:
            field_dict["progress"] = progress
        if reward is not UNSET:
            field_dict["reward"] = reward
        if target is not UNSET:
            field_dict["target"] = target

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.badge_level_out_reward_type_0 import BadgeLevelOutRewardType0  # noqa: PLC0415

        d = dict(src_dict)
        level = d.pop("level")

        members = d.pop("members")

        name = d.pop("name")

        def _parse_condition(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        condition = _parse_condition(d.pop("condition", UNSET))

        def _parse_progress(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        progress = _parse_progress(d.pop("progress", UNSET))

        def _parse_reward(data: object) -> BadgeLevelOutRewardType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reward_type_0 = BadgeLevelOutRewardType0.from_dict(data)

                return reward_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BadgeLevelOutRewardType0 | None | Unset, data)

        reward = _parse_reward(d.pop("reward", UNSET))

        def _parse_target(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        target = _parse_target(d.pop("target", UNSET))

        badge_level_out = cls(
            level=level,
            members=members,
            name=name,
            condition=condition,
            progress=progress,
            reward=reward,
            target=target,
        )

        badge_level_out.additional_properties = d
        return badge_level_out

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
