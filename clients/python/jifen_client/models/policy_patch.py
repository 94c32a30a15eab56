from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.policy_patch_expiry_type_0 import PolicyPatchExpiryType0
    from ..models.portal_patch import PortalPatch
    from ..models.rate_limit_in import RateLimitIn


T = TypeVar("T", bound="PolicyPatch")


@_attrs_define
class PolicyPatch:
    """A change to the point policy; absent fields stay as they are.

    Attributes:
        expiry (None | PolicyPatchExpiryType0 | Unset):
        negative_balance (None | str | Unset):  Example: forbid.
        pending_days (int | None | Unset):
        points_per_yuan (int | None | Unset):
        portal (None | PortalPatch | Unset):
        rate_limit (None | RateLimitIn | Unset):
        timezone (None | str | Unset): IANA time zone (`Asia/Shanghai`): calendar rules and `end_of_year` expiry count
            in it.
    """

    expiry: None | PolicyPatchExpiryType0 | Unset = UNSET
    negative_balance: None | str | Unset = UNSET
    pending_days: int | None | Unset = UNSET
    points_per_yuan: int | None | Unset = UNSET
    portal: None | PortalPatch | Unset = UNSET
    rate_limit: None | RateLimitIn | Unset = UNSET
    timezone: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.policy_patch_expiry_type_0 import PolicyPatchExpiryType0  # noqa: PLC0415
        from ..models.portal_patch import PortalPatch  # noqa: PLC0415
        from ..models.rate_limit_in import RateLimitIn  # noqa: PLC0415

        expiry: dict[str, Any] | None | Unset
        if isinstance(self.expiry, Unset):
            expiry = UNSET
        elif isinstance(self.expiry, PolicyPatchExpiryType0):
            expiry = self.expiry.to_dict()
        else:
            expiry = self.expiry

        negative_balance: None | str | Unset
        if isinstance(self.negative_balance, Unset):
            negative_balance = UNSET
        else:
            negative_balance = self.negative_balance

        pending_days: int | None | Unset
        if isinstance(self.pending_days, Unset):
            pending_days = UNSET
        else:
            pending_days = self.pending_days

        points_per_yuan: int | None | Unset
        if isinstance(self.points_per_yuan, Unset):
            points_per_yuan = UNSET
        else:
            points_per_yuan = self.points_per_yuan

        portal: dict[str, Any] | None | Unset
        if isinstance(self.portal, Unset):
            portal = UNSET
        elif isinstance(self.portal, PortalPatch):
            portal = self.portal.to_dict()
        else:
            portal = self.portal

        rate_limit: dict[str, Any] | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        elif isinstance(self.rate_limit, RateLimitIn):
            rate_limit = self.rate_limit.to_dict()
        else:
            rate_limit = self.rate_limit

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if expiry is not UNSET:
            field_dict["expiry"] = expiry
        if negative_balance is not UNSET:
            field_dict["negative_balance"] = negative_balance
        if pending_days is not UNSET:
            field_dict["pending_days"] = pending_days
        if points_per_yuan is not UNSET:
            field_dict["points_per_yuan"] = points_per_yuan
        if portal is not UNSET:
            field_dict["portal"] = portal
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.policy_patch_expiry_type_0 import PolicyPatchExpiryType0  # noqa: PLC0415
        from ..models.portal_patch import PortalPatch  # noqa: PLC0415
        from ..models.rate_limit_in import RateLimitIn  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_expiry(data: object) -> None | PolicyPatchExpiryType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                expiry_type_0 = PolicyPatchExpiryType0.from_dict(data)

                return expiry_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PolicyPatchExpiryType0 | Unset, data)

        expiry = _parse_expiry(d.pop("expiry", UNSET))

        def _parse_negative_balance(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        negative_balance = _parse_negative_balance(d.pop("negative_balance", UNSET))

        def _parse_pending_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        pending_days = _parse_pending_days(d.pop("pending_days", UNSET))

        def _parse_points_per_yuan(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        points_per_yuan = _parse_points_per_yuan(d.pop("points_per_yuan", UNSET))

        def _parse_portal(data: object) -> None | PortalPatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                portal_type_1 = PortalPatch.from_dict(data)

                return portal_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PortalPatch | Unset, data)

        portal = _parse_portal(d.pop("portal", UNSET))

        def _parse_rate_limit(data: object) -> None | RateLimitIn | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rate_limit_type_1 = RateLimitIn.from_dict(data)

                return rate_limit_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RateLimitIn | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))

        policy_patch = cls(
            expiry=expiry,
            negative_balance=negative_balance,
            pending_days=pending_days,
            points_per_yuan=points_per_yuan,
            portal=portal,
            rate_limit=rate_limit,
            timezone=timezone,
        )

        return policy_patch
