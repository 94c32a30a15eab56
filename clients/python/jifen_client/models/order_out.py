from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.entry_out import EntryOut
    from ..models.order_event_out import OrderEventOut
    from ..models.refund_out import RefundOut


T = TypeVar("T", bound="OrderOut")


@_attrs_define
class OrderOut:
    """An order and what it did to the member's points.

    Attributes:
        amount (int): The order's amount, in fen.
        entries (list[EntryOut]): The member's ledger entries that name the order.
        events (list[OrderEventOut]): The purchase and refund events of the order, oldest first.
        guest (bool):
        member (str): The member's external id, or the guest's reference for a guest's order.
        net_points (int): What the order is worth now: credited − clawed back − written off. A further refund
            claws back against this figure.
        occurred_at (datetime.datetime):
        order_id (str):
        points_clawed_back (int): Points its refunds took back (`clawback` entries, as a positive number).
        points_credited (int): Points the purchase earned (`earn` entries).
        points_written_off (int): Points its refunds asked back that the member no longer had, and the policy did not
            let
            become debt (`write_off` entries, as a positive number).
        refunded (int): Fen refunded so far: the sum of `refunds`.
        refunds (list[RefundOut]):
    """

    amount: int
    entries: list[EntryOut]
    events: list[OrderEventOut]
    guest: bool
    member: str
    net_points: int
    occurred_at: datetime.datetime
    order_id: str
    points_clawed_back: int
    points_credited: int
    points_written_off: int
    refunded: int
    refunds: list[RefundOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        guest = self.guest

        member = self.member

        net_points = self.net_points

        occurred_at = self.occurred_at.isoformat()

        order_id = self.order_id

        points_clawed_back = self.points_clawed_back

        points_credited = self.points_credited

        points_written_off = self.points_written_off

        refunded = self.refunded

        refunds = []
        for refunds_item_data in self.refunds:
            refunds_item = refunds_item_data.to_dict()
            refunds.append(refunds_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "entries": entries,
                "events": events,
                "guest": guest,
                "member": member,
                "net_points": net_points,
                "occurred_at": occurred_at,
                "order_id": order_id,
                "points_clawed_back": points_clawed_back,
                "points_credited": points_credited,
                "points_written_off": points_written_off,
                "refunded": refunded,
                "refunds": refunds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.entry_out import EntryOut  # noqa: PLC0415
        from ..models.order_event_out import OrderEventOut  # noqa: PLC0415
        from ..models.refund_out import RefundOut  # noqa: PLC0415

        d = dict(src_dict)
        amount = d.pop("amount")

        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = EntryOut.from_dict(entries_item_data)

            entries.append(entries_item)

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = OrderEventOut.from_dict(events_item_data)

            events.append(events_item)

        guest = d.pop("guest")

        member = d.pop("member")

        net_points = d.pop("net_points")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        order_id = d.pop("order_id")

        points_clawed_back = d.pop("points_clawed_back")

        points_credited = d.pop("points_credited")

        points_written_off = d.pop("points_written_off")

        refunded = d.pop("refunded")

        refunds = []
        _refunds = d.pop("refunds")
        for refunds_item_data in _refunds:
            refunds_item = RefundOut.from_dict(refunds_item_data)

            refunds.append(refunds_item)

        order_out = cls(
            amount=amount,
            entries=entries,
            events=events,
            guest=guest,
            member=member,
            net_points=net_points,
            occurred_at=occurred_at,
            order_id=order_id,
            points_clawed_back=points_clawed_back,
            points_credited=points_credited,
            points_written_off=points_written_off,
            refunded=refunded,
            refunds=refunds,
        )

        order_out.additional_properties = d
        return order_out

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
