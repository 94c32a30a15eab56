from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="GenerateIn")


@_attrs_define
class GenerateIn:
    """Public codes to generate.

    Attributes:
        count (int): How many codes (1–10,000).
        id (str): Chosen by the client; the idempotency key.
        max_uses (int | None | Unset): Uses of each code across all members (its total cap; each member uses one once).
            Default: the template's `max_uses`.
        prefix (None | str | Unset): What the codes of this batch start with (1–8 of
            `23456789ABCDEFGHJKLMNPQRSTUVWXYZ`).
            Default: the template's `code_prefix`.
    """

    count: int
    id: str
    max_uses: int | None | Unset = UNSET
    prefix: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        id = self.id

        max_uses: int | None | Unset
        if isinstance(self.max_uses, Unset):
            max_uses = UNSET
        else:
            max_uses = self.max_uses

        prefix: None | str | Unset
        if isinstance(self.prefix, Unset):
            prefix = UNSET
        else:
            prefix = self.prefix

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "id": id,
            }
        )
        if max_uses is not UNSET:
            field_dict["max_uses"] = max_uses
        if prefix is not UNSET:
            field_dict["prefix"] = prefix

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        count = d.pop("count")

        id = d.pop("id")

        def _parse_max_uses(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_uses = _parse_max_uses(d.pop("max_uses", UNSET))

        def _parse_prefix(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prefix = _parse_prefix(d.pop("prefix", UNSET))

        generate_in = cls(
            count=count,
            id=id,
            max_uses=max_uses,
            prefix=prefix,
        )

        return generate_in
