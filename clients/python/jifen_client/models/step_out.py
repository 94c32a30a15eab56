from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.step_out_reward import StepOutReward


T = TypeVar("T", bound="StepOut")


@_attrs_define
class StepOut:
    """A step of a challenge, and whether the member reached it.

    Attributes:
        reached (bool):
        reward (StepOutReward):
        step (int): 1 for the first step.
        target (int):
        name (str | Unset):
    """

    reached: bool
    reward: StepOutReward
    step: int
    target: int
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reached = self.reached

        reward = self.reward.to_dict()

        step = self.step

        target = self.target

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reached": reached,
                "reward": reward,
                "step": step,
                "target": target,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.step_out_reward import StepOutReward  # noqa: PLC0415

        d = dict(src_dict)
        reached = d.pop("reached")

        reward = StepOutReward.from_dict(d.pop("reward"))

        step = d.pop("step")

        target = d.pop("target")

        name = d.pop("name", UNSET)

        step_out = cls(
            reached=reached,
            reward=reward,
            step=step,
            target=target,
            name=name,
        )

        step_out.additional_properties = d
        return step_out

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
