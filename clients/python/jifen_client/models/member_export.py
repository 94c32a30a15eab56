from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.balance_out import BalanceOut
    from ..models.consent_out import ConsentOut
    from ..models.member_export_records import MemberExportRecords
    from ..models.member_out import MemberOut


T = TypeVar("T", bound="MemberExport")


@_attrs_define
class MemberExport:
    """Everything jifen holds about a member.

    Attributes:
        balance (BalanceOut): A member's points at an instant.
        consents (list[ConsentOut]): The consent records, newest first.
        exported_at (datetime.datetime):
        external_id (str):
        member (MemberOut): A member.
        records (MemberExportRecords): Every stored row that refers to the member, by table (identities, lots, entries,
            holds,
            orders, events, meters, tiers, vouchers, redemptions, checkouts, gifts…), with the
            stored column names; instants are microseconds since the Unix epoch, as stored.
    """

    balance: BalanceOut
    consents: list[ConsentOut]
    exported_at: datetime.datetime
    external_id: str
    member: MemberOut
    records: MemberExportRecords
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        balance = self.balance.to_dict()

        consents = []
        for consents_item_data in self.consents:
            consents_item = consents_item_data.to_dict()
            consents.append(consents_item)

        exported_at = self.exported_at.isoformat()

        external_id = self.external_id

        member = self.member.to_dict()

        records = self.records.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "balance": balance,
                "consents": consents,
                "exported_at": exported_at,
                "external_id": external_id,
                "member": member,
                "records": records,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.balance_out import BalanceOut  # noqa: PLC0415
        from ..models.consent_out import ConsentOut  # noqa: PLC0415
        from ..models.member_export_records import MemberExportRecords  # noqa: PLC0415
        from ..models.member_out import MemberOut  # noqa: PLC0415

        d = dict(src_dict)
        balance = BalanceOut.from_dict(d.pop("balance"))

        consents = []
        _consents = d.pop("consents")
        for consents_item_data in _consents:
            consents_item = ConsentOut.from_dict(consents_item_data)

            consents.append(consents_item)

        exported_at = datetime.datetime.fromisoformat(d.pop("exported_at"))

        external_id = d.pop("external_id")

        member = MemberOut.from_dict(d.pop("member"))

        records = MemberExportRecords.from_dict(d.pop("records"))

        member_export = cls(
            balance=balance,
            consents=consents,
            exported_at=exported_at,
            external_id=external_id,
            member=member,
            records=records,
        )

        member_export.additional_properties = d
        return member_export

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
