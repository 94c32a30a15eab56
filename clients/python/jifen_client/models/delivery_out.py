from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attempt_out import AttemptOut


T = TypeVar("T", bound="DeliveryOut")


@_attrs_define
class DeliveryOut:
    """A message's delivery to one endpoint.

    Attributes:
        attempts (int):
        created_at (datetime.datetime):
        endpoint_id (str):
        kind (str):
        message_id (str):
        status (str): `pending` (waiting for its next attempt), `delivered` (a `2xx` came) or `failed`
            (retries ran out after three days; replay it to send it again).
        updated_at (datetime.datetime):
        attempt_log (list[AttemptOut] | None | Unset): Every attempt, first first (when a single message is shown).
        last_error (None | str | Unset):
        last_latency_ms (int | None | Unset):
        last_status_code (int | None | Unset):
        next_attempt_at (datetime.datetime | None | Unset): When a pending delivery is next tried.
    """

    attempts: int
    created_at: datetime.datetime
    endpoint_id: str
    kind: str
    message_id: str
    status: str
    updated_at: datetime.datetime
    attempt_log: list[AttemptOut] | None | Unset = UNSET
    last_error: None | str | Unset = UNSET
    last_latency_ms: int | None | Unset = UNSET
    last_status_code: int | None | Unset = UNSET
    next_attempt_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        created_at = self.created_at.isoformat()

        endpoint_id = self.endpoint_id

        kind = self.kind

        message_id = self.message_id

        status = self.status

        updated_at = self.updated_at.isoformat()

        attempt_log: list[dict[str, Any]] | None | Unset
        if isinstance(self.attempt_log, Unset):
            attempt_log = UNSET
        elif isinstance(self.attempt_log, list):
            attempt_log = []
            for attempt_log_type_0_item_data in self.attempt_log:
                attempt_log_type_0_item = attempt_log_type_0_item_data.to_dict()
                attempt_log.append(attempt_log_type_0_item)

        else:
            attempt_log = self.attempt_log

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        last_latency_ms: int | None | Unset
        if isinstance(self.last_latency_ms, Unset):
            last_latency_ms = UNSET
        else:
            last_latency_ms = self.last_latency_ms

        last_status_code: int | None | Unset
        if isinstance(self.last_status_code, Unset):
            last_status_code = UNSET
        else:
            last_status_code = self.last_status_code

        next_attempt_at: None | str | Unset
        if isinstance(self.next_attempt_at, Unset):
            next_attempt_at = UNSET
        elif isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "created_at": created_at,
                "endpoint_id": endpoint_id,
                "kind": kind,
                "message_id": message_id,
                "status": status,
                "updated_at": updated_at,
            }
        )
        if attempt_log is not UNSET:
            field_dict["attempt_log"] = attempt_log
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if last_latency_ms is not UNSET:
            field_dict["last_latency_ms"] = last_latency_ms
        if last_status_code is not UNSET:
            field_dict["last_status_code"] = last_status_code
        if next_attempt_at is not UNSET:
            field_dict["next_attempt_at"] = next_attempt_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attempt_out import AttemptOut  # noqa: PLC0415

        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        endpoint_id = d.pop("endpoint_id")

        kind = d.pop("kind")

        message_id = d.pop("message_id")

        status = d.pop("status")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_attempt_log(data: object) -> list[AttemptOut] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                attempt_log_type_0 = []
                _attempt_log_type_0 = data
                for attempt_log_type_0_item_data in _attempt_log_type_0:
                    attempt_log_type_0_item = AttemptOut.from_dict(attempt_log_type_0_item_data)

                    attempt_log_type_0.append(attempt_log_type_0_item)

                return attempt_log_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[AttemptOut] | None | Unset, data)

        attempt_log = _parse_attempt_log(d.pop("attempt_log", UNSET))

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))

        def _parse_last_latency_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_latency_ms = _parse_last_latency_ms(d.pop("last_latency_ms", UNSET))

        def _parse_last_status_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_status_code = _parse_last_status_code(d.pop("last_status_code", UNSET))

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at", UNSET))

        delivery_out = cls(
            attempts=attempts,
            created_at=created_at,
            endpoint_id=endpoint_id,
            kind=kind,
            message_id=message_id,
            status=status,
            updated_at=updated_at,
            attempt_log=attempt_log,
            last_error=last_error,
            last_latency_ms=last_latency_ms,
            last_status_code=last_status_code,
            next_attempt_at=next_attempt_at,
        )

        delivery_out.additional_properties = d
        return delivery_out

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
