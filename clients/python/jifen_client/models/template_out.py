from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.template_out_template import TemplateOutTemplate


T = TypeVar("T", bound="TemplateOut")


@_attrs_define
class TemplateOut:
    """A voucher template.

    Attributes:
        created_at (datetime.datetime):
        gives (str): What a voucher of it gives ("¥20 off ≥ ¥199, ¥50 off ≥ ¥399").
        id (str):
        template (TemplateOutTemplate):
        updated_at (datetime.datetime):
    """

    created_at: datetime.datetime
    gives: str
    id: str
    template: TemplateOutTemplate
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        gives = self.gives

        id = self.id

        template = self.template.to_dict()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "gives": gives,
                "id": id,
                "template": template,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.template_out_template import TemplateOutTemplate  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        gives = d.pop("gives")

        id = d.pop("id")

        template = TemplateOutTemplate.from_dict(d.pop("template"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        template_out = cls(
            created_at=created_at,
            gives=gives,
            id=id,
            template=template,
            updated_at=updated_at,
        )

        template_out.additional_properties = d
        return template_out

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
