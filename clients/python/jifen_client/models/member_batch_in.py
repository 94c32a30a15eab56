from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.member_batch_item_in import MemberBatchItemIn


T = TypeVar("T", bound="MemberBatchIn")


@_attrs_define
class MemberBatchIn:
    """A batch of members to create or update.

    Attributes:
        id (str): Chosen by the client: the batch's idempotency key. The same id with the same body
            answers the first answer again; with another body, `409 idempotency_conflict`.
        members (list[MemberBatchItemIn]): 1 to 1,000 members, applied in order.
    """

    id: str
    members: list[MemberBatchItemIn]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        members = []
        for members_item_data in self.members:
            members_item = members_item_data.to_dict()
            members.append(members_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "members": members,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.member_batch_item_in import MemberBatchItemIn  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        members = []
        _members = d.pop("members")
        for members_item_data in _members:
            members_item = MemberBatchItemIn.from_dict(members_item_data)

            members.append(members_item)

        member_batch_in = cls(
            id=id,
            members=members,
        )

        member_batch_in.additional_properties = d
        return member_batch_in

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
