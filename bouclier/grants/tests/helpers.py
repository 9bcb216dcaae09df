"""Rules and applications for the computation tests, built without the database."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from bouclier.grants.default_reglement import EQUIPMENT, PREMISES, VIDEO, default_snapshot
from bouclier.grants.services.computation import Application, ExpenseLine, OtherFunder
from bouclier.grants.services.rules import Rules, parse_rules


def snapshot(default: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(default_snapshot(default))
    data.update(changes)
    return data


def equipment_rules(**changes: Any) -> Rules:
    return parse_rules(snapshot(EQUIPMENT, **changes))


def video_rules(**changes: Any) -> Rules:
    return parse_rules(snapshot(VIDEO, **changes))


def premises_rules(**changes: Any) -> Rules:
    return parse_rules(snapshot(PREMISES, **changes))


def line(category: str, quantity: int, unit_cost: str) -> ExpenseLine:
    return ExpenseLine(category, quantity, Decimal(unit_cost))


def public(name: str, amount: str) -> OtherFunder:
    return OtherFunder(name, Decimal(amount), is_public=True)


def private(name: str, amount: str) -> OtherFunder:
    return OtherFunder(name, Decimal(amount), is_public=False)


def application(
    beneficiary: str,
    *lines: ExpenseLine,
    conditions: tuple[str, ...] = (),
    bonus_units: dict[str, int] | None = None,
    funders: tuple[OtherFunder, ...] = (),
) -> Application:
    return Application(
        beneficiary=beneficiary,
        expense_lines=tuple(lines),
        conditions=frozenset(conditions),
        bonus_units=bonus_units or {},
        other_funders=funders,
    )
