from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.balance_out import BalanceOut
    from ..models.entry_out import EntryOut


T = TypeVar("T", bound="PointsWriteOut")


@_attrs_define
class PointsWriteOut:
    """The outcome of a redemption or adjustment.

    Attributes:
        balance (BalanceOut): A member's points at an instant.
        entries (list[EntryOut]):
        id (str):
        member (str):
        points (int):
        reason (None | str | Unset):
    """

    balance: BalanceOut
    entries: list[EntryOut]
    id: str
    member: str
    points: int
    reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        balance = self.balance.to_dict()

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        id = self.id

        member = self.member

        points = self.points

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "balance": balance,
                "entries": entries,
                "id": id,
                "member": member,
                "points": points,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.balance_out import BalanceOut  # noqa: PLC0415
        from ..models.entry_out import EntryOut  # noqa: PLC0415

        d = dict(src_dict)
        balance = BalanceOut.from_dict(d.pop("balance"))

        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = EntryOut.from_dict(entries_item_data)

            entries.append(entries_item)

        id = d.pop("id")

        member = d.pop("member")

        points = d.pop("points")

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        points_write_out = cls(
            balance=balance,
            entries=entries,
            id=id,
            member=member,
            points=points,
            reason=reason,
        )

        points_write_out.additional_properties = d
        return points_write_out

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
