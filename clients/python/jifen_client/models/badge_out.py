from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.badge_level_out import BadgeLevelOut


T = TypeVar("T", bound="BadgeOut")


@_attrs_define
class BadgeOut:
    """A badge definition with its statistics.

    Attributes:
        automatic (bool): Whether levels are awarded by their criteria (else only by rules' `award_badge`).
        created_at (datetime.datetime):
        id (str):
        levels (list[BadgeLevelOut]):
        name (str):
        status (str): `active` (awarded) or `archived` (no longer awarded; members keep what they earned).
        updated_at (datetime.datetime):
        description (str | Unset):
        image_url (None | str | Unset): The address of the badge's image (`PUT /v1/badges/{id}/image`), relative to the
            server.
    """

    automatic: bool
    created_at: datetime.datetime
    id: str
    levels: list[BadgeLevelOut]
    name: str
    status: str
    updated_at: datetime.datetime
    description: str | Unset = UNSET
    image_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        automatic = self.automatic

        created_at = self.created_at.isoformat()

        id = self.id

        levels = []
        for levels_item_data in self.levels:
            levels_item = levels_item_data.to_dict()
            levels.append(levels_item)

        name = self.name

        status = self.status

        updated_at = self.updated_at.isoformat()

        description = self.description

        image_url: None | str | Unset
        if isinstance(self.image_url, Unset):
            image_url = UNSET
        else:
            image_url = self.image_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "automatic": automatic,
                "created_at": created_at,
                "id": id,
                "levels": levels,
                "name": name,
                "status": status,
                "updated_at": updated_at,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if image_url is not UNSET:
            field_dict["image_url"] = image_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.badge_level_out import BadgeLevelOut  # noqa: PLC0415

        d = dict(src_dict)
        automatic = d.pop("automatic")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        levels = []
        _levels = d.pop("levels")
        for levels_item_data in _levels:
            levels_item = BadgeLevelOut.from_dict(levels_item_data)

            levels.append(levels_item)

        name = d.pop("name")

        status = d.pop("status")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        description = d.pop("description", UNSET)

        def _parse_image_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image_url = _parse_image_url(d.pop("image_url", UNSET))

        badge_out = cls(
            automatic=automatic,
            created_at=created_at,
            id=id,
            levels=levels,
            name=name,
            status=status,
            updated_at=updated_at,
            description=description,
            image_url=image_url,
        )

        badge_out.additional_properties = d
        return badge_out

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
