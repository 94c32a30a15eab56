from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TierChangeOut")


@_attrs_define
class TierChangeOut:
    """One change of a member's tier.

    Attributes:
        at (datetime.datetime):
        cause (str): The event, job (`tier-job:<id>`, `tier-review`) or `operator` behind it.
        from_ (str):
        kind (str): `upgraded`, `downgraded`, `requalified`, `grace_started`, `override_set`,
            `override_ended`.
        to (str):
        value (int): The figure when it happened.
        reason (None | str | Unset):
    """

    at: datetime.datetime
    cause: str
    from_: str
    kind: str
    to: str
    value: int
    reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        cause = self.cause

        from_ = self.from_

        kind = self.kind

        to = self.to

        value = self.value

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "cause": cause,
                "from": from_,
                "kind": kind,
                "to": to,
                "value": value,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        cause = d.pop("cause")

        from_ = d.pop("from")

        kind = d.pop("kind")

        to = d.pop("to")

        value = d.pop("value")

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        tier_change_out = cls(
            at=at,
            cause=cause,
            from_=from_,
            kind=kind,
            to=to,
            value=value,
            reason=reason,
        )

        tier_change_out.additional_properties = d
        return tier_change_out

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
