from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.entry_out import EntryOut
    from ..models.error_detail import ErrorDetail
    from ..models.event_result_actions_type_0_item import EventResultActionsType0Item
    from ..models.event_result_rules_type_0_item import EventResultRulesType0Item
    from ..models.event_result_tier_type_0 import EventResultTierType0


T = TypeVar("T", bound="EventResult")


@_attrs_define
class EventResult:
    """What one event caused.

    Attributes:
        id (None | str): The event's id; in a batch, `null` for a failed event whose `id` was missing or not a
            string.
        status (str): `processed` or `failed`.
        actions (list[EventResultActionsType0Item] | None | Unset): What the fired rules did besides points: meters,
            tags, notifications, vouchers.
        entries (list[EntryOut] | None | Unset):
        error (ErrorDetail | None | Unset):
        guest (bool | None | Unset):
        member (None | str | Unset):
        points (int | None | Unset): Net points the event moved (earned, or clawed back as a negative number).
        repeat (bool | None | Unset): `true` when the id was recorded before: this is the first answer, and nothing
            changed.
        rules (list[EventResultRulesType0Item] | None | Unset): Each rule judged: `rule`, `version`, `outcome` (`fired`,
            `condition_false`,
            `limit_reached`…) and what it gave or why it did not fire.
        tier (EventResultTierType0 | None | Unset): The member's tier change the event caused, if any.
        type_ (None | str | Unset):
    """

    id: None | str
    status: str
    actions: list[EventResultActionsType0Item] | None | Unset = UNSET
    entries: list[EntryOut] | None | Unset = UNSET
    error: ErrorDetail | None | Unset = UNSET
    guest: bool | None | Unset = UNSET
    member: None | str | Unset = UNSET
    points: int | None | Unset = UNSET
    repeat: bool | None | Unset = UNSET
    rules: list[EventResultRulesType0Item] | None | Unset = UNSET
    tier: EventResultTierType0 | None | Unset = UNSET
    type_: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_detail import ErrorDetail  # noqa: PLC0415
        from ..models.event_result_tier_type_0 import EventResultTierType0  # noqa: PLC0415

        id: None | str
        id = self.id

        status = self.status

        actions: list[dict[str, Any]] | None | Unset
        if isinstance(self.actions, Unset):
            actions = UNSET
        elif isinstance(self.actions, list):
            actions = []
            for actions_type_0_item_data in self.actions:
                actions_type_0_item = actions_type_0_item_data.to_dict()
                actions.append(actions_type_0_item)

        else:
            actions = self.actions

        entries: list[dict[str, Any]] | None | Unset
        if isinstance(self.entries, Unset):
            entries = UNSET
        elif isinstance(self.entries, list):
            entries = []
            for entries_type_0_item_data in self.entries:
                entries_type_0_item = entries_type_0_item_data.to_dict()
                entries.append(entries_type_0_item)

        else:
            entries = self.entries

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, ErrorDetail):
            error = self.error.to_dict()
        else:
            error = self.error

        guest: bool | None | Unset
        if isinstance(self.guest, Unset):
            guest = UNSET
        else:
            guest = self.guest

        member: None | str | Unset
        if isinstance(self.member, Unset):
            member = UNSET
        else:
            member = self.member

        points: int | None | Unset
        if isinstance(self.points, Unset):
            points = UNSET
        else:
            points = self.points

        repeat: bool | None | Unset
        if isinstance(self.repeat, Unset):
            repeat = UNSET
        else:
            repeat = self.repeat

        rules: list[dict[str, Any]] | None | Unset
        if isinstance(self.rules, Unset):
            rules = UNSET
        elif isinstance(self.rules, list):
            rules = []
            for rules_type_0_item_data in self.rules:
                rules_type_0_item = rules_type_0_item_data.to_dict()
                rules.append(rules_type_0_item)

        else:
            rules = self.rules

        tier: dict[str, Any] | None | Unset
        if isinstance(self.tier, Unset):
            tier = UNSET
        elif isinstance(self.tier, EventResultTierType0):
            tier = self.tier.to_dict()
        else:
            tier = self.tier

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
            }
        )
        if actions is not UNSET:
            field_dict["actions"] = actions
        if entries is not UNSET:
            field_dict["entries"] = entries
        if error is not UNSET:
            field_dict["error"] = error
        if guest is not UNSET:
            field_dict["guest"] = guest
        if member is not UNSET:
            field_dict["member"] = member
        if points is not UNSET:
            field_dict["points"] = points
        if repeat is not UNSET:
            field_dict["repeat"] = repeat
        if rules is not UNSET:
            field_dict["rules"] = rules
        if tier is not UNSET:
            field_dict["tier"] = tier
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.entry_out import EntryOut  # noqa: PLC0415
        from ..models.error_detail import ErrorDetail  # noqa: PLC0415
        from ..models.event_result_actions_type_0_item import EventResultActionsType0Item  # noqa: PLC0415
        from ..models.event_result_rules_type_0_item import EventResultRulesType0Item  # noqa: PLC0415
        from ..models.event_result_tier_type_0 import EventResultTierType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        id = _parse_id(d.pop("id"))

        status = d.pop("status")

        def _parse_actions(data: object) -> list[EventResultActionsType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                actions_type_0 = []
                _actions_type_0 = data
                for actions_type_0_item_data in _actions_type_0:
                    actions_type_0_item = EventResultActionsType0Item.from_dict(actions_type_0_item_data)

                    actions_type_0.append(actions_type_0_item)

                return actions_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EventResultActionsType0Item] | None | Unset, data)

        actions = _parse_actions(d.pop("actions", UNSET))

        def _parse_entries(data: object) -> list[EntryOut] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                entries_type_0 = []
                _entries_type_0 = data
                for entries_type_0_item_data in _entries_type_0:
                    entries_type_0_item = EntryOut.from_dict(entries_type_0_item_data)

                    entries_type_0.append(entries_type_0_item)

                return entries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EntryOut] | None | Unset, data)

        entries = _parse_entries(d.pop("entries", UNSET))

        def _parse_error(data: object) -> ErrorDetail | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_1 = ErrorDetail.from_dict(data)

                return error_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ErrorDetail | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_guest(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        guest = _parse_guest(d.pop("guest", UNSET))

        def _parse_member(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        member = _parse_member(d.pop("member", UNSET))

        def _parse_points(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        points = _parse_points(d.pop("points", UNSET))

        def _parse_repeat(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        repeat = _parse_repeat(d.pop("repeat", UNSET))

        def _parse_rules(data: object) -> list[EventResultRulesType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                rules_type_0 = []
                _rules_type_0 = data
                for rules_type_0_item_data in _rules_type_0:
                    rules_type_0_item = EventResultRulesType0Item.from_dict(rules_type_0_item_data)

                    rules_type_0.append(rules_type_0_item)

                return rules_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EventResultRulesType0Item] | None | Unset, data)

        rules = _parse_rules(d.pop("rules", UNSET))

        def _parse_tier(data: object) -> EventResultTierType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tier_type_0 = EventResultTierType0.from_dict(data)

                return tier_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EventResultTierType0 | None | Unset, data)

        tier = _parse_tier(d.pop("tier", UNSET))

        def _parse_type_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        event_result = cls(
            id=id,
            status=status,
            actions=actions,
            entries=entries,
            error=error,
            guest=guest,
            member=member,
            points=points,
            repeat=repeat,
            rules=rules,
            tier=tier,
            type_=type_,
        )

        event_result.additional_properties = d
        return event_result

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
