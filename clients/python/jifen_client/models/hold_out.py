from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.balance_out import BalanceOut
    from ..models.entry_out import EntryOut


T = TypeVar("T", bound="HoldOut")


@_attrs_define
class HoldOut:
    """A hold.

    Attributes:
        created_at (datetime.datetime):
        deadline (datetime.datetime):
        held (int): Points it still reserves.
        id (str):
        member (str):
        points (int): Points reserved when the hold was placed.
        status (str): pending, committed, voided or expired.
        balance (BalanceOut | None | Unset):
        entries (list[EntryOut] | None | Unset): What this request wrote (absent when reading a hold).
    """

    created_at: datetime.datetime
    deadline: datetime.datetime
    held: int
    id: str
    member: str
    points: int
    status: str
    balance: BalanceOut | None | Unset = UNSET
    entries: list[EntryOut] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.balance_out import BalanceOut  # noqa: PLC0415

        created_at = self.created_at.isoformat()

        deadline = self.deadline.isoformat()

        held = self.held

        id = self.id

        member = self.member

        points = self.points

        status = self.status

        balance: dict[str, Any] | None | Unset
        if isinstance(self.balance, Unset):
            balance = UNSET
        elif isinstance(self.balance, BalanceOut):
            balance = self.balance.to_dict()
        else:
            balance = self.balance

        entries: list[dict[str, Any]] | None | Unset
        if isinstance(self.entries, Unset):
            entries = UNSET
        elif isinstance(self.entries, list):
            entries = []
            for entries_type_0_item_data in self.entries:
                entries_type_0_item = entries_type_0_item_data.to_dict()
                entries.append(entries_type_0_item)

        else:
            entries = self.entries

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "deadline": deadline,
                "held": held,
                "id": id,
                "member": member,
                "points": points,
                "status": status,
            }
        )
        if balance is not UNSET:
            field_dict["balance"] = balance
        if entries is not UNSET:
            field_dict["entries"] = entries

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.balance_out import BalanceOut  # noqa: PLC0415
        from ..models.entry_out import EntryOut  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        deadline = datetime.datetime.fromisoformat(d.pop("deadline"))

        held = d.pop("held")

        id = d.pop("id")

        member = d.pop("member")

        points = d.pop("points")

        status = d.pop("status")

        def _parse_balance(data: object) -> BalanceOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                balance_type_1 = BalanceOut.from_dict(data)

                return balance_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BalanceOut | None | Unset, data)

        balance = _parse_balance(d.pop("balance", UNSET))

        def _parse_entries(data: object) -> list[EntryOut] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                entries_type_0 = []
                _entries_type_0 = data
                for entries_type_0_item_data in _entries_type_0:
                    entries_type_0_item = EntryOut.from_dict(entries_type_0_item_data)

                    entries_type_0.append(entries_type_0_item)

                return entries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EntryOut] | None | Unset, data)

        entries = _parse_entries(d.pop("entries", UNSET))

        hold_out = cls(
            created_at=created_at,
            deadline=deadline,
            held=held,
            id=id,
            member=member,
            points=points,
            status=status,
            balance=balance,
            entries=entries,
        )

        hold_out.additional_properties = d
        return hold_out

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
