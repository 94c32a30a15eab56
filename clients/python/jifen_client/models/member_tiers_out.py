from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.standing_out import StandingOut
    from ..models.tier_change_out import TierChangeOut


T = TypeVar("T", bound="MemberTiersOut")


@_attrs_define
class MemberTiersOut:
    """A member's tier now and its history, newest first.

    Attributes:
        history (list[TierChangeOut]):
        standing (StandingOut): A member's tier now.
        next_ (None | str | Unset):
    """

    history: list[TierChangeOut]
    standing: StandingOut
    next_: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)

        standing = self.standing.to_dict()

        next_: None | str | Unset
        if isinstance(self.next_, Unset):
            next_ = UNSET
        else:
            next_ = self.next_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "history": history,
                "standing": standing,
            }
        )
        if next_ is not UNSET:
            field_dict["next"] = next_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.standing_out import StandingOut  # noqa: PLC0415
        from ..models.tier_change_out import TierChangeOut  # noqa: PLC0415

        d = dict(src_dict)
        history = []
        _history = d.pop("history")
        for history_item_data in _history:
            history_item = TierChangeOut.from_dict(history_item_data)

            history.append(history_item)

        standing = StandingOut.from_dict(d.pop("standing"))

        def _parse_next_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_ = _parse_next_(d.pop("next", UNSET))

        member_tiers_out = cls(
            history=history,
            standing=standing,
            next_=next_,
        )

        member_tiers_out.additional_properties = d
        return member_tiers_out

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
