from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="IdentityIn")


@_attrs_define
class IdentityIn:
    """A way to find a member.

    Attributes:
        kind (str): phone, wechat_unionid, wechat_openid, tmall_ouid, email, or a custom kind.
        value (str):
    """

    kind: str
    value: str

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        value = d.pop("value")

        identity_in = cls(
            kind=kind,
            value=value,
        )

        return identity_in
