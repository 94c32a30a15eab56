from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_type_out_schema_type_0 import EventTypeOutSchemaType0


T = TypeVar("T", bound="EventTypeOut")


@_attrs_define
class EventTypeOut:
    """An event type: built in, or declared by the program.

    Attributes:
        builtin (bool):
        name (str):
        description (str | Unset):
        once_per_member (bool | Unset): Recorded every time, rewarded once per member.
        schema (EventTypeOutSchemaType0 | None | Unset):
    """

    builtin: bool
    name: str
    description: str | Unset = UNSET
    once_per_member: bool | Unset = UNSET
    schema: EventTypeOutSchemaType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.event_type_out_schema_type_0 import EventTypeOutSchemaType0  # noqa: PLC0415

        builtin = self.builtin

        name = self.name

        description = self.description

        once_per_member = self.once_per_member

        schema: dict[str, Any] | None | Unset
        if isinstance(self.schema, Unset):
            schema = UNSET
        elif isinstance(self.schema, EventTypeOutSchemaType0):
            schema = self.schema.to_dict()
        else:
            schema = self.schema

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "builtin": builtin,
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if once_per_member is not UNSET:
            field_dict["once_per_member"] = once_per_member
        if schema is not UNSET:
            field_dict["schema"] = schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_type_out_schema_type_0 import EventTypeOutSchemaType0  # noqa: PLC0415

        d = dict(src_dict)
        builtin = d.pop("builtin")

        name = d.pop("name")

        description = d.pop("description", UNSET)

        once_per_member = d.pop("once_per_member", UNSET)

        def _parse_schema(data: object) -> EventTypeOutSchemaType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                schema_type_0 = EventTypeOutSchemaType0.from_dict(data)

                return schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EventTypeOutSchemaType0 | None | Unset, data)

        schema = _parse_schema(d.pop("schema", UNSET))

        event_type_out = cls(
            builtin=builtin,
            name=name,
            description=description,
            once_per_member=once_per_member,
            schema=schema,
        )

        event_type_out.additional_properties = d
        return event_type_out

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
