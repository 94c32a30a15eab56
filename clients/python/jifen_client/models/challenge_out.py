from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.challenge_out_goal import ChallengeOutGoal
    from ..models.challenge_out_period import ChallengeOutPeriod
    from ..models.challenge_out_reward_type_0 import ChallengeOutRewardType0
    from ..models.challenge_out_steps_item import ChallengeOutStepsItem


T = TypeVar("T", bound="ChallengeOut")


@_attrs_define
class ChallengeOut:
    """A challenge definition.

    Attributes:
        created_at (datetime.datetime):
        current_period (str): The period now (`2027-03`, `2027-W09`, `window`).
        enrollment (str): `auto` (every member) or `opt_in` (members who join).
        goal (ChallengeOutGoal): `{"measure": "count" | "distinct" | "sum", "types", "distinct", "target"}`.
        id (str):
        name (str):
        period (ChallengeOutPeriod): `{"kind": "week"}`, `{"kind": "month"}` or `{"kind": "window", "starts_at",
            "ends_at"}`.
        revoke_on_refund (bool):
        status (str): `active` (counts events) or `archived` (counts no more; what members reached stays).
        steps (list[ChallengeOutStepsItem]): Intermediate targets with their rewards.
        updated_at (datetime.datetime):
        closes_at (datetime.datetime | None | Unset): When its results are final: late events and refunds count until
            then.
        description (str | Unset):
        ends_at (datetime.datetime | None | Unset): When the current period ends, in the program's time zone.
        reward (ChallengeOutRewardType0 | None | Unset): `{"points", "voucher", "badge", "badge_level", "tag"}`.
    """

    created_at: datetime.datetime
    current_period: str
    enrollment: str
    goal: ChallengeOutGoal
    id: str
    name: str
    period: ChallengeOutPeriod
    revoke_on_refund: bool
    status: str
    steps: list[ChallengeOutStepsItem]
    updated_at: datetime.datetime
    closes_at: datetime.datetime | None | Unset = UNSET
    description: str | Unset = UNSET
    ends_at: datetime.datetime | None | Unset = UNSET
    reward: ChallengeOutRewardType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.challenge_out_reward_type_0 import ChallengeOutRewardType0  # noqa: PLC0415

        created_at = self.created_at.isoformat()

        current_period = self.current_period

        enrollment = self.enrollment

        goal = self.goal.to_dict()

        id = self.id

        name = self.name

        period = self.period.to_dict()

        revoke_on_refund = self.revoke_on_refund

        status = self.status

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        updated_at = self.updated_at.isoformat()

        closes_at: None | str | Unset
        if isinstance(self.closes_at, Unset):
            closes_at = UNSET
        elif isinstance(self.closes_at, datetime.datetime):
            closes_at = self.closes_at.isoformat()
        else:
            closes_at = self.closes_at

        description = self.description

        ends_at: None | str | Unset
        if isinstance(self.ends_at, Unset):
            ends_at = UNSET
        elif isinstance(self.ends_at, datetime.datetime):
            ends_at = self.ends_at.isoformat()
        else:
            ends_at = self.ends_at

        reward: dict[str, Any] | None | Unset
        if isinstance(self.reward, Unset):
            reward = UNSET
        elif isinstance(self.reward, ChallengeOutRewardType0):
            reward = self.reward.to_dict()
        else:
            reward = self.reward

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "current_period": current_period,
                "enrollment": enrollment,
                "goal": goal,
                "id": id,
                "name": name,
                "period": period,
                "revoke_on_refund": revoke_on_refund,
                "status": status,
                "steps": steps,
                "updated_at": updated_at,
            }
        )
        if closes_at is not UNSET:
            field_dict["closes_at"] = closes_at
        if description is not UNSET:
            field_dict["description"] = description
        if ends_at is not UNSET:
            field_dict["ends_at"] = ends_at
        if reward is not UNSET:
            field_dict["reward"] = reward

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.challenge_out_goal import ChallengeOutGoal  # noqa: PLC0415
        from ..models.challenge_out_period import ChallengeOutPeriod  # noqa: PLC0415
        from ..models.challenge_out_reward_type_0 import ChallengeOutRewardType0  # noqa: PLC0415
        from ..models.challenge_out_steps_item import ChallengeOutStepsItem  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        current_period = d.pop("current_period")

        enrollment = d.pop("enrollment")

        goal = ChallengeOutGoal.from_dict(d.pop("goal"))

        id = d.pop("id")

        name = d.pop("name")

        period = ChallengeOutPeriod.from_dict(d.pop("period"))

        revoke_on_refund = d.pop("revoke_on_refund")

        status = d.pop("status")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = ChallengeOutStepsItem.from_dict(steps_item_data)

            steps.append(steps_item)

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_closes_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closes_at_type_0 = datetime.datetime.fromisoformat(data)

                return closes_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        closes_at = _parse_closes_at(d.pop("closes_at", UNSET))

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

        def _parse_reward(data: object) -> ChallengeOutRewardType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reward_type_0 = ChallengeOutRewardType0.from_dict(data)

                return reward_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChallengeOutRewardType0 | None | Unset, data)

        reward = _parse_reward(d.pop("reward", UNSET))

        challenge_out = cls(
            created_at=created_at,
            current_period=current_period,
            enrollment=enrollment,
            goal=goal,
            id=id,
            name=name,
            period=period,
            revoke_on_refund=revoke_on_refund,
            status=status,
            steps=steps,
            updated_at=updated_at,
            closes_at=closes_at,
            description=description,
            ends_at=ends_at,
            reward=reward,
        )

        challenge_out.additional_properties = d
        return challenge_out

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
