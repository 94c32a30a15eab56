from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.backtest_in_rules_item import BacktestInRulesItem


T = TypeVar("T", bound="BacktestIn")


@_attrs_define
class BacktestIn:
    """A backtest to run: a window of past events and the draft rules to judge them by.

    Attributes:
        from_ (datetime.datetime): Events that occurred from this instant…
        to (datetime.datetime): …until this one (exclusive).
        drafts_only (bool | Unset): Judge by the drafts alone instead of the saved rules with the drafts in place.
        point_value_fen (float | None | Unset): What one point costs the brand, in fen (default 1: 100 points = ¥1).
        rules (list[BacktestInRulesItem] | Unset): Draft rules (`{"id": …, …the rule}`): each replaces the saved rule of
            its id, or adds one.
    """

    from_: datetime.datetime
    to: datetime.datetime
    drafts_only: bool | Unset = UNSET
    point_value_fen: float | None | Unset = UNSET
    rules: list[BacktestInRulesItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_.isoformat()

        to = self.to.isoformat()

        drafts_only = self.drafts_only

        point_value_fen: float | None | Unset
        if isinstance(self.point_value_fen, Unset):
            point_value_fen = UNSET
        else:
            point_value_fen = self.point_value_fen

        rules: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.rules, Unset):
            rules = []
            for rules_item_data in self.rules:
                rules_item = rules_item_data.to_dict()
                rules.append(rules_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "to": to,
            }
        )
        if drafts_only is not UNSET:
            field_dict["drafts_only"] = drafts_only
        if point_value_fen is not UNSET:
            field_dict["point_value_fen"] = point_value_fen
        if rules is not UNSET:
            field_dict["rules"] = rules

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.backtest_in_rules_item import BacktestInRulesItem  # noqa: PLC0415

        d = dict(src_dict)
        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        to = datetime.datetime.fromisoformat(d.pop("to"))

        drafts_only = d.pop("drafts_only", UNSET)

        def _parse_point_value_fen(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        point_value_fen = _parse_point_value_fen(d.pop("point_value_fen", UNSET))

        _rules = d.pop("rules", UNSET)
        rules: list[BacktestInRulesItem] | Unset = UNSET
        if _rules is not UNSET:
            rules = []
            for rules_item_data in _rules:
                rules_item = BacktestInRulesItem.from_dict(rules_item_data)

                rules.append(rules_item)

        backtest_in = cls(
            from_=from_,
            to=to,
            drafts_only=drafts_only,
            point_value_fen=point_value_fen,
            rules=rules,
        )

        return backtest_in
