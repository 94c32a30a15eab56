from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PartnerOut")


@_attrs_define
class PartnerOut:
    """A partner.

    Attributes:
        created_at (datetime.datetime):
        id (str):
        identity_kind (str): The identity kind members link to be known to the partner.
        name (str):
        site (str): The site its events come from: `partner:<id>`.
    """

    created_at: datetime.datetime
    id: str
    identity_kind: str
    name: str
    site: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = self.id

        identity_kind = self.identity_kind

        name = self.name

        site = self.site

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "identity_kind": identity_kind,
                "name": name,
                "site": site,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        identity_kind = d.pop("identity_kind")

        name = d.pop("name")

        site = d.pop("site")

        partner_out = cls(
            created_at=created_at,
            id=id,
            identity_kind=identity_kind,
            name=name,
            site=site,
        )

        partner_out.additional_properties = d
        return partner_out

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
