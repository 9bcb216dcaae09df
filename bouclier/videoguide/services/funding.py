"""Budget and funding of a project: pure and typed, no database.

The Département's aid is NOT computed here: it is ``bouclier.grants.services.computation``'s
``compute()``, called with the règlement in force, so that the guide and the teleservice can
never disagree. This module only prepares its input and adds around it what the teleservice
does not know: the Région's aid (its rate is data), the State's (FIPD, declared), the cap on
combined public funding and what remains for the commune.

Order, so that the cap always holds: the State's declared aid is retained up to the cap; the
Région's aid (rate x cost) is limited to what the cap leaves after the State; the Département's
computation then receives both as other public funders and limits itself to what remains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _

from bouclier.grants.services.computation import (
    Application,
    Computation,
    ExpenseLine,
    OtherFunder,
    compute,
)
from bouclier.grants.services.rules import Rules

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DEFAULT_CAP_RATE = Decimal(80)  # CGCT L1111-10, used when no règlement is in force
CAMERA_CATEGORY = "camera"
# Running costs: 2 to 8 % of the investment a year (videoguide.md), never eligible.
MAINTENANCE_LOW = Decimal(2)
MAINTENANCE_HIGH = Decimal(8)


@dataclass(frozen=True)
class BudgetLine:
    code: str
    label: str
    category: str  # the règlement's expense category
    quantity: int
    unit_cost: Decimal  # excluding VAT
    is_default: bool  # True: the public order of magnitude; False: the study's own figure

    @property
    def cost(self) -> Decimal:
        return self.unit_cost * self.quantity


@dataclass(frozen=True)
class Funding:
    lines: tuple[BudgetLine, ...]
    total_cost: Decimal
    cap_rate: Decimal
    public_cap: Decimal  # cap rate x total cost
    state_declared: Decimal
    state_amount: Decimal
    region_rate: Decimal
    region_before_cap: Decimal
    region_amount: Decimal
    department: Computation | None  # None: no règlement in force
    department_amount: Decimal
    public_total: Decimal
    commune_share: Decimal
    maintenance_low: Decimal
    maintenance_high: Decimal

    @property
    def region_capped(self) -> bool:
        return self.region_amount < self.region_before_cap

    @property
    def state_capped(self) -> bool:
        return self.state_amount < self.state_declared

    @property
    def public_share(self) -> Decimal:
        if not self.total_cost:
            return ZERO
        return self.public_total * HUNDRED / self.total_cost


def _floor(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_FLOOR)


def department_application(
    lines: Sequence[BudgetLine],
    rules: Rules,
    *,
    beneficiary: str,
    covering_cameras: int,
    other_funders: Sequence[OtherFunder] = (),
) -> Application:
    """The teleservice's ``Application`` for these lines.

    Cameras covering a collège or a departmental site go to every per-unit bonus of the
    règlement counted on cameras, whatever its code, so that an edit of the règlement in the
    back office is followed without a code change.
    """
    bonus_units = {
        bonus.code: covering_cameras
        for bonus in rules.unit_bonuses
        if CAMERA_CATEGORY in bonus.counted_categories
    }
    return Application(
        beneficiary=beneficiary,
        expense_lines=tuple(
            ExpenseLine(line.category, line.quantity, line.unit_cost, line.label)
            for line in lines
            if line.quantity
        ),
        bonus_units=bonus_units,
        other_funders=tuple(other_funders),
    )


def fund(
    lines: Sequence[BudgetLine],
    *,
    rules: Rules | None,
    beneficiary: str,
    covering_cameras: int,
    region_rate: Decimal,
    state_funding: Decimal,
) -> Funding:
    """The estimate and its funding plan; public funding never exceeds the cap."""
    if state_funding < 0 or not state_funding.is_finite():
        raise ValueError(_("L'aide de l'État ne peut pas être négative."))
    if not ZERO <= region_rate <= HUNDRED:
        raise ValueError(_("Le taux de la Région doit être compris entre 0 et 100 %."))
    total = sum((line.cost for line in lines), ZERO)
    cap_rate = rules.public_funding_cap_rate if rules is not None else DEFAULT_CAP_RATE
    cap = total * cap_rate / HUNDRED
    state = min(state_funding, _floor(cap))
    region_before = _floor(total * region_rate / HUNDRED)
    region = max(min(region_before, _floor(cap - state)), ZERO)
    department: Computation | None = None
    department_amount = ZERO
    if rules is not None and total:
        funders = [
            OtherFunder(_("Région Île-de-France"), region),
            OtherFunder(_("État (FIPD)"), state),
        ]
        department = compute(
            rules,
            department_application(
                lines,
                rules,
                beneficiary=beneficiary,
                covering_cameras=covering_cameras,
                other_funders=[f for f in funders if f.amount],
            ),
        )
        department_amount = department.amount
    public_total = state + region + department_amount
    return Funding(
        lines=tuple(lines),
        total_cost=total,
        cap_rate=cap_rate,
        public_cap=cap,
        state_declared=state_funding,
        state_amount=state,
        region_rate=region_rate,
        region_before_cap=region_before,
        region_amount=region,
        department=department,
        department_amount=department_amount,
        public_total=public_total,
        commune_share=total - public_total,
        maintenance_low=total * MAINTENANCE_LOW / HUNDRED,
        maintenance_high=total * MAINTENANCE_HIGH / HUNDRED,
    )
