from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.part_out import PartOut
    from ..models.reason_out import ReasonOut


T = TypeVar("T", bound="OfferOut")


@_attrs_define
class OfferOut:
    """One personal offer.

    Attributes:
        detail (str): A reward's kind (`voucher`, `physical`, `partner_perk`, `points_as_cash`); a voucher's
            template.
        id (str): The reward's id, or the voucher's code.
        kind (str): `reward` (from the catalog, redeemed with points) or `voucher` (in the member's wallet).
        parts (list[PartOut]): Where the score came from, the largest part first.
        ready (bool): Whether the member can use it now.
        reason (str): The first of `reasons`: the one to show when there is room for one.
        reasons (list[ReasonOut]): Why it is offered, strongest first.
        score (float): The sum of the parts.
        title (str): The title in the language asked for.
        cost (int | None | Unset): Points one unit costs the member (rewards).
        expires_at (datetime.datetime | None | Unset): When a voucher stops being valid.
        short_by (int | None | Unset): Points the member lacks (rewards they cannot afford yet).
    """

    detail: str
    id: str
    kind: str
    parts: list[PartOut]
    ready: bool
    reason: str
    reasons: list[ReasonOut]
    score: float
    title: str
    cost: int | None | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    short_by: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detail = self.detail

        id = self.id

        kind = self.kind

        parts = []
        for parts_item_data in self.parts:
            parts_item = parts_item_data.to_dict()
            parts.append(parts_item)

        ready = self.ready

        reason = self.reason

        reasons = []
        for reasons_item_data in self.reasons:
            reasons_item = reasons_item_data.to_dict()
            reasons.append(reasons_item)

        score = self.score

        title = self.title

        cost: int | None | Unset
        if isinstance(self.cost, Unset):
            cost = UNSET
        else:
            cost = self.cost

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        short_by: int | None | Unset
        if isinstance(self.short_by, Unset):
            short_by = UNSET
        else:
            short_by = self.short_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detail": detail,
                "id": id,
                "kind": kind,
                "parts": parts,
                "ready": ready,
                "reason": reason,
                "reasons": reasons,
                "score": score,
                "title": title,
            }
        )
        if cost is not UNSET:
            field_dict["cost"] = cost
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if short_by is not UNSET:
            field_dict["short_by"] = short_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.part_out import PartOut  # noqa: PLC0415
        from ..models.reason_out import ReasonOut  # noqa: PLC0415

        d = dict(src_dict)
        detail = d.pop("detail")

        id = d.pop("id")

        kind = d.pop("kind")

        parts = []
        _parts = d.pop("parts")
        for parts_item_data in _parts:
            parts_item = PartOut.from_dict(parts_item_data)

            parts.append(parts_item)

        ready = d.pop("ready")

        reason = d.pop("reason")

        reasons = []
        _reasons = d.pop("reasons")
        for reasons_item_data in _reasons:
            reasons_item = ReasonOut.from_dict(reasons_item_data)

            reasons.append(reasons_item)

        score = d.pop("score")

        title = d.pop("title")

        def _parse_cost(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        cost = _parse_cost(d.pop("cost", UNSET))

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_short_by(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        short_by = _parse_short_by(d.pop("short_by", UNSET))

        offer_out = cls(
            detail=detail,
            id=id,
            kind=kind,
            parts=parts,
            ready=ready,
            reason=reason,
            reasons=reasons,
            score=score,
            title=title,
            cost=cost,
            expires_at=expires_at,
            short_by=short_by,
        )

        offer_out.additional_properties = d
        return offer_out

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
