from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.gift_out import GiftOut
    from ..models.issued import Issued
    from ..models.reward_redemption_out_details import RewardRedemptionOutDetails


T = TypeVar("T", bound="RewardRedemptionOut")


@_attrs_define
class RewardRedemptionOut:
    """A redemption of a catalog item.

    Attributes:
        created_at (datetime.datetime):
        details (RewardRedemptionOutDetails): Shipping, tracking and notes.
        id (str):
        issued (Issued): What a redemption issued.
        member (str):
        points (int): Points spent (returned when cancelled).
        quantity (int):
        reward_id (str):
        status (str): `issued`, `requested`, `shipped`, `delivered` or `cancelled`.
        updated_at (datetime.datetime):
        gift (GiftOut | None | Unset):
    """

    created_at: datetime.datetime
    details: RewardRedemptionOutDetails
    id: str
    issued: Issued
    member: str
    points: int
    quantity: int
    reward_id: str
    status: str
    updated_at: datetime.datetime
    gift: GiftOut | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.gift_out import GiftOut  # noqa: PLC0415

        created_at = self.created_at.isoformat()

        details = self.details.to_dict()

        id = self.id

        issued = self.issued.to_dict()

        member = self.member

        points = self.points

        quantity = self.quantity

        reward_id = self.reward_id

        status = self.status

        updated_at = self.updated_at.isoformat()

        gift: dict[str, Any] | None | Unset
        if isinstance(self.gift, Unset):
            gift = UNSET
        elif isinstance(self.gift, GiftOut):
            gift = self.gift.to_dict()
        else:
            gift = self.gift

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "details": details,
                "id": id,
                "issued": issued,
                "member": member,
                "points": points,
                "quantity": quantity,
                "reward_id": reward_id,
                "status": status,
                "updated_at": updated_at,
            }
        )
        if gift is not UNSET:
            field_dict["gift"] = gift

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gift_out import GiftOut  # noqa: PLC0415
        from ..models.issued import Issued  # noqa: PLC0415
        from ..models.reward_redemption_out_details import RewardRedemptionOutDetails  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        details = RewardRedemptionOutDetails.from_dict(d.pop("details"))

        id = d.pop("id")

        issued = Issued.from_dict(d.pop("issued"))

        member = d.pop("member")

        points = d.pop("points")

        quantity = d.pop("quantity")

        reward_id = d.pop("reward_id")

        status = d.pop("status")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_gift(data: object) -> GiftOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                gift_type_1 = GiftOut.from_dict(data)

                return gift_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GiftOut | None | Unset, data)

        gift = _parse_gift(d.pop("gift", UNSET))

        reward_redemption_out = cls(
            created_at=created_at,
            details=details,
            id=id,
            issued=issued,
            member=member,
            points=points,
            quantity=quantity,
            reward_id=reward_id,
            status=status,
            updated_at=updated_at,
            gift=gift,
        )

        reward_redemption_out.additional_properties = d
        return reward_redemption_out

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
