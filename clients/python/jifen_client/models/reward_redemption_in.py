from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.gift_option import GiftOption
    from ..models.reward_redemption_in_shipping_type_0 import RewardRedemptionInShippingType0


T = TypeVar("T", bound="RewardRedemptionIn")


@_attrs_define
class RewardRedemptionIn:
    """A redemption asked for.

    Attributes:
        id (str): Chosen by the client; the idempotency key.
        reward_id (str):
        gift (GiftOption | None | Unset):
        quantity (int | Unset):
        shipping (None | RewardRedemptionInShippingType0 | Unset): Where to ship a physical gift (name, phone,
            address…).
    """

    id: str
    reward_id: str
    gift: GiftOption | None | Unset = UNSET
    quantity: int | Unset = UNSET
    shipping: None | RewardRedemptionInShippingType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.gift_option import GiftOption  # noqa: PLC0415
        from ..models.reward_redemption_in_shipping_type_0 import RewardRedemptionInShippingType0  # noqa: PLC0415

        id = self.id

        reward_id = self.reward_id

        gift: dict[str, Any] | None | Unset
        if isinstance(self.gift, Unset):
            gift = UNSET
        elif isinstance(self.gift, GiftOption):
            gift = self.gift.to_dict()
        else:
            gift = self.gift

        quantity = self.quantity

        shipping: dict[str, Any] | None | Unset
        if isinstance(self.shipping, Unset):
            shipping = UNSET
        elif isinstance(self.shipping, RewardRedemptionInShippingType0):
            shipping = self.shipping.to_dict()
        else:
            shipping = self.shipping

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "reward_id": reward_id,
            }
        )
        if gift is not UNSET:
            field_dict["gift"] = gift
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if shipping is not UNSET:
            field_dict["shipping"] = shipping

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gift_option import GiftOption  # noqa: PLC0415
        from ..models.reward_redemption_in_shipping_type_0 import RewardRedemptionInShippingType0  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        reward_id = d.pop("reward_id")

        def _parse_gift(data: object) -> GiftOption | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                gift_type_1 = GiftOption.from_dict(data)

                return gift_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GiftOption | None | Unset, data)

        gift = _parse_gift(d.pop("gift", UNSET))

        quantity = d.pop("quantity", UNSET)

        def _parse_shipping(data: object) -> None | RewardRedemptionInShippingType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                shipping_type_0 = RewardRedemptionInShippingType0.from_dict(data)

                return shipping_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RewardRedemptionInShippingType0 | Unset, data)

        shipping = _parse_shipping(d.pop("shipping", UNSET))

        reward_redemption_in = cls(
            id=id,
            reward_id=reward_id,
            gift=gift,
            quantity=quantity,
            shipping=shipping,
        )

        return reward_redemption_in
