"""Invariants of the computation, checked with hypothesis on generated rules and applications.

The rules vary around the default sets (rates, ceilings, cap, bonus amounts) so that the
invariants are checked for any règlement the grants manager could write, not only ours.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bouclier.grants.services.computation import (
    Application,
    Computation,
    ExpenseLine,
    OtherFunder,
    compute,
)
from bouclier.grants.services.rules import BonusMode, Rules
from bouclier.grants.tests.helpers import equipment_rules, premises_rules, video_rules

BASE_RULES = (equipment_rules(), video_rules(), premises_rules())

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(200000), places=2)
rates = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
ceilings = st.none() | st.decimals(min_value=Decimal(1), max_value=Decimal(500000), places=2)


@st.composite
def rules_strategy(draw: st.DrawFn) -> Rules:
    rules = draw(st.sampled_from(BASE_RULES))
    categories = tuple(
        dataclasses.replace(category, unit_ceiling=draw(ceilings))
        for category in rules.expense_categories
    )
    unit_bonuses = tuple(
        dataclasses.replace(
            bonus,
            amount_per_unit=draw(money),
            mode=draw(st.sampled_from(list(BonusMode))),
        )
        for bonus in rules.unit_bonuses
    )
    return dataclasses.replace(
        rules,
        base_rate=draw(rates),
        per_file_ceiling=draw(ceilings),
        public_funding_cap_rate=draw(rates),
        expense_categories=categories,
        unit_bonuses=unit_bonuses,
    )


@st.composite
def case_strategy(draw: st.DrawFn) -> tuple[Rules, Application]:
    rules = draw(rules_strategy())
    codes = [c.code for c in rules.expense_categories] + [
        c.code for c in rules.ineligible_categories
    ]
    lines = draw(
        st.lists(
            st.builds(
                ExpenseLine,
                category=st.sampled_from(codes),
                quantity=st.integers(min_value=0, max_value=50),
                unit_cost=money,
            ),
            min_size=1,
            max_size=6,
        )
    )
    beneficiaries = [b.code for b in rules.beneficiaries] + ["inconnu"]
    funders = draw(
        st.lists(
            st.builds(
                OtherFunder, name=st.just("Financeur"), amount=money, is_public=st.booleans()
            ),
            max_size=3,
        )
    )
    application = Application(
        beneficiary=draw(st.sampled_from(beneficiaries)),
        expense_lines=tuple(lines),
        conditions=frozenset(
            draw(st.sets(st.sampled_from(sorted(rules.condition_codes))))
            if rules.condition_codes
            else ()
        ),
        bonus_units={
            b.code: draw(st.integers(min_value=0, max_value=20)) for b in rules.unit_bonuses
        },
        other_funders=tuple(funders),
    )
    return rules, application


def _ceiling_limit(rules: Rules, application: Application, result: Computation) -> Decimal | None:
    """The highest per-file ceiling the rules allow, from the rules rather than the result."""
    if rules.per_file_ceiling is None:
        return None
    exceptional = [
        c.ceiling for c in rules.exceptional_ceilings if c.code in application.conditions
    ]
    ceiling = max([rules.per_file_ceiling, *exceptional])
    return ceiling + sum((b.amount for b in result.bonuses), Decimal(0))


@settings(max_examples=300, deadline=None)
@given(case_strategy())
def test_never_above_any_ceiling(case: tuple[Rules, Application]) -> None:
    rules, application = case
    result = compute(rules, application)
    assert result.amount >= 0
    assert result.amount == result.amount.to_integral_value()
    for line in result.lines:
        category = rules.category(line.category)
        assert line.aid <= line.eligible_base <= line.cost
        if category is not None and category.unit_ceiling is not None:
            assert line.eligible_base <= category.unit_ceiling * line.quantity
    for bonus, rule in zip(result.bonuses, rules.unit_bonuses, strict=True):
        bought = sum(
            r.quantity for r in result.lines if r.eligible and r.category in rule.counted_categories
        )
        assert bonus.units_retained <= min(bought, application.bonus_units.get(rule.code, 0))
    limit = _ceiling_limit(rules, application, result)
    if limit is not None:
        assert result.amount <= limit
    # No money from nowhere: the aid never exceeds what the lines and bonuses give.
    assert result.amount <= result.lines_aid + result.aid_bonuses


@settings(max_examples=300, deadline=None)
@given(case_strategy())
def test_public_funding_never_exceeds_the_cap(case: tuple[Rules, Application]) -> None:
    rules, application = case
    result = compute(rules, application)
    covered = sum((line.cost for line in result.lines if line.eligible), Decimal(0))
    cap = covered * rules.public_funding_cap_rate / 100
    other_public = sum((f.amount for f in application.other_funders if f.is_public), Decimal(0))
    if other_public <= cap:
        assert result.amount + other_public <= cap
    else:
        assert result.amount == 0


@settings(max_examples=300, deadline=None)
@given(
    case_strategy(),
    st.integers(min_value=0, max_value=5),
    money,
    st.integers(min_value=0, max_value=10),
)
def test_monotone_in_eligible_cost(
    case: tuple[Rules, Application], index: int, extra_cost: Decimal, extra_quantity: int
) -> None:
    rules, application = case
    lines = list(application.expense_lines)
    index %= len(lines)
    before = compute(rules, application).amount
    bigger = dataclasses.replace(
        lines[index],
        unit_cost=lines[index].unit_cost + extra_cost,
        quantity=lines[index].quantity + extra_quantity,
    )
    lines[index] = bigger
    after = compute(rules, dataclasses.replace(application, expense_lines=tuple(lines))).amount
    assert after >= before
    # Adding a whole line never lowers the aid either.
    added = dataclasses.replace(application, expense_lines=(*application.expense_lines, bigger))
    assert compute(rules, added).amount >= before


@settings(max_examples=300, deadline=None)
@given(case_strategy(), st.data())
def test_zero_for_ineligible_lines(case: tuple[Rules, Application], data: st.DataObject) -> None:
    rules, application = case
    result = compute(rules, application)
    for line in result.lines:
        if (
            rules.category(line.category) is None
            or rules.beneficiary(application.beneficiary) is None
        ):
            assert not line.eligible
            assert line.eligible_base == 0
            assert line.aid == 0
    # An ineligible expense added to a file changes nothing to its aid.
    code = data.draw(st.sampled_from([c.code for c in rules.ineligible_categories]))
    quantity = data.draw(st.integers(min_value=1, max_value=100))
    cost = data.draw(money)
    with_ineligible = dataclasses.replace(
        application,
        expense_lines=(*application.expense_lines, ExpenseLine(code, quantity, cost)),
    )
    assert compute(rules, with_ineligible).amount == result.amount
    # A file of ineligible expenses only, without bonuses, gets nothing.
    only_ineligible = dataclasses.replace(
        application, expense_lines=(ExpenseLine(code, quantity, cost),), bonus_units={}
    )
    assert compute(rules, only_ineligible).amount == 0
