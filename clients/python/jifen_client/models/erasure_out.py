from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ErasureOut")


@_attrs_define
class ErasureOut:
    """The answer to an erasure, the same every time it is asked.

    Attributes:
        erased_at (datetime.datetime):
        external_id (str): The external id the member had.
        pseudonym (str): What the member's ledger is kept under; no request can address it.
        status (str): Always `erased`.
    """

    erased_at: datetime.datetime
    external_id: str
    pseudonym: str
    status: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        erased_at = self.erased_at.isoformat()

        external_id = self.external_id

        pseudonym = self.pseudonym

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "erased_at": erased_at,
                "external_id": external_id,
                "pseudonym": pseudonym,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        erased_at = datetime.datetime.fromisoformat(d.pop("erased_at"))

        external_id = d.pop("external_id")

        pseudonym = d.pop("pseudonym")

        status = d.pop("status")

        erasure_out = cls(
            erased_at=erased_at,
            external_id=external_id,
            pseudonym=pseudonym,
            status=status,
        )

        erasure_out.additional_properties = d
        return erasure_out

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
