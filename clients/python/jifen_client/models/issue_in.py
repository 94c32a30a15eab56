from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="IssueIn")


@_attrs_define
class IssueIn:
    """A voucher to issue to a member.

    Attributes:
        id (str): Chosen by the client; the idempotency key.
        template (str):
    """

    id: str
    template: str

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        template = self.template

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "template": template,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        template = d.pop("template")

        issue_in = cls(
            id=id,
            template=template,
        )

        return issue_in
