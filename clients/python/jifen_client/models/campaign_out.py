from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.campaign_out_spec import CampaignOutSpec
    from ..models.usage_stats import UsageStats


T = TypeVar("T", bound="CampaignOut")


@_attrs_define
class CampaignOut:
    """A campaign, with what its rules have done.

    Attributes:
        created_at (datetime.datetime):
        id (str):
        rules (list[str]): The rules that belong to it (current versions).
        spec (CampaignOutSpec):
        stats (UsageStats): What a rule or a campaign has done so far.
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    id: str
    rules: list[str]
    spec: CampaignOutSpec
    stats: UsageStats
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = self.id

        rules = self.rules

        spec = self.spec.to_dict()

        stats = self.stats.to_dict()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "rules": rules,
                "spec": spec,
                "stats": stats,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.campaign_out_spec import CampaignOutSpec  # noqa: PLC0415
        from ..models.usage_stats import UsageStats  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        rules = cast(list[str], d.pop("rules"))

        spec = CampaignOutSpec.from_dict(d.pop("spec"))

        stats = UsageStats.from_dict(d.pop("stats"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        campaign_out = cls(
            created_at=created_at,
            id=id,
            rules=rules,
            spec=spec,
            stats=stats,
            updated_at=updated_at,
        )

        campaign_out.additional_properties = d
        return campaign_out

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
