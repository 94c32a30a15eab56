from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.delivery_out import DeliveryOut
    from ..models.message_out_data import MessageOutData


T = TypeVar("T", bound="MessageOut")


@_attrs_define
class MessageOut:
    """A message of the outbox.

    Attributes:
        created_at (datetime.datetime):
        data (MessageOutData): The `data` of the body.
        id (str): `msg_…`: the `webhook-id` header, the same at every attempt; receivers deduplicate by it.
        kind (str): Its kind: the `type` of the body.
        deliveries (list[DeliveryOut] | None | Unset): Its deliveries (one per endpoint it was fanned out to), when one
            message is shown.
    """

    created_at: datetime.datetime
    data: MessageOutData
    id: str
    kind: str
    deliveries: list[DeliveryOut] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        data = self.data.to_dict()

        id = self.id

        kind = self.kind

        deliveries: list[dict[str, Any]] | None | Unset
        if isinstance(self.deliveries, Unset):
            deliveries = UNSET
        elif isinstance(self.deliveries, list):
            deliveries = []
            for deliveries_type_0_item_data in self.deliveries:
                deliveries_type_0_item = deliveries_type_0_item_data.to_dict()
                deliveries.append(deliveries_type_0_item)

        else:
            deliveries = self.deliveries

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "data": data,
                "id": id,
                "kind": kind,
            }
        )
        if deliveries is not UNSET:
            field_dict["deliveries"] = deliveries

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.delivery_out import DeliveryOut  # noqa: PLC0415
        from ..models.message_out_data import MessageOutData  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        data = MessageOutData.from_dict(d.pop("data"))

        id = d.pop("id")

        kind = d.pop("kind")

        def _parse_deliveries(data: object) -> list[DeliveryOut] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                deliveries_type_0 = []
                _deliveries_type_0 = data
                for deliveries_type_0_item_data in _deliveries_type_0:
                    deliveries_type_0_item = DeliveryOut.from_dict(deliveries_type_0_item_data)

                    deliveries_type_0.append(deliveries_type_0_item)

                return deliveries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[DeliveryOut] | None | Unset, data)

        deliveries = _parse_deliveries(d.pop("deliveries", UNSET))

        message_out = cls(
            created_at=created_at,
            data=data,
            id=id,
            kind=kind,
            deliveries=deliveries,
        )

        message_out.additional_properties = d
        return message_out

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
