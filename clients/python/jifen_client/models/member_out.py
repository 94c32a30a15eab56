from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.identity_in import IdentityIn
    from ..models.member_out_attributes import MemberOutAttributes
    from ..models.member_out_boost_type_0 import MemberOutBoostType0
    from ..models.member_out_referral_type_0 import MemberOutReferralType0
    from ..models.standing_out import StandingOut


T = TypeVar("T", bound="MemberOut")


@_attrs_define
class MemberOut:
    """A member.

    Attributes:
        attributes (MemberOutAttributes):
        enrolled_at (datetime.datetime):
        external_id (str):
        identities (list[IdentityIn]):
        status (str):
        updated_at (datetime.datetime):
        birthday (datetime.date | None | Unset):
        boost (MemberOutBoostType0 | None | Unset): The member's earn multiplier active now, from a referral milestone:
            `{"factor": 2, "since": …, "until": …, "source": …}` (shown by `GET`).
        city (None | str | Unset):
        gender (None | str | Unset):
        name (None | str | Unset):
        phone (None | str | Unset):
        referral (MemberOutReferralType0 | None | Unset): The referral that brought the member (answered by `PUT` with a
            `referral_code`, and by
            `GET /v1/members/{external_id}`): referrer, status, points.
        tier (None | StandingOut | Unset):
    """

    attributes: MemberOutAttributes
    enrolled_at: datetime.datetime
    external_id: str
    identities: list[IdentityIn]
    status: str
    updated_at: datetime.datetime
    birthday: datetime.date | None | Unset = UNSET
    boost: MemberOutBoostType0 | None | Unset = UNSET
    city: None | str | Unset = UNSET
    gender: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    phone: None | str | Unset = UNSET
    referral: MemberOutReferralType0 | None | Unset = UNSET
    tier: None | StandingOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.member_out_boost_type_0 import MemberOutBoostType0  # noqa: PLC0415
        from ..models.member_out_referral_type_0 import MemberOutReferralType0  # noqa: PLC0415
        from ..models.standing_out import StandingOut  # noqa: PLC0415

        attributes = self.attributes.to_dict()

        enrolled_at = self.enrolled_at.isoformat()

        external_id = self.external_id

        identities = []
        for identities_item_data in self.identities:
            identities_item = identities_item_data.to_dict()
            identities.append(identities_item)

        status = self.status

        updated_at = self.updated_at.isoformat()

        birthday: None | str | Unset
        if isinstance(self.birthday, Unset):
            birthday = UNSET
        elif isinstance(self.birthday, datetime.date):
            birthday = self.birthday.isoformat()
        else:
            birthday = self.birthday

        boost: dict[str, Any] | None | Unset
        if isinstance(self.boost, Unset):
            boost = UNSET
        elif isinstance(self.boost, MemberOutBoostType0):
            boost = self.boost.to_dict()
        else:
            boost = self.boost

        city: None | str | Unset
        if isinstance(self.city, Unset):
            city = UNSET
        else:
            city = self.city

        gender: None | str | Unset
        if isinstance(self.gender, Unset):
            gender = UNSET
        else:
            gender = self.gender

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        phone: None | str | Unset
        if isinstance(self.phone, Unset):
            phone = UNSET
        else:
            phone = self.phone

        referral: dict[str, Any] | None | Unset
        if isinstance(self.referral, Unset):
            referral = UNSET
        elif isinstance(self.referral, MemberOutReferralType0):
            referral = self.referral.to_dict()
        else:
            referral = self.referral

        tier: dict[str, Any] | None | Unset
        if isinstance(self.tier, Unset):
            tier = UNSET
        elif isinstance(self.tier, StandingOut):
            tier = self.tier.to_dict()
        else:
            tier = self.tier

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attributes": attributes,
                "enrolled_at": enrolled_at,
                "external_id": external_id,
                "identities": identities,
                "status": status,
                "updated_at": updated_at,
            }
        )
        if birthday is not UNSET:
            field_dict["birthday"] = birthday
        if boost is not UNSET:
            field_dict["boost"] = boost
        if city is not UNSET:
            field_dict["city"] = city
        if gender is not UNSET:
            field_dict["gender"] = gender
        if name is not UNSET:
            field_dict["name"] = name
        if phone is not UNSET:
            field_dict["phone"] = phone
        if referral is not UNSET:
            field_dict["referral"] = referral
        if tier is not UNSET:
            field_dict["tier"] = tier

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.identity_in import IdentityIn  # noqa: PLC0415
        from ..models.member_out_attributes import MemberOutAttributes  # noqa: PLC0415
        from ..models.member_out_boost_type_0 import MemberOutBoostType0  # noqa: PLC0415
        from ..models.member_out_referral_type_0 import MemberOutReferralType0  # noqa: PLC0415
        from ..models.standing_out import StandingOut  # noqa: PLC0415

        d = dict(src_dict)
        attributes = MemberOutAttributes.from_dict(d.pop("attributes"))

        enrolled_at = datetime.datetime.fromisoformat(d.pop("enrolled_at"))

        external_id = d.pop("external_id")

        identities = []
        _identities = d.pop("identities")
        for identities_item_data in _identities:
            identities_item = IdentityIn.from_dict(identities_item_data)

            identities.append(identities_item)

        status = d.pop("status")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_birthday(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                birthday_type_0 = datetime.date.fromisoformat(data)

                return birthday_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        birthday = _parse_birthday(d.pop("birthday", UNSET))

        def _parse_boost(data: object) -> MemberOutBoostType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                boost_type_0 = MemberOutBoostType0.from_dict(data)

                return boost_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MemberOutBoostType0 | None | Unset, data)

        boost = _parse_boost(d.pop("boost", UNSET))

        def _parse_city(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        city = _parse_city(d.pop("city", UNSET))

        def _parse_gender(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gender = _parse_gender(d.pop("gender", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone = _parse_phone(d.pop("phone", UNSET))

        def _parse_referral(data: object) -> MemberOutReferralType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                referral_type_0 = MemberOutReferralType0.from_dict(data)

                return referral_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MemberOutReferralType0 | None | Unset, data)

        referral = _parse_referral(d.pop("referral", UNSET))

        def _parse_tier(data: object) -> None | StandingOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tier_type_1 = StandingOut.from_dict(data)

                return tier_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StandingOut | Unset, data)

        tier = _parse_tier(d.pop("tier", UNSET))

        member_out = cls(
            attributes=attributes,
            enrolled_at=enrolled_at,
            external_id=external_id,
            identities=identities,
            status=status,
            updated_at=updated_at,
            birthday=birthday,
            boost=boost,
            city=city,
            gender=gender,
            name=name,
            phone=phone,
            referral=referral,
            tier=tier,
        )

        member_out.additional_properties = d
        return member_out

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
