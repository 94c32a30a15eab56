from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.referral_code_out_boost_type_0 import ReferralCodeOutBoostType0
    from ..models.referral_code_out_friends import ReferralCodeOutFriends
    from ..models.referral_code_out_referred_by_type_0 import ReferralCodeOutReferredByType0


T = TypeVar("T", bound="ReferralCodeOut")


@_attrs_define
class ReferralCodeOut:
    """A member's referral code, what they share, and where they stand.

    Attributes:
        code (str): 8 characters without `0`, `O`, `1` or `I`; stable for the member.
        friends (ReferralCodeOutFriends): Friends by status (the member as a referrer).
        link (str): The portal page a friend opens (a path on this server).
        member (str):
        qr_svg (str): The QR code of the link, as SVG.
        boost (None | ReferralCodeOutBoostType0 | Unset): The member's boost active now, if any.
        referred_by (None | ReferralCodeOutReferredByType0 | Unset): The referral that brought the member, if any.
    """

    code: str
    friends: ReferralCodeOutFriends
    link: str
    member: str
    qr_svg: str
    boost: None | ReferralCodeOutBoostType0 | Unset = UNSET
    referred_by: None | ReferralCodeOutReferredByType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.referral_code_out_boost_type_0 import ReferralCodeOutBoostType0  # noqa: PLC0415
        from ..models.referral_code_out_referred_by_type_0 import ReferralCodeOutReferredByType0  # noqa: PLC0415

        code = self.code

        friends = self.friends.to_dict()

        link = self.link

        member = self.member

        qr_svg = self.qr_svg

        boost: dict[str, Any] | None | Unset
        if isinstance(self.boost, Unset):
            boost = UNSET
        elif isinstance(self.boost, ReferralCodeOutBoostType0):
            boost = self.boost.to_dict()
        else:
            boost = self.boost

        referred_by: dict[str, Any] | None | Unset
        if isinstance(self.referred_by, Unset):
            referred_by = UNSET
        elif isinstance(self.referred_by, ReferralCodeOutReferredByType0):
            referred_by = self.referred_by.to_dict()
        else:
            referred_by = self.referred_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "friends": friends,
                "link": link,
                "member": member,
                "qr_svg": qr_svg,
            }
        )
        if boost is not UNSET:
            field_dict["boost"] = boost
        if referred_by is not UNSET:
            field_dict["referred_by"] = referred_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.referral_code_out_boost_type_0 import ReferralCodeOutBoostType0  # noqa: PLC0415
        from ..models.referral_code_out_friends import ReferralCodeOutFriends  # noqa: PLC0415
        from ..models.referral_code_out_referred_by_type_0 import ReferralCodeOutReferredByType0  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        friends = ReferralCodeOutFriends.from_dict(d.pop("friends"))

        link = d.pop("link")

        member = d.pop("member")

        qr_svg = d.pop("qr_svg")

        def _parse_boost(data: object) -> None | ReferralCodeOutBoostType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                boost_type_0 = ReferralCodeOutBoostType0.from_dict(data)

                return boost_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReferralCodeOutBoostType0 | Unset, data)

        boost = _parse_boost(d.pop("boost", UNSET))

        def _parse_referred_by(data: object) -> None | ReferralCodeOutReferredByType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                referred_by_type_0 = ReferralCodeOutReferredByType0.from_dict(data)

                return referred_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReferralCodeOutReferredByType0 | Unset, data)

        referred_by = _parse_referred_by(d.pop("referred_by", UNSET))

        referral_code_out = cls(
            code=code,
            friends=friends,
            link=link,
            member=member,
            qr_svg=qr_svg,
            boost=boost,
            referred_by=referred_by,
        )

        referral_code_out.additional_properties = d
        return referral_code_out

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
