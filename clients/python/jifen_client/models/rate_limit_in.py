from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RateLimitIn")


@_attrs_define
class RateLimitIn:
    """A rate limit per key: each from 1 to 1,000,000.

    Attributes:
        burst (int):
        per_second (int):
    """

    burst: int
    per_second: int

    def to_dict(self) -> dict[str, Any]:
        burst = self.burst

        per_second = self.per_second

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "burst": burst,
                "per_second": per_second,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        burst = d.pop("burst")

        per_second = d.pop("per_second")

        rate_limit_in = cls(
            burst=burst,
            per_second=per_second,
        )

        return rate_limit_in
