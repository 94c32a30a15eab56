from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.checkout_out_quote import CheckoutOutQuote


T = TypeVar("T", bound="CheckoutOut")


@_attrs_define
class CheckoutOut:
    """A redeemed checkout.

    Attributes:
        created_at (datetime.datetime):
        deadline (datetime.datetime): Until when the reservation waits for `confirm`.
        id (str):
        quote (CheckoutOutQuote):
        status (str): `pending`, `confirmed`, `cancelled` or `expired`.
        updated_at (datetime.datetime):
        hold (None | str | Unset): The hold of the points used, when points pay.
        member (None | str | Unset):
    """

    created_at: datetime.datetime
    deadline: datetime.datetime
    id: str
    quote: CheckoutOutQuote
    status: str
    updated_at: datetime.datetime
    hold: None | str | Unset = UNSET
    member: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        deadline = self.deadline.isoformat()

        id = self.id

        quote = self.quote.to_dict()

        status = self.status

        updated_at = self.updated_at.isoformat()

        hold: None | str | Unset
        if isinstance(self.hold, Unset):
            hold = UNSET
        else:
            hold = self.hold

        member: None | str | Unset
        if isinstance(self.member, Unset):
            member = UNSET
        else:
            member = self.member

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "deadline": deadline,
                "id": id,
                "quote": quote,
                "status": status,
                "updated_at": updated_at,
            }
        )
        if hold is not UNSET:
            field_dict["hold"] = hold
        if member is not UNSET:
            field_dict["member"] = member

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.checkout_out_quote import CheckoutOutQuote  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        deadline = datetime.datetime.fromisoformat(d.pop("deadline"))

        id = d.pop("id")

        quote = CheckoutOutQuote.from_dict(d.pop("quote"))

        status = d.pop("status")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_hold(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hold = _parse_hold(d.pop("hold", UNSET))

        def _parse_member(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        member = _parse_member(d.pop("member", UNSET))

        checkout_out = cls(
            created_at=created_at,
            deadline=deadline,
            id=id,
            quote=quote,
            status=status,
            updated_at=updated_at,
            hold=hold,
            member=member,
        )

        checkout_out.additional_properties = d
        return checkout_out

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
