from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProgressOut")


@_attrs_define
class ProgressOut:
    """How far a member is from the next tier.

    Attributes:
        basis (str): The figure tiers are decided on (a meter's name, `points earned`, `spend (fen)`).
        keep_threshold (int): What keeps the tier held at its next review.
        value (int):
        missing (int | None | Unset): What is left to reach the next tier.
        next_threshold (int | None | Unset):
        next_tier (None | str | Unset):
    """

    basis: str
    keep_threshold: int
    value: int
    missing: int | None | Unset = UNSET
    next_threshold: int | None | Unset = UNSET
    next_tier: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        basis = self.basis

        keep_threshold = self.keep_threshold

        value = self.value

        missing: int | None | Unset
        if isinstance(self.missing, Unset):
            missing = UNSET
        else:
            missing = self.missing

        next_threshold: int | None | Unset
        if isinstance(self.next_threshold, Unset):
            next_threshold = UNSET
        else:
            next_threshold = self.next_threshold

        next_tier: None | str | Unset
        if isinstance(self.next_tier, Unset):
            next_tier = UNSET
        else:
            next_tier = self.next_tier

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "basis": basis,
                "keep_threshold": keep_threshold,
                "value": value,
            }
        )
        if missing is not UNSET:
            field_dict["missing"] = missing
        if next_threshold is not UNSET:
            field_dict["next_threshold"] = next_threshold
        if next_tier is not UNSET:
            field_dict["next_tier"] = next_tier

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        basis = d.pop("basis")

        keep_threshold = d.pop("keep_threshold")

        value = d.pop("value")

        def _parse_missing(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        missing = _parse_missing(d.pop("missing", UNSET))

        def _parse_next_threshold(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        next_threshold = _parse_next_threshold(d.pop("next_threshold", UNSET))

        def _parse_next_tier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_tier = _parse_next_tier(d.pop("next_tier", UNSET))

        progress_out = cls(
            basis=basis,
            keep_threshold=keep_threshold,
            value=value,
            missing=missing,
            next_threshold=next_threshold,
            next_tier=next_tier,
        )

        progress_out.additional_properties = d
        return progress_out

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
