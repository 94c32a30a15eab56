from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.meter_out_spec import MeterOutSpec


T = TypeVar("T", bound="MeterOut")


@_attrs_define
class MeterOut:
    """A meter as declared.

    Attributes:
        name (str):
        spec (MeterOutSpec): `kind` (`sum`, `distinct`, `weighted`), `window`, `parts`, `cap`, `title`, `description`.
    """

    name: str
    spec: MeterOutSpec
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        spec = self.spec.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "spec": spec,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.meter_out_spec import MeterOutSpec  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        spec = MeterOutSpec.from_dict(d.pop("spec"))

        meter_out = cls(
            name=name,
            spec=spec,
        )

        meter_out.additional_properties = d
        return meter_out

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
