"""The aid computation: an amount and its explanation, line by line.

Pure and typed: it reads a ``Rules`` value (one parameter set) and an ``Application`` (the
expense lines, cameras and other funders an applicant declares) and touches no database, so
that a simulation, an instructor's file and a test all compute the same way.

The order of the steps, each of which appears in the explanation:

1. per expense line: cost = quantity x unit cost excl. VAT; nothing is eligible if the category
   is not one of the aid line's (or is listed as ineligible) or not open to the beneficiary;
   otherwise the eligible unit cost is capped by the category's per-unit ceiling, and the
   line's aid is its eligible base x (base rate + the declared conditional bonuses that apply
   to the category, at most 100 %);
2. per-unit bonuses (e.g. per camera covering a collège): the units retained cannot exceed the
   units bought in the counted categories; a bonus in "aide" mode adds its amount to the aid
   and raises the per-file ceiling by as much (the bonus is on top of the ceiling), in
   "plafond" mode it only raises the ceiling;
3. the per-file ceiling (an exceptional ceiling declared by the applicant replaces it when
   higher), raised by the per-unit bonuses;
4. the cap on combined public funding: the Département's aid plus the other public funders
   declared may not exceed the cap rate (80 %) of the cost excl. VAT of the expenses that fall
   under the aid line; ineligible expenses (studies, running costs) do not count, which is the
   cautious reading until the official text is checked;
5. rounding: the amount is rounded down to the euro, so that no rounding ever crosses a cap.

All arithmetic is in ``Decimal``; nothing is rounded before the last step.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _

from bouclier.grants.services.formatting import format_euros, format_number, format_percent
from bouclier.grants.services.rules import BonusMode, Rules

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ExpenseLine:
    category: str
    quantity: int
    unit_cost: Decimal  # excluding VAT
    description: str = ""


@dataclass(frozen=True)
class OtherFunder:
    name: str
    amount: Decimal
    is_public: bool = True


@dataclass(frozen=True)
class Application:
    """What the computation needs from a simulation or a file."""

    beneficiary: str
    expense_lines: tuple[ExpenseLine, ...]
    conditions: frozenset[str] = frozenset()
    bonus_units: Mapping[str, int] = field(default_factory=dict)
    other_funders: tuple[OtherFunder, ...] = ()


@dataclass(frozen=True)
class LineResult:
    index: int
    category: str
    category_label: str
    description: str
    quantity: int
    unit_cost: Decimal
    cost: Decimal
    eligible: bool
    reason: str  # why nothing is eligible; empty when the line is eligible
    unit_ceiling: Decimal | None
    eligible_unit_cost: Decimal
    eligible_base: Decimal
    ceiling_applied: bool
    base_rate: Decimal
    bonus_points: Decimal
    bonus_labels: tuple[str, ...]
    rate: Decimal
    aid: Decimal


@dataclass(frozen=True)
class BonusResult:
    code: str
    label: str
    unit_label: str
    mode: BonusMode
    units_declared: int
    units_retained: int
    amount_per_unit: Decimal
    amount: Decimal  # units retained x amount per unit
    note: str


@dataclass(frozen=True)
class Step:
    label: str
    amount: Decimal | None
    detail: str = ""


@dataclass(frozen=True)
class Computation:
    rules: Rules
    lines: tuple[LineResult, ...]
    bonuses: tuple[BonusResult, ...]
    total_cost: Decimal
    covered_cost: Decimal  # cost of the lines that fall under the aid line (cap basis)
    eligible_base: Decimal
    lines_aid: Decimal
    aid_bonuses: Decimal
    subtotal: Decimal
    per_file_ceiling: Decimal | None  # after exceptional ceilings and bonuses; None: none
    after_file_ceiling: Decimal
    public_cap: Decimal
    other_public_funding: Decimal
    public_room: Decimal
    before_rounding: Decimal
    amount: Decimal
    steps: tuple[Step, ...]


def _check(application: Application) -> None:
    # The forms refuse these values with a message at the field; this guards other callers.
    for i, line in enumerate(application.expense_lines, start=1):
        if line.quantity < 0:
            raise ValueError(_("Ligne %(n)s : la quantité ne peut pas être négative.") % {"n": i})
        if not line.unit_cost.is_finite() or line.unit_cost < 0:
            raise ValueError(_("Ligne %(n)s : le coût unitaire doit être positif.") % {"n": i})
    for funder in application.other_funders:
        if not funder.amount.is_finite() or funder.amount < 0:
            raise ValueError(_("Le montant d'un autre financeur doit être positif."))
    for code, units in application.bonus_units.items():
        if units < 0:
            raise ValueError(_("Le nombre d'unités « %(code)s » est négatif.") % {"code": code})


def _line(rules: Rules, application: Application, index: int, line: ExpenseLine) -> LineResult:
    cost = line.unit_cost * line.quantity
    category = rules.category(line.category)
    reason = ""
    label = line.category
    if category is None:
        ineligible = rules.ineligible_category(line.category)
        if ineligible is not None:
            label, reason = (
                ineligible.label,
                _("Dépense non éligible : %(r)s") % {"r": ineligible.reason},
            )
        else:
            reason = _("Catégorie inconnue de ce dispositif.")
    else:
        label = category.label
        if rules.beneficiary(application.beneficiary) is None:
            reason = _("Le demandeur n'est pas un bénéficiaire de ce dispositif.")
        elif category.beneficiaries and application.beneficiary not in category.beneficiaries:
            reason = _("Dépense non ouverte à ce type de bénéficiaire.")
    if category is None or reason:
        return LineResult(
            index=index,
            category=line.category,
            category_label=label,
            description=line.description,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            cost=cost,
            eligible=False,
            reason=reason,
            unit_ceiling=None,
            eligible_unit_cost=ZERO,
            eligible_base=ZERO,
            ceiling_applied=False,
            base_rate=rules.base_rate,
            bonus_points=ZERO,
            bonus_labels=(),
            rate=ZERO,
            aid=ZERO,
        )
    ceiling = category.unit_ceiling
    eligible_unit_cost = line.unit_cost if ceiling is None else min(line.unit_cost, ceiling)
    eligible_base = eligible_unit_cost * line.quantity
    bonuses = [
        b
        for b in rules.rate_bonuses
        if category.bonus_eligible and b.code in application.conditions
    ]
    points = sum((b.points for b in bonuses), ZERO)
    rate = min(rules.base_rate + points, HUNDRED)
    return LineResult(
        index=index,
        category=line.category,
        category_label=label,
        description=line.description,
        quantity=line.quantity,
        unit_cost=line.unit_cost,
        cost=cost,
        eligible=True,
        reason="",
        unit_ceiling=ceiling,
        eligible_unit_cost=eligible_unit_cost,
        eligible_base=eligible_base,
        ceiling_applied=ceiling is not None and line.unit_cost > ceiling,
        base_rate=rules.base_rate,
        bonus_points=points,
        bonus_labels=tuple(b.label for b in bonuses),
        rate=rate,
        aid=eligible_base * rate / HUNDRED,
    )


def _bonuses(
    rules: Rules, application: Application, lines: tuple[LineResult, ...]
) -> tuple[BonusResult, ...]:
    results = []
    for bonus in rules.unit_bonuses:
        declared = application.bonus_units.get(bonus.code, 0)
        retained, note = declared, ""
        if bonus.counted_categories:
            bought = sum(
                line.quantity
                for line in lines
                if line.eligible and line.category in bonus.counted_categories
            )
            if declared > bought:
                retained = bought
                note = _(
                    "%(declared)s déclarée(s), %(bought)s acquise(s) dans les dépenses éligibles :"
                    " %(retained)s retenue(s)."
                ) % {"declared": declared, "bought": bought, "retained": retained}
        results.append(
            BonusResult(
                code=bonus.code,
                label=bonus.label,
                unit_label=bonus.unit_label,
                mode=bonus.mode,
                units_declared=declared,
                units_retained=retained,
                amount_per_unit=bonus.amount_per_unit,
                amount=bonus.amount_per_unit * retained,
                note=note,
            )
        )
    return tuple(results)


def _file_ceiling(
    rules: Rules, application: Application, bonuses: tuple[BonusResult, ...]
) -> tuple[Decimal | None, list[Step]]:
    steps = []
    ceiling = rules.per_file_ceiling
    exceptional = [c for c in rules.exceptional_ceilings if c.code in application.conditions]
    for item in exceptional:
        if ceiling is not None and item.ceiling > ceiling:
            steps.append(
                Step(
                    _("Plafond exceptionnel : %(label)s") % {"label": item.label},
                    item.ceiling,
                    _("remplace le plafond ordinaire de %(c)s") % {"c": format_euros(ceiling)},
                )
            )
            ceiling = item.ceiling
    raise_by = sum((b.amount for b in bonuses), ZERO)
    if ceiling is not None and raise_by:
        ceiling += raise_by
        steps.append(
            Step(
                _("Plafond par dossier majoré des bonifications par unité"),
                ceiling,
                _("+ %(amount)s") % {"amount": format_euros(raise_by)},
            )
        )
    return ceiling, steps


def compute(rules: Rules, application: Application) -> Computation:
    """Compute the aid for ``application`` under ``rules``, with its explanation."""
    _check(application)
    with decimal.localcontext() as context:
        # Exact arithmetic on amounts up to billions with cents: no silent rounding.
        context.prec = 50
        return _compute(rules, application)


def _compute(rules: Rules, application: Application) -> Computation:
    lines = tuple(
        _line(rules, application, i, line)
        for i, line in enumerate(application.expense_lines, start=1)
    )
    total_cost = sum((line.cost for line in lines), ZERO)
    covered_cost = sum((line.cost for line in lines if line.eligible), ZERO)
    eligible_base = sum((line.eligible_base for line in lines), ZERO)
    lines_aid = sum((line.aid for line in lines), ZERO)
    bonuses = _bonuses(rules, application, lines)
    aid_bonuses = sum((b.amount for b in bonuses if b.mode == BonusMode.AID), ZERO)
    subtotal = lines_aid + aid_bonuses

    steps = [
        Step(_("Coût total HT déclaré"), total_cost),
        Step(
            _("Dépenses relevant du dispositif (coût HT)"),
            covered_cost,
            _("hors dépenses non éligibles"),
        ),
        Step(
            _("Base éligible après plafonds unitaires"),
            eligible_base,
            _("somme des bases éligibles des lignes"),
        ),
        Step(
            _("Aide calculée sur les lignes"),
            lines_aid,
            _("taux de base %(rate)s, bonifications de taux comprises")
            % {"rate": format_percent(rules.base_rate)},
        ),
    ]
    for bonus in bonuses:
        if bonus.units_declared or bonus.units_retained:
            effect = (
                _("ajoutée à l'aide et au plafond par dossier")
                if bonus.mode == BonusMode.AID
                else _("ajoutée au plafond par dossier seulement")
            )
            steps.append(
                Step(
                    _("Bonification : %(label)s") % {"label": bonus.label},
                    bonus.amount,
                    f"{bonus.units_retained} × {format_euros(bonus.amount_per_unit)}, {effect}"
                    + (f" ; {bonus.note}" if bonus.note else ""),
                )
            )
    steps.append(Step(_("Sous-total"), subtotal))

    ceiling, ceiling_steps = _file_ceiling(rules, application, bonuses)
    steps.extend(ceiling_steps)
    if ceiling is None:
        after_ceiling = subtotal
        steps.append(Step(_("Plafond par dossier"), None, _("aucun pour ce dispositif")))
    else:
        after_ceiling = min(subtotal, ceiling)
        steps.append(
            Step(
                _("Après plafond par dossier de %(c)s") % {"c": format_euros(ceiling)},
                after_ceiling,
                _("plafond appliqué") if subtotal > ceiling else _("plafond non atteint"),
            )
        )

    public_cap = covered_cost * rules.public_funding_cap_rate / HUNDRED
    other_public = sum((f.amount for f in application.other_funders if f.is_public), ZERO)
    room = max(public_cap - other_public, ZERO)
    before_rounding = min(after_ceiling, room)
    if before_rounding < after_ceiling:
        cap_detail = _("plafond appliqué")
    else:
        cap_detail = _("plafond non atteint")
    steps.append(
        Step(
            _(
                "Après plafond des financements publics : %(rate)s × %(cost)s = %(cap)s,"
                " moins %(others)s d'autres financeurs publics, reste %(room)s"
            )
            % {
                "rate": format_percent(rules.public_funding_cap_rate),
                "cost": format_euros(covered_cost),
                "cap": format_euros(public_cap),
                "others": format_euros(other_public),
                "room": format_euros(room),
            },
            before_rounding,
            cap_detail,
        )
    )
    amount = before_rounding.quantize(Decimal(1), rounding=ROUND_FLOOR)
    steps.append(
        Step(
            _("Montant de l'aide, arrondi à l'euro inférieur"),
            amount,
            _("%(before)s € avant arrondi") % {"before": format_number(before_rounding, None)},
        )
    )
    return Computation(
        rules=rules,
        lines=lines,
        bonuses=bonuses,
        total_cost=total_cost,
        covered_cost=covered_cost,
        eligible_base=eligible_base,
        lines_aid=lines_aid,
        aid_bonuses=aid_bonuses,
        subtotal=subtotal,
        per_file_ceiling=ceiling,
        after_file_ceiling=after_ceiling,
        public_cap=public_cap,
        other_public_funding=other_public,
        public_room=room,
        before_rounding=before_rounding,
        amount=amount,
        steps=tuple(steps),
    )
