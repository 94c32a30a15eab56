from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.badge_progress_out import BadgeProgressOut
    from ..models.earned_badge_out import EarnedBadgeOut


T = TypeVar("T", bound="MemberBadgesOut")


@_attrs_define
class MemberBadgesOut:
    """A member's badges.

    Attributes:
        earned (list[EarnedBadgeOut]): Levels earned, oldest first.
        progress (list[BadgeProgressOut]): For each active badge with a next level that has a progress: how far the
            member is.
    """

    earned: list[EarnedBadgeOut]
    progress: list[BadgeProgressOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        earned = []
        for earned_item_data in self.earned:
            earned_item = earned_item_data.to_dict()
            earned.append(earned_item)

        progress = []
        for progress_item_data in self.progress:
            progress_item = progress_item_data.to_dict()
            progress.append(progress_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "earned": earned,
                "progress": progress,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.badge_progress_out import BadgeProgressOut  # noqa: PLC0415
        from ..models.earned_badge_out import EarnedBadgeOut  # noqa: PLC0415

        d = dict(src_dict)
        earned = []
        _earned = d.pop("earned")
        for earned_item_data in _earned:
            earned_item = EarnedBadgeOut.from_dict(earned_item_data)

            earned.append(earned_item)

        progress = []
        _progress = d.pop("progress")
        for progress_item_data in _progress:
            progress_item = BadgeProgressOut.from_dict(progress_item_data)

            progress.append(progress_item)

        member_badges_out = cls(
            earned=earned,
            progress=progress,
        )

        member_badges_out.additional_properties = d
        return member_badges_out

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
