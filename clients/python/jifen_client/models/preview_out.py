from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preview_item import PreviewItem
    from ..models.preview_out_by_channel import PreviewOutByChannel
    from ..models.preview_out_by_kind import PreviewOutByKind


T = TypeVar("T", bound="PreviewOut")


@_attrs_define
class PreviewOut:
    """What the scheduler would send on a day.

    Attributes:
        by_channel (PreviewOutByChannel): Every channel, with its count.
        by_kind (PreviewOutByKind): Every kind, with its count.
        date (str):
        evaluated_at (datetime.datetime): When the day's reminders would first go out: the day's start, past quiet
            hours.
        held_by_caps (int): Reminders the daily cap would carry to a later day.
        sample (list[PreviewItem]): The first 20, by member.
        total (int):
    """

    by_channel: PreviewOutByChannel
    by_kind: PreviewOutByKind
    date: str
    evaluated_at: datetime.datetime
    held_by_caps: int
    sample: list[PreviewItem]
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        by_channel = self.by_channel.to_dict()

        by_kind = self.by_kind.to_dict()

        date = self.date

        evaluated_at = self.evaluated_at.isoformat()

        held_by_caps = self.held_by_caps

        sample = []
        for sample_item_data in self.sample:
            sample_item = sample_item_data.to_dict()
            sample.append(sample_item)

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "by_channel": by_channel,
                "by_kind": by_kind,
                "date": date,
                "evaluated_at": evaluated_at,
                "held_by_caps": held_by_caps,
                "sample": sample,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preview_item import PreviewItem  # noqa: PLC0415
        from ..models.preview_out_by_channel import PreviewOutByChannel  # noqa: PLC0415
        from ..models.preview_out_by_kind import PreviewOutByKind  # noqa: PLC0415

        d = dict(src_dict)
        by_channel = PreviewOutByChannel.from_dict(d.pop("by_channel"))

        by_kind = PreviewOutByKind.from_dict(d.pop("by_kind"))

        date = d.pop("date")

        evaluated_at = datetime.datetime.fromisoformat(d.pop("evaluated_at"))

        held_by_caps = d.pop("held_by_caps")

        sample = []
        _sample = d.pop("sample")
        for sample_item_data in _sample:
            sample_item = PreviewItem.from_dict(sample_item_data)

            sample.append(sample_item)

        total = d.pop("total")

        preview_out = cls(
            by_channel=by_channel,
            by_kind=by_kind,
            date=date,
            evaluated_at=evaluated_at,
            held_by_caps=held_by_caps,
            sample=sample,
            total=total,
        )

        preview_out.additional_properties = d
        return preview_out

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
