from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="PerkCodesIn")


@_attrs_define
class PerkCodesIn:
    """Perk codes to add.

    Attributes:
        codes (list[str]):
    """

    codes: list[str]

    def to_dict(self) -> dict[str, Any]:
        codes = self.codes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "codes": codes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        codes = cast(list[str], d.pop("codes"))

        perk_codes_in = cls(
            codes=codes,
        )

        return perk_codes_in
