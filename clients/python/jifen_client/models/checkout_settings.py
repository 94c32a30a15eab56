from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.checkout_settings_points_as_cash_type_0 import CheckoutSettingsPointsAsCashType0


T = TypeVar("T", bound="CheckoutSettings")


@_attrs_define
class CheckoutSettings:
    """How a program's checkouts work.

    Attributes:
        gift_hours (int | Unset): How long a gifted voucher waits for its friend before it returns to the sender.
        points_as_cash (CheckoutSettingsPointsAsCashType0 | None | Unset): Points as cash: `points` points pay `fen`
            fen, for at most `max_share_percent` of what
            is left to pay after vouchers. Absent: points do not pay at checkout.
        reservation_minutes (int | Unset): How long a redeemed checkout holds its points and vouchers before they are
            released.
    """

    gift_hours: int | Unset = UNSET
    points_as_cash: CheckoutSettingsPointsAsCashType0 | None | Unset = UNSET
    reservation_minutes: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.checkout_settings_points_as_cash_type_0 import CheckoutSettingsPointsAsCashType0  # noqa: PLC0415

        gift_hours = self.gift_hours

        points_as_cash: dict[str, Any] | None | Unset
        if isinstance(self.points_as_cash, Unset):
            points_as_cash = UNSET
        elif isinstance(self.points_as_cash, CheckoutSettingsPointsAsCashType0):
            points_as_cash = self.points_as_cash.to_dict()
        else:
            points_as_cash = self.points_as_cash

        reservation_minutes = self.reservation_minutes

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if gift_hours is not UNSET:
            field_dict["gift_hours"] = gift_hours
        if points_as_cash is not UNSET:
            field_dict["points_as_cash"] = points_as_cash
        if reservation_minutes is not UNSET:
            field_dict["reservation_minutes"] = reservation_minutes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.checkout_settings_points_as_cash_type_0 import CheckoutSettingsPointsAsCashType0  # noqa: PLC0415

        d = dict(src_dict)
        gift_hours = d.pop("gift_hours", UNSET)

        def _parse_points_as_cash(data: object) -> CheckoutSettingsPointsAsCashType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                points_as_cash_type_0 = CheckoutSettingsPointsAsCashType0.from_dict(data)

                return points_as_cash_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CheckoutSettingsPointsAsCashType0 | None | Unset, data)

        points_as_cash = _parse_points_as_cash(d.pop("points_as_cash", UNSET))

        reservation_minutes = d.pop("reservation_minutes", UNSET)

        checkout_settings = cls(
            gift_hours=gift_hours,
            points_as_cash=points_as_cash,
            reservation_minutes=reservation_minutes,
        )

        return checkout_settings
