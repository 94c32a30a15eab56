from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.member_reward_out_availability import MemberRewardOutAvailability
    from ..models.member_reward_out_titles import MemberRewardOutTitles


T = TypeVar("T", bound="MemberRewardOut")


@_attrs_define
class MemberRewardOut:
    """One catalog item as a member sees it.

    Attributes:
        availability (MemberRewardOutAvailability): Cost, opening and locks for this member.
        id (str):
        images (list[str]):
        kind (str):
        title (str): The title in the language asked for.
        titles (MemberRewardOutTitles):
        description (str | Unset):
        left (int | None | Unset): Units left (absent: unlimited).
    """

    availability: MemberRewardOutAvailability
    id: str
    images: list[str]
    kind: str
    title: str
    titles: MemberRewardOutTitles
    description: str | Unset = UNSET
    left: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        availability = self.availability.to_dict()

        id = self.id

        images = self.images

        kind = self.kind

        title = self.title

        titles = self.titles.to_dict()

        description = self.description

        left: int | None | Unset
        if isinstance(self.left, Unset):
            left = UNSET
        else:
            left = self.left

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "availability": availability,
                "id": id,
                "images": images,
                "kind": kind,
                "title": title,
                "titles": titles,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if left is not UNSET:
            field_dict["left"] = left

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.member_reward_out_availability import MemberRewardOutAvailability  # noqa: PLC0415
        from ..models.member_reward_out_titles import MemberRewardOutTitles  # noqa: PLC0415

        d = dict(src_dict)
        availability = MemberRewardOutAvailability.from_dict(d.pop("availability"))

        id = d.pop("id")

        images = cast(list[str], d.pop("images"))

        kind = d.pop("kind")

        title = d.pop("title")

        titles = MemberRewardOutTitles.from_dict(d.pop("titles"))

        description = d.pop("description", UNSET)

        def _parse_left(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        left = _parse_left(d.pop("left", UNSET))

        member_reward_out = cls(
            availability=availability,
            id=id,
            images=images,
            kind=kind,
            title=title,
            titles=titles,
            description=description,
            left=left,
        )

        member_reward_out.additional_properties = d
        return member_reward_out

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
