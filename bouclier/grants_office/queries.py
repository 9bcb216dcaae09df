"""Read-side queries: the instructor's queue and the dashboards' figures.

The dashboards' figures are read from the summary tables kept by
``bouclier.grants_office.summary`` (their size does not grow with the number of files); tests
check each against hand-computed data and against a full recomputation from the files.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least

from bouclier.grants.models_files import Application, DocumentRequest, State
from bouclier.grants_office.models import DashboardReach, DashboardSummary, Opinion
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


def _summary(year: int | None = None) -> QuerySet[Any]:
    rows = DashboardSummary.objects.all()
    if year is not None:
        rows = rows.filter(year=year)
    return rows


def _sums() -> dict[str, Any]:
    return {
        "n": Coalesce(Sum("files"), Value(0)),
        "requested": Coalesce(Sum("requested"), Value(ZERO), output_field=MONEY),
        "granted": Coalesce(Sum("granted"), Value(ZERO), output_field=MONEY),
        "paid": Coalesce(Sum("paid"), Value(ZERO), output_field=MONEY),
    }


def submitted_files(year: int | None = None) -> QuerySet[Application]:
    files = Application.objects.exclude(state=State.DRAFT).filter(submitted_at__isnull=False)
    if year is not None:
        files = files.filter(submitted_at__year=year)
    return files


def by_year() -> list[Row]:
    rows = _summary().values("year").annotate(**_sums()).order_by("year")
    return [
        Row(r["year"], str(r["year"]), r["n"], r["requested"], r["granted"], r["paid"])
        for r in rows
    ]


def by_aid_line(year: int | None) -> list[Row]:
    rows = (
        _summary(year)
        .values("aid_line_id", "aid_line__name", "aid_line__position")
        .annotate(**_sums())
        .order_by("aid_line__position", "aid_line__name")
    )
    return [
        Row(r["aid_line_id"], r["aid_line__name"], r["n"], r["requested"], r["granted"], r["paid"])
        for r in rows
    ]


def by_epci(year: int | None) -> list[Row]:
    rows = _summary(year).values("epci_id", "epci__name").annotate(**_sums()).order_by("epci__name")
    return [
        Row(r["epci_id"], r["epci__name"] or "—", r["n"], r["requested"], r["granted"], r["paid"])
        for r in rows
    ]


def communes_reached(year: int | None) -> int:
    """Communes whose commune, or whose EPCI, holds a funded file."""
    reach = DashboardReach.objects.all()
    if year is not None:
        reach = reach.filter(year=year)
    by_commune = reach.filter(commune__isnull=False).values("commune")
    by_epci = reach.filter(epci__isnull=False).values("epci")
    return Commune.objects.filter(Q(pk__in=by_commune) | Q(epci__in=by_epci)).count()


def totals(year: int | None) -> dict[str, Any]:
    row = _summary(year).aggregate(
        **_sums(),
        cameras=Coalesce(Sum("cameras"), Value(0)),
        decided=Coalesce(Sum("decided"), Value(0)),
        vote_seconds=Coalesce(
            Sum("vote_seconds"),
            Value(ZERO),
            output_field=DecimalField(max_digits=20, decimal_places=6),
        ),
    )
    days: float | None = None
    if row["decided"]:
        # The mean number of days from submission to the Commission's vote.
        days = round(float(row["vote_seconds"]) / 86400 / int(row["decided"]), 1)
    return {
        "files": row["n"],
        "requested": row["requested"],
        "granted": row["granted"],
        "paid": row["paid"],
        "cameras": row["cameras"],
        "communes": communes_reached(year),
        "communes_total": Commune.objects.count(),
        "days_to_vote": days,
    }


def years() -> list[int]:
    return list(_summary().values_list("year", flat=True).distinct().order_by("-year"))
