from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cause_out import CauseOut


T = TypeVar("T", bound="EntryOut")


@_attrs_define
class EntryOut:
    """A ledger entry.

    Attributes:
        cause (CauseOut): What caused an entry: the kind of request and its client-chosen id.
        effective_at (datetime.datetime): When the entry takes effect.
        kind (str): earn, clawback, redeem, adjust, hold, release, expire, write_off or repay.
        points (int): Signed as seen from the entry's lot: positive adds to it, negative takes from it.
            With no lot, negative means debt grew (clawback, adjust) or points were forgone (write_off).
        seq (int): Position in the member's ledger.
        hold (None | str | Unset):
        lot (int | None | Unset): The lot the points moved in or out of.
        order_id (None | str | Unset):
        reason (None | str | Unset):
        recorded_at (datetime.datetime | None | Unset): When it was written (absent in answers to the request that wrote
            it).
    """

    cause: CauseOut
    effective_at: datetime.datetime
    kind: str
    points: int
    seq: int
    hold: None | str | Unset = UNSET
    lot: int | None | Unset = UNSET
    order_id: None | str | Unset = UNSET
    reason: None | str | Unset = UNSET
    recorded_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cause = self.cause.to_dict()

        effective_at = self.effective_at.isoformat()

        kind = self.kind

        points = self.points

        seq = self.seq

        hold: None | str | Unset
        if isinstance(self.hold, Unset):
            hold = UNSET
        else:
            hold = self.hold

        lot: int | None | Unset
        if isinstance(self.lot, Unset):
            lot = UNSET
        else:
            lot = self.lot

        order_id: None | str | Unset
        if isinstance(self.order_id, Unset):
            order_id = UNSET
        else:
            order_id = self.order_id

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        recorded_at: None | str | Unset
        if isinstance(self.recorded_at, Unset):
            recorded_at = UNSET
        elif isinstance(self.recorded_at, datetime.datetime):
            recorded_at = self.recorded_at.isoformat()
        else:
            recorded_at = self.recorded_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cause": cause,
                "effective_at": effective_at,
                "kind": kind,
                "points": points,
                "seq": seq,
            }
        )
        if hold is not UNSET:
            field_dict["hold"] = hold
        if lot is not UNSET:
            field_dict["lot"] = lot
        if order_id is not UNSET:
            field_dict["order_id"] = order_id
        if reason is not UNSET:
            field_dict["reason"] = reason
        if recorded_at is not UNSET:
            field_dict["recorded_at"] = recorded_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cause_out import CauseOut  # noqa: PLC0415

        d = dict(src_dict)
        cause = CauseOut.from_dict(d.pop("cause"))

        effective_at = datetime.datetime.fromisoformat(d.pop("effective_at"))

        kind = d.pop("kind")

        points = d.pop("points")

        seq = d.pop("seq")

        def _parse_hold(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hold = _parse_hold(d.pop("hold", UNSET))

        def _parse_lot(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        lot = _parse_lot(d.pop("lot", UNSET))

        def _parse_order_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        order_id = _parse_order_id(d.pop("order_id", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_recorded_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                recorded_at_type_0 = datetime.datetime.fromisoformat(data)

                return recorded_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        recorded_at = _parse_recorded_at(d.pop("recorded_at", UNSET))

        entry_out = cls(
            cause=cause,
            effective_at=effective_at,
            kind=kind,
            points=points,
            seq=seq,
            hold=hold,
            lot=lot,
            order_id=order_id,
            reason=reason,
            recorded_at=recorded_at,
        )

        entry_out.additional_properties = d
        return entry_out

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
