from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PortalSettings")


@_attrs_define
class PortalSettings:
    """The member portal's settings of a program.

    Attributes:
        brand_name (str): The name the portal shows; the program's name when empty. Example: 百雀羚.
        colour (str): The main colour, `#RRGGBB`. Example: #C8102E.
        guests_may_enrol (bool): Whether a friend without membership may enrol from the portal (claiming a gift).
        logo_url (None | str | Unset): The logo's address (`https://…` or a `/media/…` path of this server).
    """

    brand_name: str
    colour: str
    guests_may_enrol: bool
    logo_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        brand_name = self.brand_name

        colour = self.colour

        guests_may_enrol = self.guests_may_enrol

        logo_url: None | str | Unset
        if isinstance(self.logo_url, Unset):
            logo_url = UNSET
        else:
            logo_url = self.logo_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "brand_name": brand_name,
                "colour": colour,
                "guests_may_enrol": guests_may_enrol,
            }
        )
        if logo_url is not UNSET:
            field_dict["logo_url"] = logo_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        brand_name = d.pop("brand_name")

        colour = d.pop("colour")

        guests_may_enrol = d.pop("guests_may_enrol")

        def _parse_logo_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        logo_url = _parse_logo_url(d.pop("logo_url", UNSET))

        portal_settings = cls(
            brand_name=brand_name,
            colour=colour,
            guests_may_enrol=guests_may_enrol,
            logo_url=logo_url,
        )

        portal_settings.additional_properties = d
        return portal_settings

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
