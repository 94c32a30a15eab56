from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.gender import Gender
from ..models.member_status import MemberStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.identity_in import IdentityIn
    from ..models.member_in_attributes_type_0 import MemberInAttributesType0


T = TypeVar("T", bound="MemberIn")


@_attrs_define
class MemberIn:
    """A member's profile and identities. Absent fields keep their value; `identities`, when
    present, is the whole list the member keeps (the profile phone is always bound as well).

        Attributes:
            attributes (MemberInAttributesType0 | None | Unset): Any JSON object of the brand's own attributes.
            birthday (None | str | Unset): `YYYY-MM-DD`.
            city (None | str | Unset):
            gender (Gender | None | Unset):
            identities (list[IdentityIn] | None | Unset):
            name (None | str | Unset):
            phone (None | str | Unset): Normalized to E.164 (+86 when no country code is given) and bound as a `phone`
                identity.
            referral_code (None | str | Unset): A referrer's code (8 characters; case and dashes do not matter). Taken only
                when the
                request creates the member: the member is attributed to the code's member, once. For
                an existing member it is ignored. An unknown code is refused with
                `referral_code_unknown` and nothing is written.
            status (MemberStatus | None | Unset):
    """

    attributes: MemberInAttributesType0 | None | Unset = UNSET
    birthday: None | str | Unset = UNSET
    city: None | str | Unset = UNSET
    gender: Gender | None | Unset = UNSET
    identities: list[IdentityIn] | None | Unset = UNSET
    name: None | str | Unset = UNSET
    phone: None | str | Unset = UNSET
    referral_code: None | str | Unset = UNSET
    status: MemberStatus | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.member_in_attributes_type_0 import MemberInAttributesType0  # noqa: PLC0415

        attributes: dict[str, Any] | None | Unset
        if isinstance(self.attributes, Unset):
            attributes = UNSET
        elif isinstance(self.attributes, MemberInAttributesType0):
            attributes = self.attributes.to_dict()
        else:
            attributes = self.attributes

        birthday: None | str | Unset
        if isinstance(self.birthday, Unset):
            birthday = UNSET
        else:
            birthday = self.birthday

        city: None | str | Unset
        if isinstance(self.city, Unset):
            city = UNSET
        else:
            city = self.city

        gender: None | str | Unset
        if isinstance(self.gender, Unset):
            gender = UNSET
        elif isinstance(self.gender, Gender):
            gender = self.gender.value
        else:
            gender = self.gender

        identities: list[dict[str, Any]] | None | Unset
        if isinstance(self.identities, Unset):
            identities = UNSET
        elif isinstance(self.identities, list):
            identities = []
            for identities_type_0_item_data in self.identities:
                identities_type_0_item = identities_type_0_item_data.to_dict()
                identities.append(identities_type_0_item)

        else:
            identities = self.identities

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

        referral_code: None | str | Unset
        if isinstance(self.referral_code, Unset):
            referral_code = UNSET
        else:
            referral_code = self.referral_code

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, MemberStatus):
            status = self.status.value
        else:
            status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if birthday is not UNSET:
            field_dict["birthday"] = birthday
        if city is not UNSET:
            field_dict["city"] = city
        if gender is not UNSET:
            field_dict["gender"] = gender
        if identities is not UNSET:
            field_dict["identities"] = identities
        if name is not UNSET:
            field_dict["name"] = name
        if phone is not UNSET:
            field_dict["phone"] = phone
        if referral_code is not UNSET:
            field_dict["referral_code"] = referral_code
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.identity_in import IdentityIn  # noqa: PLC0415
        from ..models.member_in_attributes_type_0 import MemberInAttributesType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_attributes(data: object) -> MemberInAttributesType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                attributes_type_0 = MemberInAttributesType0.from_dict(data)

                return attributes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MemberInAttributesType0 | None | Unset, data)

        attributes = _parse_attributes(d.pop("attributes", UNSET))

        def _parse_birthday(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        birthday = _parse_birthday(d.pop("birthday", UNSET))

        def _parse_city(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        city = _parse_city(d.pop("city", UNSET))

        def _parse_gender(data: object) -> Gender | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                gender_type_1 = Gender(data)

                return gender_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Gender | None | Unset, data)

        gender = _parse_gender(d.pop("gender", UNSET))

        def _parse_identities(data: object) -> list[IdentityIn] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                identities_type_0 = []
                _identities_type_0 = data
                for identities_type_0_item_data in _identities_type_0:
                    identities_type_0_item = IdentityIn.from_dict(identities_type_0_item_data)

                    identities_type_0.append(identities_type_0_item)

                return identities_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[IdentityIn] | None | Unset, data)

        identities = _parse_identities(d.pop("identities", UNSET))

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

        def _parse_referral_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        referral_code = _parse_referral_code(d.pop("referral_code", UNSET))

        def _parse_status(data: object) -> MemberStatus | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = MemberStatus(data)

                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MemberStatus | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        member_in = cls(
            attributes=attributes,
            birthday=birthday,
            city=city,
            gender=gender,
            identities=identities,
            name=name,
            phone=phone,
            referral_code=referral_code,
            status=status,
        )

        return member_in
