from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_in_attributes import EventInAttributes


T = TypeVar("T", bound="EventIn")


@_attrs_define
class EventIn:
    """Something a member (or a guest) did.

    Attributes:
        id (str): Chosen by the client; the idempotency key of the event.
        member (str): The member's external id (or the guest's reference with `attributes.guest: true`).
        occurred_at (str): RFC 3339 with a time zone; at most 5 minutes in the future.
        type_ (str): `purchase`, `refund`, or a behaviour: check_in, review, survey_completed, content_posted,
            share, profile_completed, identity_bound, livestream_attended, store_scan, forum_post,
            site_visit, referral_signup, event_invite, birthday.
        attributes (EventInAttributes | Unset): Purchases: `order_id`, `amount` (fen), optional `lines` and `guest`.
            Refunds: `order_id`, `amount` (fen).
        site (None | str | Unset): Touchpoint: tmall, taobao, wechat_mp, store:<id>, livestream, app, partner:<id>.
    """

    id: str
    member: str
    occurred_at: str
    type_: str
    attributes: EventInAttributes | Unset = UNSET
    site: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        member = self.member

        occurred_at = self.occurred_at

        type_ = self.type_

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        site: None | str | Unset
        if isinstance(self.site, Unset):
            site = UNSET
        else:
            site = self.site

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "member": member,
                "occurred_at": occurred_at,
                "type": type_,
            }
        )
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if site is not UNSET:
            field_dict["site"] = site

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_in_attributes import EventInAttributes  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        member = d.pop("member")

        occurred_at = d.pop("occurred_at")

        type_ = d.pop("type")

        _attributes = d.pop("attributes", UNSET)
        attributes: EventInAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = EventInAttributes.from_dict(_attributes)

        def _parse_site(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site = _parse_site(d.pop("site", UNSET))

        event_in = cls(
            id=id,
            member=member,
            occurred_at=occurred_at,
            type_=type_,
            attributes=attributes,
            site=site,
        )

        return event_in
