from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.reward_out_reward import RewardOutReward


T = TypeVar("T", bound="RewardOut")


@_attrs_define
class RewardOut:
    """A catalog item.

    Attributes:
        codes_left (int): Partner perk codes not given yet.
        created_at (datetime.datetime):
        id (str):
        reward (RewardOutReward):
        taken (int): Units redeemed and not returned.
        updated_at (datetime.datetime):
        image_url (None | str | Unset): The address of the uploaded image (`PUT /v1/rewards/{id}/image`), relative to
            the
            server: `/media/{program}/{sha256}.png`. It changes when the image does, and each one
            may be cached for good.
        left (int | None | Unset): Units left (absent: unlimited).
    """

    codes_left: int
    created_at: datetime.datetime
    id: str
    reward: RewardOutReward
    taken: int
    updated_at: datetime.datetime
    image_url: None | str | Unset = UNSET
    left: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        codes_left = self.codes_left

        created_at = self.created_at.isoformat()

        id = self.id

        reward = self.reward.to_dict()

        taken = self.taken

        updated_at = self.updated_at.isoformat()

        image_url: None | str | Unset
        if isinstance(self.image_url, Unset):
            image_url = UNSET
        else:
            image_url = self.image_url

        left: int | None | Unset
        if isinstance(self.left, Unset):
            left = UNSET
        else:
            left = self.left

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "codes_left": codes_left,
                "created_at": created_at,
                "id": id,
                "reward": reward,
                "taken": taken,
                "updated_at": updated_at,
            }
        )
        if image_url is not UNSET:
            field_dict["image_url"] = image_url
        if left is not UNSET:
            field_dict["left"] = left

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.reward_out_reward import RewardOutReward  # noqa: PLC0415

        d = dict(src_dict)
        codes_left = d.pop("codes_left")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        reward = RewardOutReward.from_dict(d.pop("reward"))

        taken = d.pop("taken")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_image_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image_url = _parse_image_url(d.pop("image_url", UNSET))

        def _parse_left(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        left = _parse_left(d.pop("left", UNSET))

        reward_out = cls(
            codes_left=codes_left,
            created_at=created_at,
            id=id,
            reward=reward,
            taken=taken,
            updated_at=updated_at,
            image_url=image_url,
            left=left,
        )

        reward_out.additional_properties = d
        return reward_out

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
