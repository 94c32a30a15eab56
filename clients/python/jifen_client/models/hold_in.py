from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="HoldIn")


@_attrs_define
class HoldIn:
    """Points to reserve for a checkout.

    Attributes:
        expires_in_seconds (int): Seconds until the hold releases itself (1 to 2,592,000).
        id (str): Chosen by the client; the hold's id and idempotency key.
        points (int):
    """

    expires_in_seconds: int
    id: str
    points: int

    def to_dict(self) -> dict[str, Any]:
        expires_in_seconds = self.expires_in_seconds

        id = self.id

        points = self.points

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "expires_in_seconds": expires_in_seconds,
                "id": id,
                "points": points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_in_seconds = d.pop("expires_in_seconds")

        id = d.pop("id")

        points = d.pop("points")

        hold_in = cls(
            expires_in_seconds=expires_in_seconds,
            id=id,
            points=points,
        )

        return hold_in
