from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.actor_out import ActorOut
    from ..models.audit_entry_out_after_type_0 import AuditEntryOutAfterType0
    from ..models.audit_entry_out_before_type_0 import AuditEntryOutBeforeType0


T = TypeVar("T", bound="AuditEntryOut")


@_attrs_define
class AuditEntryOut:
    """A line of the log as the API and the console show it.

    Attributes:
        action (str): `rule.put`, `member.adjust`, `api_key.revoke`, …
        actor (ActorOut): Who made a change.
        at (datetime.datetime):
        id (int): The line's position in the log (what the next page's `after` is made of).
        object_id (str): The object's id; a member's is its current external id (the pseudonym once erased).
        object_kind (str): `member`, `rule`, `campaign`, `event_type`, `meter`, `sites`, `tier_policy`, `reward`,
            `voucher_template`, `voucher`, `partner`, `api_key`, `program`, `backtest`, `tier_job`,
            `checkout_settings`.
        after (AuditEntryOutAfterType0 | None | Unset): The object's state after the change; `null` when the change
            removed it. A member's
            holds its status, tier and points, and `profile_changed`: the names of the profile
            fields that changed, never their values.
        before (AuditEntryOutBeforeType0 | None | Unset): The object's state before the change; `null` when the change
            created it.
    """

    action: str
    actor: ActorOut
    at: datetime.datetime
    id: int
    object_id: str
    object_kind: str
    after: AuditEntryOutAfterType0 | None | Unset = UNSET
    before: AuditEntryOutBeforeType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_entry_out_after_type_0 import AuditEntryOutAfterType0  # noqa: PLC0415
        from ..models.audit_entry_out_before_type_0 import AuditEntryOutBeforeType0  # noqa: PLC0415

        action = self.action

        actor = self.actor.to_dict()

        at = self.at.isoformat()

        id = self.id

        object_id = self.object_id

        object_kind = self.object_kind

        after: dict[str, Any] | None | Unset
        if isinstance(self.after, Unset):
            after = UNSET
        elif isinstance(self.after, AuditEntryOutAfterType0):
            after = self.after.to_dict()
        else:
            after = self.after

        before: dict[str, Any] | None | Unset
        if isinstance(self.before, Unset):
            before = UNSET
        elif isinstance(self.before, AuditEntryOutBeforeType0):
            before = self.before.to_dict()
        else:
            before = self.before

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor": actor,
                "at": at,
                "id": id,
                "object_id": object_id,
                "object_kind": object_kind,
            }
        )
        if after is not UNSET:
            field_dict["after"] = after
        if before is not UNSET:
            field_dict["before"] = before

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.actor_out import ActorOut  # noqa: PLC0415
        from ..models.audit_entry_out_after_type_0 import AuditEntryOutAfterType0  # noqa: PLC0415
        from ..models.audit_entry_out_before_type_0 import AuditEntryOutBeforeType0  # noqa: PLC0415

        d = dict(src_dict)
        action = d.pop("action")

        actor = ActorOut.from_dict(d.pop("actor"))

        at = datetime.datetime.fromisoformat(d.pop("at"))

        id = d.pop("id")

        object_id = d.pop("object_id")

        object_kind = d.pop("object_kind")

        def _parse_after(data: object) -> AuditEntryOutAfterType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_0 = AuditEntryOutAfterType0.from_dict(data)

                return after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditEntryOutAfterType0 | None | Unset, data)

        after = _parse_after(d.pop("after", UNSET))

        def _parse_before(data: object) -> AuditEntryOutBeforeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_0 = AuditEntryOutBeforeType0.from_dict(data)

                return before_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditEntryOutBeforeType0 | None | Unset, data)

        before = _parse_before(d.pop("before", UNSET))

        audit_entry_out = cls(
            action=action,
            actor=actor,
            at=at,
            id=id,
            object_id=object_id,
            object_kind=object_kind,
            after=after,
            before=before,
        )

        audit_entry_out.additional_properties = d
        return audit_entry_out

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
