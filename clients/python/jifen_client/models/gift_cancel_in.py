from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="GiftCancelIn")


@_attrs_define
class GiftCancelIn:
    """Who takes a gift back.

    Attributes:
        member (str): The sender's external id: only the sender takes a gift back.
    """

    member: str

    def to_dict(self) -> dict[str, Any]:
        member = self.member

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "member": member,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        member = d.pop("member")

        gift_cancel_in = cls(
            member=member,
        )

        return gift_cancel_in
