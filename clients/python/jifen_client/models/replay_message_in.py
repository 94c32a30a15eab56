from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReplayMessageIn")


@_attrs_define
class ReplayMessageIn:
    """A replay of one message.

    Attributes:
        endpoint_id (None | str | Unset): Send it again to this endpoint only; to every endpoint it went to when absent.
    """

    endpoint_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        endpoint_id: None | str | Unset
        if isinstance(self.endpoint_id, Unset):
            endpoint_id = UNSET
        else:
            endpoint_id = self.endpoint_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if endpoint_id is not UNSET:
            field_dict["endpoint_id"] = endpoint_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_endpoint_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        endpoint_id = _parse_endpoint_id(d.pop("endpoint_id", UNSET))

        replay_message_in = cls(
            endpoint_id=endpoint_id,
        )

        return replay_message_in
