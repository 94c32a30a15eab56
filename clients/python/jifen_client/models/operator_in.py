from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="OperatorIn")


@_attrs_define
class OperatorIn:
    """A role for an operator, and a name for a new account.

    Attributes:
        role (str): `owner`, `marketer`, `support` or `viewer`.
        name (None | str | Unset): The name of a new account (an existing account keeps its own); default: the email's
            part before `@`.
    """

    role: str
    name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        role = self.role

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = d.pop("role")

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        operator_in = cls(
            role=role,
            name=name,
        )

        return operator_in
