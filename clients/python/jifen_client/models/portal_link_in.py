from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PortalLinkIn")


@_attrs_define
class PortalLinkIn:
    """What a link is minted with; every field is optional (and so is the body).

    Attributes:
        lang (None | str | Unset): The portal's language: `zh-CN` (the default) or `en`. Example: zh-CN.
        phone (None | str | Unset): A phone number the brand has verified (an SMS code, WeChat's phone number button):
            the
            profile page offers it to the member, and binds it to them when they confirm. Numbers
            without a country code are taken as Chinese (+86). Example: 13800000001.
        ttl_seconds (int | None | Unset): Seconds the link may be opened in: 60 to 900, 300 by default. Example: 300.
    """

    lang: None | str | Unset = UNSET
    phone: None | str | Unset = UNSET
    ttl_seconds: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        lang: None | str | Unset
        if isinstance(self.lang, Unset):
            lang = UNSET
        else:
            lang = self.lang

        phone: None | str | Unset
        if isinstance(self.phone, Unset):
            phone = UNSET
        else:
            phone = self.phone

        ttl_seconds: int | None | Unset
        if isinstance(self.ttl_seconds, Unset):
            ttl_seconds = UNSET
        else:
            ttl_seconds = self.ttl_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if lang is not UNSET:
            field_dict["lang"] = lang
        if phone is not UNSET:
            field_dict["phone"] = phone
        if ttl_seconds is not UNSET:
            field_dict["ttl_seconds"] = ttl_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_lang(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lang = _parse_lang(d.pop("lang", UNSET))

        def _parse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone = _parse_phone(d.pop("phone", UNSET))

        def _parse_ttl_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ttl_seconds = _parse_ttl_seconds(d.pop("ttl_seconds", UNSET))

        portal_link_in = cls(
            lang=lang,
            phone=phone,
            ttl_seconds=ttl_seconds,
        )

        return portal_link_in
