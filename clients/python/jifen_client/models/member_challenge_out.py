from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.challenge_reward_out import ChallengeRewardOut
    from ..models.member_challenge_out_reward_type_0 import MemberChallengeOutRewardType0
    from ..models.step_out import StepOut


T = TypeVar("T", bound="MemberChallengeOut")


@_attrs_define
class MemberChallengeOut:
    """A member's standing in a challenge's current period.

    Attributes:
        challenge (str):
        enrollment (str):
        name (str):
        period (str):
        progress (int):
        rewards (list[ChallengeRewardOut]):
        status (str): `not_joined` (opt-in, not joined yet), `in_progress` or `completed`.
        steps (list[StepOut]):
        target (int):
        description (str | Unset):
        ends_at (datetime.datetime | None | Unset):
        joined_at (datetime.datetime | None | Unset):
        reward (MemberChallengeOutRewardType0 | None | Unset):
    """

    challenge: str
    enrollment: str
    name: str
    period: str
    progress: int
    rewards: list[ChallengeRewardOut]
    status: str
    steps: list[StepOut]
    target: int
    description: str | Unset = UNSET
    ends_at: datetime.datetime | None | Unset = UNSET
    joined_at: datetime.datetime | None | Unset = UNSET
    reward: MemberChallengeOutRewardType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.member_challenge_out_reward_type_0 import MemberChallengeOutRewardType0  # noqa: PLC0415

        challenge = self.challenge

        enrollment = self.enrollment

        name = self.name

        period = self.period

        progress = self.progress

        rewards = []
        for rewards_item_data in self.rewards:
            rewards_item = rewards_item_data.to_dict()
            rewards.append(rewards_item)

        status = self.status

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        target = self.target

        description = self.description

        ends_at: None | str | Unset
        if isinstance(self.ends_at, Unset):
            ends_at = UNSET
        elif isinstance(self.ends_at, datetime.datetime):
            ends_at = self.ends_at.isoformat()
        else:
            ends_at = self.ends_at

        joined_at: None | str | Unset
        if isinstance(self.joined_at, Unset):
            joined_at = UNSET
        elif isinstance(self.joined_at, datetime.datetime):
            joined_at = self.joined_at.isoformat()
        else:
            joined_at = self.joined_at

        reward: dict[str, Any] | None | Unset
        if isinstance(self.reward, Unset):
            reward = UNSET
        elif isinstance(self.reward, MemberChallengeOutRewardType0):
            reward = self.reward.to_dict()
        else:
            reward = self.reward

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "challenge": challenge,
                "enrollment": enrollment,
                "name": name,
                "period": period,
                "progress": progress,
                "rewards": rewards,
                "status": status,
                "steps": steps,
                "target": target,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if ends_at is not UNSET:
            field_dict["ends_at"] = ends_at
        if joined_at is not UNSET:
            field_dict["joined_at"] = joined_at
        if reward is not UNSET:
            field_dict["reward"] = reward

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.challenge_reward_out import ChallengeRewardOut  # noqa: PLC0415
        from ..models.member_challenge_out_reward_type_0 import MemberChallengeOutRewardType0  # noqa: PLC0415
        from ..models.step_out import StepOut  # noqa: PLC0415

        d = dict(src_dict)
        challenge = d.pop("challenge")

        enrollment = d.pop("enrollment")

        name = d.pop("name")

        period = d.pop("period")

        progress = d.pop("progress")

        rewards = []
        _rewards = d.pop("rewards")
        for rewards_item_data in _rewards:
            rewards_item = ChallengeRewardOut.from_dict(rewards_item_data)

            rewards.append(rewards_item)

        status = d.pop("status")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = StepOut.from_dict(steps_item_data)

            steps.append(steps_item)

        target = d.pop("target")

        description = d.pop("description", UNSET)

        def _parse_ends_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ends_at_type_0 = datetime.datetime.fromisoformat(data)

                return ends_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        ends_at = _parse_ends_at(d.pop("ends_at", UNSET))

        def _parse_joined_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                joined_at_type_0 = datetime.datetime.fromisoformat(data)

                return joined_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        joined_at = _parse_joined_at(d.pop("joined_at", UNSET))

        def _parse_reward(data: object) -> MemberChallengeOutRewardType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reward_type_0 = MemberChallengeOutRewardType0.from_dict(data)

                return reward_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MemberChallengeOutRewardType0 | None | Unset, data)

        reward = _parse_reward(d.pop("reward", UNSET))

        member_challenge_out = cls(
            challenge=challenge,
            enrollment=enrollment,
            name=name,
            period=period,
            progress=progress,
            rewards=rewards,
            status=status,
            steps=steps,
            target=target,
            description=description,
            ends_at=ends_at,
            joined_at=joined_at,
            reward=reward,
        )

        member_challenge_out.additional_properties = d
        return member_challenge_out

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
