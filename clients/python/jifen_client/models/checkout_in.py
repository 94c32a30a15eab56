from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.checkout_in_cart import CheckoutInCart


T = TypeVar("T", bound="CheckoutIn")


@_attrs_define
class CheckoutIn:
    """A cart to judge or redeem.

    Attributes:
        cart (CheckoutInCart):
        id (None | str | Unset): The checkout's id (the order id is a good one): required to redeem, the idempotency
            key of the redemption.
        member (None | str | Unset): The member's external id; absent for a guest (public codes only, no points).
        points (int | Unset): Points the shopper wants to pay with.
        vouchers (list[str] | Unset): Voucher codes the shopper entered or picked from their wallet.
    """

    cart: CheckoutInCart
    id: None | str | Unset = UNSET
    member: None | str | Unset = UNSET
    points: int | Unset = UNSET
    vouchers: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        cart = self.cart.to_dict()

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        member: None | str | Unset
        if isinstance(self.member, Unset):
            member = UNSET
        else:
            member = self.member

        points = self.points

        vouchers: list[str] | Unset = UNSET
        if not isinstance(self.vouchers, Unset):
            vouchers = self.vouchers

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "cart": cart,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if member is not UNSET:
            field_dict["member"] = member
        if points is not UNSET:
            field_dict["points"] = points
        if vouchers is not UNSET:
            field_dict["vouchers"] = vouchers

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.checkout_in_cart import CheckoutInCart  # noqa: PLC0415

        d = dict(src_dict)
        cart = CheckoutInCart.from_dict(d.pop("cart"))

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_member(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        member = _parse_member(d.pop("member", UNSET))

        points = d.pop("points", UNSET)

        vouchers = cast(list[str], d.pop("vouchers", UNSET))

        checkout_in = cls(
            cart=cart,
            id=id,
            member=member,
            points=points,
            vouchers=vouchers,
        )

        return checkout_in
