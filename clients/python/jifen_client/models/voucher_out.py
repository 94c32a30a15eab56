from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.voucher_state import VoucherState
from ..types import UNSET, Unset

T = TypeVar("T", bound="VoucherOut")


@_attrs_define
class VoucherOut:
    """A voucher.

    Attributes:
        code (str):
        gives (str): What it gives ("¥20 off, spend ≥ ¥99").
        issued_at (datetime.datetime):
        max_uses (int):
        source (str): What issued it.
        state (VoucherState): Where a voucher stands for a member at an instant.
        template (str):
        title (str):
        uses (int):
        owner (None | str | Unset): The owner's external id; absent for a public code.
        valid_from (datetime.datetime | None | Unset):
        valid_until (datetime.datetime | None | Unset):
    """

    code: str
    gives: str
    issued_at: datetime.datetime
    max_uses: int
    source: str
    state: VoucherState
    template: str
    title: str
    uses: int
    owner: None | str | Unset = UNSET
    valid_from: datetime.datetime | None | Unset = UNSET
    valid_until: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        gives = self.gives

        issued_at = self.issued_at.isoformat()

        max_uses = self.max_uses

        source = self.source

        state = self.state.value

        template = self.template

        title = self.title

        uses = self.uses

        owner: None | str | Unset
        if isinstance(self.owner, Unset):
            owner = UNSET
        else:
            owner = self.owner

        valid_from: None | str | Unset
        if isinstance(self.valid_from, Unset):
            valid_from = UNSET
        elif isinstance(self.valid_from, datetime.datetime):
            valid_from = self.valid_from.isoformat()
        else:
            valid_from = self.valid_from

        valid_until: None | str | Unset
        if isinstance(self.valid_until, Unset):
            valid_until = UNSET
        elif isinstance(self.valid_until, datetime.datetime):
            valid_until = self.valid_until.isoformat()
        else:
            valid_until = self.valid_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "gives": gives,
                "issued_at": issued_at,
                "max_uses": max_uses,
                "source": source,
                "state": state,
                "template": template,
                "title": title,
                "uses": uses,
            }
        )
        if owner is not UNSET:
            field_dict["owner"] = owner
        if valid_from is not UNSET:
            field_dict["valid_from"] = valid_from
        if valid_until is not UNSET:
            field_dict["valid_until"] = valid_until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        gives = d.pop("gives")

        issued_at = datetime.datetime.fromisoformat(d.pop("issued_at"))

        max_uses = d.pop("max_uses")

        source = d.pop("source")

        state = VoucherState(d.pop("state"))

        template = d.pop("template")

        title = d.pop("title")

        uses = d.pop("uses")

        def _parse_owner(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        owner = _parse_owner(d.pop("owner", UNSET))

        def _parse_valid_from(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                valid_from_type_0 = datetime.datetime.fromisoformat(data)

                return valid_from_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        valid_from = _parse_valid_from(d.pop("valid_from", UNSET))

        def _parse_valid_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                valid_until_type_0 = datetime.datetime.fromisoformat(data)

                return valid_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        valid_until = _parse_valid_until(d.pop("valid_until", UNSET))

        voucher_out = cls(
            code=code,
            gives=gives,
            issued_at=issued_at,
            max_uses=max_uses,
            source=source,
            state=state,
            template=template,
            title=title,
            uses=uses,
            owner=owner,
            valid_from=valid_from,
            valid_until=valid_until,
        )

        voucher_out.additional_properties = d
        return voucher_out

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
