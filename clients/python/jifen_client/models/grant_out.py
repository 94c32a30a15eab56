from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GrantOut")


@_attrs_define
class GrantOut:
    """A benefit given.

    Attributes:
        benefit (str):
        granted_at (datetime.datetime):
        period (str): What made it once: `upgrade:<instant>`, `2026-11`, `birthday:2026`.
        tier (str):
        points (int | None | Unset):
        voucher (None | str | Unset):
    """

    benefit: str
    granted_at: datetime.datetime
    period: str
    tier: str
    points: int | None | Unset = UNSET
    voucher: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        benefit = self.benefit

        granted_at = self.granted_at.isoformat()

        period = self.period

        tier = self.tier

        points: int | None | Unset
        if isinstance(self.points, Unset):
            points = UNSET
        else:
            points = self.points

        voucher: None | str | Unset
        if isinstance(self.voucher, Unset):
            voucher = UNSET
        else:
            voucher = self.voucher

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "benefit": benefit,
                "granted_at": granted_at,
                "period": period,
                "tier": tier,
            }
        )
        if points is not UNSET:
            field_dict["points"] = points
        if voucher is not UNSET:
            field_dict["voucher"] = voucher

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        benefit = d.pop("benefit")

        granted_at = datetime.datetime.fromisoformat(d.pop("granted_at"))

        period = d.pop("period")

        tier = d.pop("tier")

        def _parse_points(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        points = _parse_points(d.pop("points", UNSET))

        def _parse_voucher(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voucher = _parse_voucher(d.pop("voucher", UNSET))

        grant_out = cls(
            benefit=benefit,
            granted_at=granted_at,
            period=period,
            tier=tier,
            points=points,
            voucher=voucher,
        )

        grant_out.additional_properties = d
        return grant_out

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
