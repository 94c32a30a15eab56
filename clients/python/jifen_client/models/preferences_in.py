from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.choice_in import ChoiceIn


T = TypeVar("T", bound="PreferencesIn")


@_attrs_define
class PreferencesIn:
    """Choices to apply; the pairs left out keep their value.

    Attributes:
        preferences (list[ChoiceIn]): 1 to 18 choices, one per (kind, channel) at most.
        source (None | str | Unset): Where the member made the choice: `api` (default), `portal`, `console`.
    """

    preferences: list[ChoiceIn]
    source: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        preferences = []
        for preferences_item_data in self.preferences:
            preferences_item = preferences_item_data.to_dict()
            preferences.append(preferences_item)

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        else:
            source = self.source

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "preferences": preferences,
            }
        )
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.choice_in import ChoiceIn  # noqa: PLC0415

        d = dict(src_dict)
        preferences = []
        _preferences = d.pop("preferences")
        for preferences_item_data in _preferences:
            preferences_item = ChoiceIn.from_dict(preferences_item_data)

            preferences.append(preferences_item)

        def _parse_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        preferences_in = cls(
            preferences=preferences,
            source=source,
        )

        return preferences_in
