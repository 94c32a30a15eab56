from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CodesOut")


@_attrs_define
class CodesOut:
    """Codes made.

    Attributes:
        codes (list[str]):
        template (str):
        duplicates (list[str] | Unset): Codes of an import that existed already (not changed).
    """

    codes: list[str]
    template: str
    duplicates: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        codes = self.codes

        template = self.template

        duplicates: list[str] | Unset = UNSET
        if not isinstance(self.duplicates, Unset):
            duplicates = self.duplicates

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "codes": codes,
                "template": template,
            }
        )
        if duplicates is not UNSET:
            field_dict["duplicates"] = duplicates

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        codes = cast(list[str], d.pop("codes"))

        template = d.pop("template")

        duplicates = cast(list[str], d.pop("duplicates", UNSET))

        codes_out = cls(
            codes=codes,
            template=template,
            duplicates=duplicates,
        )

        codes_out.additional_properties = d
        return codes_out

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
