from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.policy_out import PolicyOut
    from ..models.portal_settings import PortalSettings
    from ..models.rate_limit_out import RateLimitOut


T = TypeVar("T", bound="ProgramOut")


@_attrs_define
class ProgramOut:
    """A program with its point policy.

    Attributes:
        created_at (datetime.datetime):
        currency (str): ISO 4217 currency of amounts (`CNY`); amounts are in minor units (fen).
        id (str):
        name (str):
        policy (PolicyOut): How purchases earn and when points become available or expire.
        portal (PortalSettings): The member portal's settings of a program.
        rate_limit (RateLimitOut): The limit on requests per API key of the program (see docs/api.md#limits).
        timezone (str): IANA time zone for calendar rules (`Asia/Shanghai`).
    """

    created_at: datetime.datetime
    currency: str
    id: str
    name: str
    policy: PolicyOut
    portal: PortalSettings
    rate_limit: RateLimitOut
    timezone: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        currency = self.currency

        id = self.id

        name = self.name

        policy = self.policy.to_dict()

        portal = self.portal.to_dict()

        rate_limit = self.rate_limit.to_dict()

        timezone = self.timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "currency": currency,
                "id": id,
                "name": name,
                "policy": policy,
                "portal": portal,
                "rate_limit": rate_limit,
                "timezone": timezone,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.policy_out import PolicyOut  # noqa: PLC0415
        from ..models.portal_settings import PortalSettings  # noqa: PLC0415
        from ..models.rate_limit_out import RateLimitOut  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        currency = d.pop("currency")

        id = d.pop("id")

        name = d.pop("name")

        policy = PolicyOut.from_dict(d.pop("policy"))

        portal = PortalSettings.from_dict(d.pop("portal"))

        rate_limit = RateLimitOut.from_dict(d.pop("rate_limit"))

        timezone = d.pop("timezone")

        program_out = cls(
            created_at=created_at,
            currency=currency,
            id=id,
            name=name,
            policy=policy,
            portal=portal,
            rate_limit=rate_limit,
            timezone=timezone,
        )

        program_out.additional_properties = d
        return program_out

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
