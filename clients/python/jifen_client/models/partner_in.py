from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PartnerIn")


@_attrs_define
class PartnerIn:
    """
    Attributes:
        name (str):
        identity_kind (None | str | Unset): The identity kind members link (default `<id>_member`, e.g. `hotel_member`).
            Fixed once
            the partner exists.
    """

    name: str
    identity_kind: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        identity_kind: None | str | Unset
        if isinstance(self.identity_kind, Unset):
            identity_kind = UNSET
        else:
            identity_kind = self.identity_kind

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if identity_kind is not UNSET:
            field_dict["identity_kind"] = identity_kind

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_identity_kind(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        identity_kind = _parse_identity_kind(d.pop("identity_kind", UNSET))

        partner_in = cls(
            name=name,
            identity_kind=identity_kind,
        )

        return partner_in
