from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.member_batch_result_error_type_0 import MemberBatchResultErrorType0


T = TypeVar("T", bound="MemberBatchResult")


@_attrs_define
class MemberBatchResult:
    """What one member of a batch did.

    Attributes:
        index (int): The member's position in `members`.
        status (str): `created`, `updated`, `unchanged` (the member was exactly so already: nothing was
            written), or `failed` (nothing of this member was written).
        error (MemberBatchResultErrorType0 | None | Unset): Why a `failed` member was refused: `code`, `message`,
            `field`
            (`members[3].phone`), `doc`.
        external_id (None | str | Unset): `null` when the item has no valid `external_id`.
    """

    index: int
    status: str
    error: MemberBatchResultErrorType0 | None | Unset = UNSET
    external_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.member_batch_result_error_type_0 import MemberBatchResultErrorType0  # noqa: PLC0415

        index = self.index

        status = self.status

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, MemberBatchResultErrorType0):
            error = self.error.to_dict()
        else:
            error = self.error

        external_id: None | str | Unset
        if isinstance(self.external_id, Unset):
            external_id = UNSET
        else:
            external_id = self.external_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "status": status,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error
        if external_id is not UNSET:
            field_dict["external_id"] = external_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.member_batch_result_error_type_0 import MemberBatchResultErrorType0  # noqa: PLC0415

        d = dict(src_dict)
        index = d.pop("index")

        status = d.pop("status")

        def _parse_error(data: object) -> MemberBatchResultErrorType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = MemberBatchResultErrorType0.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MemberBatchResultErrorType0 | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_external_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        external_id = _parse_external_id(d.pop("external_id", UNSET))

        member_batch_result = cls(
            index=index,
            status=status,
            error=error,
            external_id=external_id,
        )

        member_batch_result.additional_properties = d
        return member_batch_result

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
