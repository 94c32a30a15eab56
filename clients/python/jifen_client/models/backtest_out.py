from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.backtest_out_report import BacktestOutReport


T = TypeVar("T", bound="BacktestOut")


@_attrs_define
class BacktestOut:
    """A backtest: its progress, and its report so far (complete when `status` is `done`).

    Attributes:
        created_at (datetime.datetime):
        events_done (int):
        events_total (int):
        id (str):
        report (BacktestOutReport):
        status (str): `running`, `done` or `failed`.
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    events_done: int
    events_total: int
    id: str
    report: BacktestOutReport
    status: str
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        events_done = self.events_done

        events_total = self.events_total

        id = self.id

        report = self.report.to_dict()

        status = self.status

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "events_done": events_done,
                "events_total": events_total,
                "id": id,
                "report": report,
                "status": status,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.backtest_out_report import BacktestOutReport  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        events_done = d.pop("events_done")

        events_total = d.pop("events_total")

        id = d.pop("id")

        report = BacktestOutReport.from_dict(d.pop("report"))

        status = d.pop("status")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        backtest_out = cls(
            created_at=created_at,
            events_done=events_done,
            events_total=events_total,
            id=id,
            report=report,
            status=status,
            updated_at=updated_at,
        )

        backtest_out.additional_properties = d
        return backtest_out

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
