from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.simulate_in_events_item import SimulateInEventsItem
    from ..models.simulate_in_rules_item import SimulateInRulesItem


T = TypeVar("T", bound="SimulateIn")


@_attrs_define
class SimulateIn:
    """Events and draft rules to simulate.

    Attributes:
        events (list[SimulateInEventsItem]): Events as `POST /v1/events` takes them (up to 1,000).
        rules (list[SimulateInRulesItem] | Unset): Draft rules (`{"id": …, …the rule}`): each replaces the saved rule of
            its id, or adds one.
    """

    events: list[SimulateInEventsItem]
    rules: list[SimulateInRulesItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        rules: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.rules, Unset):
            rules = []
            for rules_item_data in self.rules:
                rules_item = rules_item_data.to_dict()
                rules.append(rules_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "events": events,
            }
        )
        if rules is not UNSET:
            field_dict["rules"] = rules

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.simulate_in_events_item import SimulateInEventsItem  # noqa: PLC0415
        from ..models.simulate_in_rules_item import SimulateInRulesItem  # noqa: PLC0415

        d = dict(src_dict)
        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = SimulateInEventsItem.from_dict(events_item_data)

            events.append(events_item)

        _rules = d.pop("rules", UNSET)
        rules: list[SimulateInRulesItem] | Unset = UNSET
        if _rules is not UNSET:
            rules = []
            for rules_item_data in _rules:
                rules_item = SimulateInRulesItem.from_dict(rules_item_data)

                rules.append(rules_item)

        simulate_in = cls(
            events=events,
            rules=rules,
        )

        return simulate_in
