"""Read-side queries: the instructor's queue and the dashboards' figures.

Each figure is one aggregate query whose cost does not grow with the number of pages shown;
tests check each against hand-computed data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear, Least

from bouclier.grants.models_files import Application, CameraSite, DocumentRequest, State
from bouclier.grants_office.models import Opinion
from bouclier.territory.models import Commune

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal(0)
# Files whose aid is granted and still alive, or already paid: what the programme funds.
FUNDED_STATES = (State.GRANTED, State.NOTIFIED, State.ADVANCE_PAID, State.BALANCE_PAID)

SORTS: dict[str, tuple[str, ...]] = {
    "depot": ("submitted_at", "pk"),
    "-depot": ("-submitted_at", "-pk"),
    "echeance": ("deadline", "submitted_at", "pk"),
    "montant": ("requested_amount", "pk"),
    "-montant": ("-requested_amount", "-pk"),
    "demandeur": ("organisation__name", "pk"),
}


def epci_of_file() -> Any:
    """The EPCI of a file: the applicant EPCI itself, or the applicant commune's EPCI."""
    return Coalesce(F("organisation__epci_id"), F("organisation__commune__epci_id"))


def queue(
    files: QuerySet[Application],
    *,
    state: str = "",
    aid_line: str = "",
    epci: int | None = None,
    deadline_before: datetime.date | None = None,
    sort: str = "depot",
) -> QuerySet[Application]:
    """Filter and sort the files the user may read for the instructor's queue.

    The deadline of a file is the earliest open one: a request for documents or an opinion.
    """
    open_request = (
        DocumentRequest.objects.filter(application=OuterRef("pk"), answered_at__isnull=True)
        .order_by("deadline")
        .values("deadline")[:1]
    )
    open_opinion = (
        Opinion.objects.filter(application=OuterRef("pk"), answered_at__isnull=True)
        .order_by("deadline")
        .values("deadline")[:1]
    )
    request_deadline, opinion_deadline = Subquery(open_request), Subquery(open_opinion)
    files = (
        files.exclude(state=State.DRAFT)
        .select_related("organisation", "aid_line")
        # The frozen règlement and explanation weigh kilobytes per file and the queue shows
        # neither: left out, the sort handles narrow rows.
        .defer("parameters_snapshot", "explanation", "description", "conditions")
        .annotate(
            # LEAST ignores NULLs on PostgreSQL but not on SQLite: coalesce both ways first.
            deadline=Least(
                Coalesce(request_deadline, opinion_deadline),
                Coalesce(opinion_deadline, request_deadline),
            ),
            epci_id=epci_of_file(),
        )
    )
    if state:
        files = files.filter(state=state)
    if aid_line:
        files = files.filter(aid_line__code=aid_line)
    if epci is not None:
        files = files.filter(epci_id=epci)
    if deadline_before is not None:
        files = files.filter(deadline__lte=deadline_before)
    return files.order_by(*SORTS.get(sort, SORTS["depot"]))


# ---------------------------------------------------------------------------------------------
# Dashboards.


@dataclass(frozen=True)
class Row:
    key: Any
    label: str
    files: int
    requested: Decimal
    granted: Decimal
    paid: Decimal


def _totals() -> dict[str, Any]:
    funded = Q(state__in=FUNDED_STATES)
    return {
        "n": Count("pk"),
        "requested": Coalesce(Sum("requested_amount"), Value(ZERO), output_field=MONEY),
        "granted": Coalesce(Sum("granted_amount", filter=funded), Value(ZERO), output_field=MONEY),
        "paid": Coalesce(
            Sum(F("advance_paid") + F("balance_paid"), output_field=MONEY),
            Value(ZERO),
            output_field=MONEY,
        ),
    }


def submitted_files(year: int | None = None) -> QuerySet[Application]:
    files = Application.objects.exclude(state=State.DRAFT).filter(submitted_at__isnull=False)
    if year is not None:
        files = files.filter(submitted_at__year=year)
    return files


def by_year() -> list[Row]:
    rows = (
        submitted_files()
        .annotate(year=ExtractYear("submitted_at"))
        .values("year")
        .annotate(**_totals())
        .order_by("year")
    )
    return [
        Row(r["year"], str(r["year"]), r["n"], r["requested"], r["granted"], r["paid"])
        for r in rows
    ]


def by_aid_line(year: int | None) -> list[Row]:
    rows = (
        submitted_files(year)
        .values("aid_line_id", "aid_line__name", "aid_line__position")
        .annotate(**_totals())
        .order_by("aid_line__position", "aid_line__name")
    )
    return [
        Row(r["aid_line_id"], r["aid_line__name"], r["n"], r["requested"], r["granted"], r["paid"])
        for r in rows
    ]


def by_epci(year: int | None) -> list[Row]:
    rows = (
        submitted_files(year)
        .annotate(
            epci_key=epci_of_file(),
            epci_name=Coalesce(
                F("organisation__epci__name"), F("organisation__commune__epci__name")
            ),
        )
        .values("epci_key", "epci_name")
        .annotate(**_totals())
        .order_by("epci_name")
    )
    return [
        Row(
            r["epci_key"],
            r["epci_name"] or "—",
            r["n"],
            r["requested"],
            r["granted"],
            r["paid"],
        )
        for r in rows
    ]


def cameras_funded(year: int | None) -> int:
    cameras = CameraSite.objects.filter(application__state__in=FUNDED_STATES)
    if year is not None:
        cameras = cameras.filter(application__submitted_at__year=year)
    return int(cameras.aggregate(n=Coalesce(Sum("count"), Value(0)))["n"])


def communes_reached(year: int | None) -> int:
    """Communes whose commune, or whose EPCI, holds a funded file.

    Two ``IN`` subqueries rather than joins through every file: joining multiplied each
    commune by its files, then needed a DISTINCT over the product (slow with many files).
    """
    funded = submitted_files(year).filter(state__in=FUNDED_STATES)
    by_commune = funded.filter(organisation__commune__isnull=False).values("organisation__commune")
    by_epci = funded.filter(organisation__epci__isnull=False).values("organisation__epci")
    return Commune.objects.filter(Q(pk__in=by_commune) | Q(epci__in=by_epci)).count()


def days_to_vote(year: int | None) -> float | None:
    """The mean number of days from submission to the Commission's vote."""
    decided = submitted_files(year).filter(decided_at__isnull=False)
    duration = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    # One pass over the files for both figures.
    row = decided.aggregate(count=Count("pk"), total=Sum(duration))
    if not row["count"]:
        return None
    total: datetime.timedelta = row["total"]
    return round(total.total_seconds() / 86400 / int(row["count"]), 1)


def totals(year: int | None) -> dict[str, Any]:
    row = submitted_files(year).aggregate(**_totals())
    return {
        "files": row["n"],
        "requested": row["requested"],
        "granted": row["granted"],
        "paid": row["paid"],
        "cameras": cameras_funded(year),
        "communes": communes_reached(year),
        "communes_total": Commune.objects.count(),
        "days_to_vote": days_to_vote(year),
    }


def years() -> list[int]:
    return sorted({d.year for d in submitted_files().dates("submitted_at", "year")}, reverse=True)
