from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PreviewOut")


@_attrs_define
class PreviewOut:
    """How many members a condition admits now, judged by their stored features.

    Attributes:
        failed (int): Members for whom the condition could not be evaluated (they are left out), with the
            first reason.
        judged (int): Members judged (the program's members, erased ones aside).
        members (int): Members the condition admits.
        sample (list[str]): Some admitted members' external ids.
        first_failure (None | str | Unset):
    """

    failed: int
    judged: int
    members: int
    sample: list[str]
    first_failure: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed

        judged = self.judged

        members = self.members

        sample = self.sample

        first_failure: None | str | Unset
        if isinstance(self.first_failure, Unset):
            first_failure = UNSET
        else:
            first_failure = self.first_failure

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "failed": failed,
                "judged": judged,
                "members": members,
                "sample": sample,
            }
        )
        if first_failure is not UNSET:
            field_dict["first_failure"] = first_failure

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        failed = d.pop("failed")

        judged = d.pop("judged")

        members = d.pop("members")

        sample = cast(list[str], d.pop("sample"))

        def _parse_first_failure(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        first_failure = _parse_first_failure(d.pop("first_failure", UNSET))

        preview_out = cls(
            failed=failed,
            judged=judged,
            members=members,
            sample=sample,
            first_failure=first_failure,
        )

        preview_out.additional_properties = d
        return preview_out

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
