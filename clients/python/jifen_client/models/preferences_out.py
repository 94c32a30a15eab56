from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preference_out import PreferenceOut


T = TypeVar("T", bound="PreferencesOut")


@_attrs_define
class PreferencesOut:
    """A member's notification preferences: every kind on every channel.

    Attributes:
        member (str):
        preferences (list[PreferenceOut]):
    """

    member: str
    preferences: list[PreferenceOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        member = self.member

        preferences = []
        for preferences_item_data in self.preferences:
            preferences_item = preferences_item_data.to_dict()
            preferences.append(preferences_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "member": member,
                "preferences": preferences,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preference_out import PreferenceOut  # noqa: PLC0415

        d = dict(src_dict)
        member = d.pop("member")

        preferences = []
        _preferences = d.pop("preferences")
        for preferences_item_data in _preferences:
            preferences_item = PreferenceOut.from_dict(preferences_item_data)

            preferences.append(preferences_item)

        preferences_out = cls(
            member=member,
            preferences=preferences,
        )

        preferences_out.additional_properties = d
        return preferences_out

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
