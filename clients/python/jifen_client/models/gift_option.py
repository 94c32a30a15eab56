from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="GiftOption")


@_attrs_define
class GiftOption:
    """A gift made with a redemption.

    Attributes:
        hours (int | None | Unset): Hours the friend has to claim it (default: the checkout settings' `gift_hours`).
        message (None | str | Unset):
        sender_name (None | str | Unset): The name the friend sees as the sender's (at most 20 characters).
    """

    hours: int | None | Unset = UNSET
    message: None | str | Unset = UNSET
    sender_name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        hours: int | None | Unset
        if isinstance(self.hours, Unset):
            hours = UNSET
        else:
            hours = self.hours

        message: None | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        else:
            message = self.message

        sender_name: None | str | Unset
        if isinstance(self.sender_name, Unset):
            sender_name = UNSET
        else:
            sender_name = self.sender_name

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if hours is not UNSET:
            field_dict["hours"] = hours
        if message is not UNSET:
            field_dict["message"] = message
        if sender_name is not UNSET:
            field_dict["sender_name"] = sender_name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_hours(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        hours = _parse_hours(d.pop("hours", UNSET))

        def _parse_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        message = _parse_message(d.pop("message", UNSET))

        def _parse_sender_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sender_name = _parse_sender_name(d.pop("sender_name", UNSET))

        gift_option = cls(
            hours=hours,
            message=message,
            sender_name=sender_name,
        )

        return gift_option
