from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PortalPatch")


@_attrs_define
class PortalPatch:
    """A change to the portal's settings; absent fields stay as they are, `logo_url: null` removes
    the logo.

        Attributes:
            brand_name (None | str | Unset):
            colour (None | str | Unset): `#RRGGBB`.
            guests_may_enrol (bool | None | Unset):
            logo_url (None | str | Unset):
    """

    brand_name: None | str | Unset = UNSET
    colour: None | str | Unset = UNSET
    guests_may_enrol: bool | None | Unset = UNSET
    logo_url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        brand_name: None | str | Unset
        if isinstance(self.brand_name, Unset):
            brand_name = UNSET
        else:
            brand_name = self.brand_name

        colour: None | str | Unset
        if isinstance(self.colour, Unset):
            colour = UNSET
        else:
            colour = self.colour

        guests_may_enrol: bool | None | Unset
        if isinstance(self.guests_may_enrol, Unset):
            guests_may_enrol = UNSET
        else:
            guests_may_enrol = self.guests_may_enrol

        logo_url: None | str | Unset
        if isinstance(self.logo_url, Unset):
            logo_url = UNSET
        else:
            logo_url = self.logo_url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if brand_name is not UNSET:
            field_dict["brand_name"] = brand_name
        if colour is not UNSET:
            field_dict["colour"] = colour
        if guests_may_enrol is not UNSET:
            field_dict["guests_may_enrol"] = guests_may_enrol
        if logo_url is not UNSET:
            field_dict["logo_url"] = logo_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_brand_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        brand_name = _parse_brand_name(d.pop("brand_name", UNSET))

        def _parse_colour(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        colour = _parse_colour(d.pop("colour", UNSET))

        def _parse_guests_may_enrol(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        guests_may_enrol = _parse_guests_may_enrol(d.pop("guests_may_enrol", UNSET))

        def _parse_logo_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        logo_url = _parse_logo_url(d.pop("logo_url", UNSET))

        portal_patch = cls(
            brand_name=brand_name,
            colour=colour,
            guests_may_enrol=guests_may_enrol,
            logo_url=logo_url,
        )

        return portal_patch
