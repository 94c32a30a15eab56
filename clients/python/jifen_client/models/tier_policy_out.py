from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.tier_job_out import TierJobOut
    from ..models.tier_policy_out_policy import TierPolicyOutPolicy


T = TypeVar("T", bound="TierPolicyOut")


@_attrs_define
class TierPolicyOut:
    """The tier policy, and the re-evaluation its change started.

    Attributes:
        policy (TierPolicyOutPolicy): `basis`, `tiers` (with their `benefits`), `requalification`, `grace_days`.
        job (None | TierJobOut | Unset):
    """

    policy: TierPolicyOutPolicy
    job: None | TierJobOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.tier_job_out import TierJobOut  # noqa: PLC0415

        policy = self.policy.to_dict()

        job: dict[str, Any] | None | Unset
        if isinstance(self.job, Unset):
            job = UNSET
        elif isinstance(self.job, TierJobOut):
            job = self.job.to_dict()
        else:
            job = self.job

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "policy": policy,
            }
        )
        if job is not UNSET:
            field_dict["job"] = job

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tier_job_out import TierJobOut  # noqa: PLC0415
        from ..models.tier_policy_out_policy import TierPolicyOutPolicy  # noqa: PLC0415

        d = dict(src_dict)
        policy = TierPolicyOutPolicy.from_dict(d.pop("policy"))

        def _parse_job(data: object) -> None | TierJobOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                job_type_1 = TierJobOut.from_dict(data)

                return job_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TierJobOut | Unset, data)

        job = _parse_job(d.pop("job", UNSET))

        tier_policy_out = cls(
            policy=policy,
            job=job,
        )

        tier_policy_out.additional_properties = d
        return tier_policy_out

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
