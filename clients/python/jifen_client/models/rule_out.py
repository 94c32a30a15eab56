from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rule_out_spec import RuleOutSpec
    from ..models.usage_stats import UsageStats


T = TypeVar("T", bound="RuleOut")


@_attrs_define
class RuleOut:
    """A rule as saved (its current version), with what it has awarded.

    Attributes:
        id (str):
        live_from (datetime.datetime): Events that occurred from this instant on are judged by this version.
        spec (RuleOutSpec): The rule itself (trigger, condition, effects, limits, schedule, …).
        stats (UsageStats): What a rule or a campaign has done so far.
        status (str): `active`, `paused` or `archived`.
        version (int):
        builtin (bool | Unset): The built-in rule purchases follow while the program has none of its own.
        live_until (datetime.datetime | None | Unset): When the next version replaced this one.
    """

    id: str
    live_from: datetime.datetime
    spec: RuleOutSpec
    stats: UsageStats
    status: str
    version: int
    builtin: bool | Unset = UNSET
    live_until: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        live_from = self.live_from.isoformat()

        spec = self.spec.to_dict()

        stats = self.stats.to_dict()

        status = self.status

        version = self.version

        builtin = self.builtin

        live_until: None | str | Unset
        if isinstance(self.live_until, Unset):
            live_until = UNSET
        elif isinstance(self.live_until, datetime.datetime):
            live_until = self.live_until.isoformat()
        else:
            live_until = self.live_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "live_from": live_from,
                "spec": spec,
                "stats": stats,
                "status": status,
                "version": version,
            }
        )
        if builtin is not UNSET:
            field_dict["builtin"] = builtin
        if live_until is not UNSET:
            field_dict["live_until"] = live_until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rule_out_spec import RuleOutSpec  # noqa: PLC0415
        from ..models.usage_stats import UsageStats  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        live_from = datetime.datetime.fromisoformat(d.pop("live_from"))

        spec = RuleOutSpec.from_dict(d.pop("spec"))

        stats = UsageStats.from_dict(d.pop("stats"))

        status = d.pop("status")

        version = d.pop("version")

        builtin = d.pop("builtin", UNSET)

        def _parse_live_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                live_until_type_0 = datetime.datetime.fromisoformat(data)

                return live_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        live_until = _parse_live_until(d.pop("live_until", UNSET))

        rule_out = cls(
            id=id,
            live_from=live_from,
            spec=spec,
            stats=stats,
            status=status,
            version=version,
            builtin=builtin,
            live_until=live_until,
        )

        rule_out.additional_properties = d
        return rule_out

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
