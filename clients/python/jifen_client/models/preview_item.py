from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preview_item_data import PreviewItemData


T = TypeVar("T", bound="PreviewItem")


@_attrs_define
class PreviewItem:
    """One reminder of a preview.

    Attributes:
        cause (str):
        channel (str):
        data (PreviewItemData):
        kind (str):
        member (str):
        template (str):
    """

    cause: str
    channel: str
    data: PreviewItemData
    kind: str
    member: str
    template: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cause = self.cause

        channel = self.channel

        data = self.data.to_dict()

        kind = self.kind

        member = self.member

        template = self.template

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cause": cause,
                "channel": channel,
                "data": data,
                "kind": kind,
                "member": member,
                "template": template,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preview_item_data import PreviewItemData  # noqa: PLC0415

        d = dict(src_dict)
        cause = d.pop("cause")

        channel = d.pop("channel")

        data = PreviewItemData.from_dict(d.pop("data"))

        kind = d.pop("kind")

        member = d.pop("member")

        template = d.pop("template")

        preview_item = cls(
            cause=cause,
            channel=channel,
            data=data,
            kind=kind,
            member=member,
            template=template,
        )

        preview_item.additional_properties = d
        return preview_item

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
