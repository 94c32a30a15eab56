from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RateLimitOut")


@_attrs_define
class RateLimitOut:
    """The limit on requests per API key of the program (see docs/api.md#limits).

    Attributes:
        burst (int): Requests each key may send at once.
        per_second (int): Requests a second each key may sustain.
        source (str): `program` (set with `PATCH /v1/program`) or `server` (the server's default).
    """

    burst: int
    per_second: int
    source: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        burst = self.burst

        per_second = self.per_second

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "burst": burst,
                "per_second": per_second,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        burst = d.pop("burst")

        per_second = d.pop("per_second")

        source = d.pop("source")

        rate_limit_out = cls(
            burst=burst,
            per_second=per_second,
            source=source,
        )

        rate_limit_out.additional_properties = d
        return rate_limit_out

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
