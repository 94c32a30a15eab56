from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.override_in import OverrideIn
    from ..models.progress_out import ProgressOut
    from ..models.tier_ref import TierRef


T = TypeVar("T", bound="StandingOut")


@_attrs_define
class StandingOut:
    """A member's tier now.

    Attributes:
        earned_tier (str): The tier the member's figure earned (what holds when an override ends).
        progress (ProgressOut): How far a member is from the next tier.
        since (datetime.datetime):
        tier (TierRef): A tier, by id and name.
        grace_until (datetime.datetime | None | Unset): Until when a member who did not qualify at the review keeps the
            tier.
        override (None | OverrideIn | Unset):
        review_at (datetime.datetime | None | Unset): When the member must qualify again.
    """

    earned_tier: str
    progress: ProgressOut
    since: datetime.datetime
    tier: TierRef
    grace_until: datetime.datetime | None | Unset = UNSET
    override: None | OverrideIn | Unset = UNSET
    review_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.override_in import OverrideIn  # noqa: PLC0415

        earned_tier = self.earned_tier

        progress = self.progress.to_dict()

        since = self.since.isoformat()

        tier = self.tier.to_dict()

        grace_until: None | str | Unset
        if isinstance(self.grace_until, Unset):
            grace_until = UNSET
        elif isinstance(self.grace_until, datetime.datetime):
            grace_until = self.grace_until.isoformat()
        else:
            grace_until = self.grace_until

        override: dict[str, Any] | None | Unset
        if isinstance(self.override, Unset):
            override = UNSET
        elif isinstance(self.override, OverrideIn):
            override = self.override.to_dict()
        else:
            override = self.override

        review_at: None | str | Unset
        if isinstance(self.review_at, Unset):
            review_at = UNSET
        elif isinstance(self.review_at, datetime.datetime):
            review_at = self.review_at.isoformat()
        else:
            review_at = self.review_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "earned_tier": earned_tier,
                "progress": progress,
                "since": since,
                "tier": tier,
            }
        )
        if grace_until is not UNSET:
            field_dict["grace_until"] = grace_until
        if override is not UNSET:
            field_dict["override"] = override
        if review_at is not UNSET:
            field_dict["review_at"] = review_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.override_in import OverrideIn  # noqa: PLC0415
        from ..models.progress_out import ProgressOut  # noqa: PLC0415
        from ..models.tier_ref import TierRef  # noqa: PLC0415

        d = dict(src_dict)
        earned_tier = d.pop("earned_tier")

        progress = ProgressOut.from_dict(d.pop("progress"))

        since = datetime.datetime.fromisoformat(d.pop("since"))

        tier = TierRef.from_dict(d.pop("tier"))

        def _parse_grace_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                grace_until_type_0 = datetime.datetime.fromisoformat(data)

                return grace_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        grace_until = _parse_grace_until(d.pop("grace_until", UNSET))

        def _parse_override(data: object) -> None | OverrideIn | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                override_type_1 = OverrideIn.from_dict(data)

                return override_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OverrideIn | Unset, data)

        override = _parse_override(d.pop("override", UNSET))

        def _parse_review_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                review_at_type_0 = datetime.datetime.fromisoformat(data)

                return review_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        review_at = _parse_review_at(d.pop("review_at", UNSET))

        standing_out = cls(
            earned_tier=earned_tier,
            progress=progress,
            since=since,
            tier=tier,
            grace_until=grace_until,
            override=override,
            review_at=review_at,
        )

        standing_out.additional_properties = d
        return standing_out

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
