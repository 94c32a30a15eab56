from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.stored_event_out_answer_type_0 import StoredEventOutAnswerType0
    from ..models.stored_event_out_attributes import StoredEventOutAttributes


T = TypeVar("T", bound="StoredEventOut")


@_attrs_define
class StoredEventOut:
    """An event as it was recorded, with the answer it got.

    Attributes:
        attributes (StoredEventOutAttributes):
        guest (bool):
        id (str):
        occurred_at (datetime.datetime):
        recorded_at (datetime.datetime): When jifen recorded it.
        type_ (str):
        answer (None | StoredEventOutAnswerType0 | Unset): The answer `POST /v1/events` gave (and gives again to a retry
            with this id): the
            entries the event wrote, the rules that judged it, their actions, a tier change; `null`
            for events loaded in bulk, which got no answer.
        member (None | str | Unset): The member's external id, or the guest's reference for a guest's event.
        site (None | str | Unset):
    """

    attributes: StoredEventOutAttributes
    guest: bool
    id: str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    type_: str
    answer: None | StoredEventOutAnswerType0 | Unset = UNSET
    member: None | str | Unset = UNSET
    site: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.stored_event_out_answer_type_0 import StoredEventOutAnswerType0  # noqa: PLC0415

        attributes = self.attributes.to_dict()

        guest = self.guest

        id = self.id

        occurred_at = self.occurred_at.isoformat()

        recorded_at = self.recorded_at.isoformat()

        type_ = self.type_

        answer: dict[str, Any] | None | Unset
        if isinstance(self.answer, Unset):
            answer = UNSET
        elif isinstance(self.answer, StoredEventOutAnswerType0):
            answer = self.answer.to_dict()
        else:
            answer = self.answer

        member: None | str | Unset
        if isinstance(self.member, Unset):
            member = UNSET
        else:
            member = self.member

        site: None | str | Unset
        if isinstance(self.site, Unset):
            site = UNSET
        else:
            site = self.site

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attributes": attributes,
                "guest": guest,
                "id": id,
                "occurred_at": occurred_at,
                "recorded_at": recorded_at,
                "type": type_,
            }
        )
        if answer is not UNSET:
            field_dict["answer"] = answer
        if member is not UNSET:
            field_dict["member"] = member
        if site is not UNSET:
            field_dict["site"] = site

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stored_event_out_answer_type_0 import StoredEventOutAnswerType0  # noqa: PLC0415
        from ..models.stored_event_out_attributes import StoredEventOutAttributes  # noqa: PLC0415

        d = dict(src_dict)
        attributes = StoredEventOutAttributes.from_dict(d.pop("attributes"))

        guest = d.pop("guest")

        id = d.pop("id")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        recorded_at = datetime.datetime.fromisoformat(d.pop("recorded_at"))

        type_ = d.pop("type")

        def _parse_answer(data: object) -> None | StoredEventOutAnswerType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                answer_type_0 = StoredEventOutAnswerType0.from_dict(data)

                return answer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StoredEventOutAnswerType0 | Unset, data)

        answer = _parse_answer(d.pop("answer", UNSET))

        def _parse_member(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        member = _parse_member(d.pop("member", UNSET))

        def _parse_site(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site = _parse_site(d.pop("site", UNSET))

        stored_event_out = cls(
            attributes=attributes,
            guest=guest,
            id=id,
            occurred_at=occurred_at,
            recorded_at=recorded_at,
            type_=type_,
            answer=answer,
            member=member,
            site=site,
        )

        stored_event_out.additional_properties = d
        return stored_event_out

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
