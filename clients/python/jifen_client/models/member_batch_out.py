from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.member_batch_result import MemberBatchResult


T = TypeVar("T", bound="MemberBatchOut")


@_attrs_define
class MemberBatchOut:
    """The answer to a batch: one result per member, in order.

    Attributes:
        id (str):
        results (list[MemberBatchResult]):
    """

    id: str
    results: list[MemberBatchResult]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "results": results,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.member_batch_result import MemberBatchResult  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = MemberBatchResult.from_dict(results_item_data)

            results.append(results_item)

        member_batch_out = cls(
            id=id,
            results=results,
        )

        member_batch_out.additional_properties = d
        return member_batch_out

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
