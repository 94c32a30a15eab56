from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_type_in_schema import EventTypeInSchema


T = TypeVar("T", bound="EventTypeIn")


@_attrs_define
class EventTypeIn:
    """An event type a program declares, with a JSON schema for its attributes.

    Attributes:
        schema (EventTypeInSchema): A JSON schema (draft 2020-12 and earlier) the events' `attributes` must satisfy.
        description (str | Unset):
    """

    schema: EventTypeInSchema
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        schema = self.schema.to_dict()

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "schema": schema,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_type_in_schema import EventTypeInSchema  # noqa: PLC0415

        d = dict(src_dict)
        schema = EventTypeInSchema.from_dict(d.pop("schema"))

        description = d.pop("description", UNSET)

        event_type_in = cls(
            schema=schema,
            description=description,
        )

        return event_type_in
