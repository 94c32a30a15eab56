from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReplayFailedIn")


@_attrs_define
class ReplayFailedIn:
    """A replay of failed deliveries.

    Attributes:
        since (str): Failed deliveries of messages created at or after this instant (RFC 3339).
        endpoint_id (None | str | Unset): Of this endpoint only; of every endpoint when absent.
    """

    since: str
    endpoint_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        since = self.since

        endpoint_id: None | str | Unset
        if isinstance(self.endpoint_id, Unset):
            endpoint_id = UNSET
        else:
            endpoint_id = self.endpoint_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "since": since,
            }
        )
        if endpoint_id is not UNSET:
            field_dict["endpoint_id"] = endpoint_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        since = d.pop("since")

        def _parse_endpoint_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        endpoint_id = _parse_endpoint_id(d.pop("endpoint_id", UNSET))

        replay_failed_in = cls(
            since=since,
            endpoint_id=endpoint_id,
        )

        return replay_failed_in
