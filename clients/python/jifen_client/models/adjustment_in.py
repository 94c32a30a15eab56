from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="AdjustmentIn")


@_attrs_define
class AdjustmentIn:
    """An operator's correction.

    Attributes:
        id (str): Chosen by the client; the idempotency key.
        points (int): Positive adds a lot (available now); negative takes points (and may create debt).
        reason (str): Why, for the member's history.
    """

    id: str
    points: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        points = self.points

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "points": points,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        points = d.pop("points")

        reason = d.pop("reason")

        adjustment_in = cls(
            id=id,
            points=points,
            reason=reason,
        )

        return adjustment_in
