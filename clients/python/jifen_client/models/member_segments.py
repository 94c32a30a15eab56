from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.member_segment_out import MemberSegmentOut
    from ..models.member_segments_features import MemberSegmentsFeatures


T = TypeVar("T", bound="MemberSegments")


@_attrs_define
class MemberSegments:
    """A member's segments, with the features they were judged by.

    Attributes:
        data (list[MemberSegmentOut]):
        features (MemberSegmentsFeatures): The member's features now, as conditions read them.
    """

    data: list[MemberSegmentOut]
    features: MemberSegmentsFeatures
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        features = self.features.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "features": features,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.member_segment_out import MemberSegmentOut  # noqa: PLC0415
        from ..models.member_segments_features import MemberSegmentsFeatures  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = MemberSegmentOut.from_dict(data_item_data)

            data.append(data_item)

        features = MemberSegmentsFeatures.from_dict(d.pop("features"))

        member_segments = cls(
            data=data,
            features=features,
        )

        member_segments.additional_properties = d
        return member_segments

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
