from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.notification_out_payload_type_0 import NotificationOutPayloadType0


T = TypeVar("T", bound="NotificationOut")


@_attrs_define
class NotificationOut:
    """A notification of the outbox.

    Attributes:
        cause (str): What caused it: an event id, a tier job or override, `gift:<code>`,
            `reminder:<kind>:<cause>:<channel>`.
        created_at (datetime.datetime):
        id (int): Increasing in the order notifications were written.
        kind (str): What the notification is about: the `template` of a rule's `notify` effect, or one jifen
            writes itself (`tier_upgraded`, `tier_downgraded`, `tier_requalified`,
            `tier_grace_started`, `tier_override_set`, `tier_override_ended`, `benefit_granted`,
            `partner_perk_granted`, `partner_perk_revoked`, `gift_claimed`, `gift_cancelled`,
            `gift_returned`); for a reminder, the brand's template name for its kind and channel
            (the kind itself is `payload.reason`).
        member (str): The member's external id (for a partner's notification, the member it concerns).
        delivered_at (datetime.datetime | None | Unset): Always `null`: jifen does not deliver notifications yet.
        payload (None | NotificationOutPayloadType0 | Unset): What it carries (tier changes, benefits, perks, gifts; a
            reminder's `reason`, `channel`,
            `template`, `cause` and `data`); `null` for a rule's `notify`.
        recipient (None | str | Unset): Who it is for when not the member: `partner:<id>`; `null` for the member.
        rule_id (None | str | Unset): The rule whose `notify` effect wrote it; `tiers` for tier changes and benefits;
            `reminders` for reminders; `null` for gifts.
    """

    cause: str
    created_at: datetime.datetime
    id: int
    kind: str
    member: str
    delivered_at: datetime.datetime | None | Unset = UNSET
    payload: None | NotificationOutPayloadType0 | Unset = UNSET
    recipient: None | str | Unset = UNSET
    rule_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.notification_out_payload_type_0 import NotificationOutPayloadType0  # noqa: PLC0415

        cause = self.cause

        created_at = self.created_at.isoformat()

        id = self.id

        kind = self.kind

        member = self.member

        delivered_at: None | str | Unset
        if isinstance(self.delivered_at, Unset):
            delivered_at = UNSET
        elif isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

        payload: dict[str, Any] | None | Unset
        if isinstance(self.payload, Unset):
            payload = UNSET
        elif isinstance(self.payload, NotificationOutPayloadType0):
            payload = self.payload.to_dict()
        else:
            payload = self.payload

        recipient: None | str | Unset
        if isinstance(self.recipient, Unset):
            recipient = UNSET
        else:
            recipient = self.recipient

        rule_id: None | str | Unset
        if isinstance(self.rule_id, Unset):
            rule_id = UNSET
        else:
            rule_id = self.rule_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cause": cause,
                "created_at": created_at,
                "id": id,
                "kind": kind,
                "member": member,
            }
        )
        if delivered_at is not UNSET:
            field_dict["delivered_at"] = delivered_at
        if payload is not UNSET:
            field_dict["payload"] = payload
        if recipient is not UNSET:
            field_dict["recipient"] = recipient
        if rule_id is not UNSET:
            field_dict["rule_id"] = rule_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.notification_out_payload_type_0 import NotificationOutPayloadType0  # noqa: PLC0415

        d = dict(src_dict)
        cause = d.pop("cause")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        kind = d.pop("kind")

        member = d.pop("member")

        def _parse_delivered_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at", UNSET))

        def _parse_payload(data: object) -> None | NotificationOutPayloadType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payload_type_0 = NotificationOutPayloadType0.from_dict(data)

                return payload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NotificationOutPayloadType0 | Unset, data)

        payload = _parse_payload(d.pop("payload", UNSET))

        def _parse_recipient(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recipient = _parse_recipient(d.pop("recipient", UNSET))

        def _parse_rule_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rule_id = _parse_rule_id(d.pop("rule_id", UNSET))

        notification_out = cls(
            cause=cause,
            created_at=created_at,
            id=id,
            kind=kind,
            member=member,
            delivered_at=delivered_at,
            payload=payload,
            recipient=recipient,
            rule_id=rule_id,
        )

        notification_out.additional_properties = d
        return notification_out

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
