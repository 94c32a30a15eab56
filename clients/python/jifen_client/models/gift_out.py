from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GiftOut")


@_attrs_define
class GiftOut:
    """A gift of a voucher.

    Attributes:
        code (str):
        deadline (datetime.datetime):
        gives (str): What the voucher gives ("¥20 off").
        sender (str):
        status (str): `offered`, `claimed`, `returned` or `cancelled`.
        template (str):
        title (str):
        message (None | str | Unset):
        recipient (None | str | Unset):
        sender_name (None | str | Unset): The name the friend sees as the sender's, as the sender chose it.
        token (None | str | Unset): The share token (only in the answer that made the gift): put it in the link the
            member sends.
        valid_until (datetime.datetime | None | Unset):
    """

    code: str
    deadline: datetime.datetime
    gives: str
    sender: str
    status: str
    template: str
    title: str
    message: None | str | Unset = UNSET
    recipient: None | str | Unset = UNSET
    sender_name: None | str | Unset = UNSET
    token: None | str | Unset = UNSET
    valid_until: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        deadline = self.deadline.isoformat()

        gives = self.gives

        sender = self.sender

        status = self.status

        template = self.template

        title = self.title

        message: None | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        else:
            message = self.message

        recipient: None | str | Unset
        if isinstance(self.recipient, Unset):
            recipient = UNSET
        else:
            recipient = self.recipient

        sender_name: None | str | Unset
        if isinstance(self.sender_name, Unset):
            sender_name = UNSET
        else:
            sender_name = self.sender_name

        token: None | str | Unset
        if isinstance(self.token, Unset):
            token = UNSET
        else:
            token = self.token

        valid_until: None | str | Unset
        if isinstance(self.valid_until, Unset):
            valid_until = UNSET
        elif isinstance(self.valid_until, datetime.datetime):
            valid_until = self.valid_until.isoformat()
        else:
            valid_until = self.valid_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "deadline": deadline,
                "gives": gives,
                "sender": sender,
                "status": status,
                "template": template,
                "title": title,
            }
        )
        if message is not UNSET:
            field_dict["message"] = message
        if recipient is not UNSET:
            field_dict["recipient"] = recipient
        if sender_name is not UNSET:
            field_dict["sender_name"] = sender_name
        if token is not UNSET:
            field_dict["token"] = token
        if valid_until is not UNSET:
            field_dict["valid_until"] = valid_until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        deadline = datetime.datetime.fromisoformat(d.pop("deadline"))

        gives = d.pop("gives")

        sender = d.pop("sender")

        status = d.pop("status")

        template = d.pop("template")

        title = d.pop("title")

        def _parse_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        message = _parse_message(d.pop("message", UNSET))

        def _parse_recipient(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recipient = _parse_recipient(d.pop("recipient", UNSET))

        def _parse_sender_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sender_name = _parse_sender_name(d.pop("sender_name", UNSET))

        def _parse_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        token = _parse_token(d.pop("token", UNSET))

        def _parse_valid_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                valid_until_type_0 = datetime.datetime.fromisoformat(data)

                return valid_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        valid_until = _parse_valid_until(d.pop("valid_until", UNSET))

        gift_out = cls(
            code=code,
            deadline=deadline,
            gives=gives,
            sender=sender,
            status=status,
            template=template,
            title=title,
            message=message,
            recipient=recipient,
            sender_name=sender_name,
            token=token,
            valid_until=valid_until,
        )

        gift_out.additional_properties = d
        return gift_out

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
