"""The dashboard's summary tables, kept in step with the files and rebuildable from them.

Aggregating over every file made the dashboard slow down as files accumulated. Its figures
are now read from two small tables (``DashboardSummary``: one row per year × aid line ×
EPCI; ``DashboardReach``: funded files per commune or EPCI and year) whose size does not
depend on the number of files.

Keeping them in step: every save or deletion of a file, or of one of its camera sites, goes
through ``refresh_for``, connected to the models' signals in ``GrantsOfficeConfig.ready``.
Signals rather than calls in each service function because some figures move outside the
state machine (a camera site added to a granted file, the payments) and a forgotten call
would silently skew the dashboard; they run inside the saving transaction, so the summary
commits or rolls back with the change. A refresh recomputes the one row of the file's
bucket from that bucket's files (a few dozen) rather than adding deltas: nothing can drift.
Concurrent refreshes of one bucket are serialised by a transaction-level advisory lock on
PostgreSQL; under READ COMMITTED the second one's aggregate then sees the first one's
committed files. ``rebuild`` recomputes everything (``manage.py rebuild_grants_summary``,
scheduled job ``grants.dashboard_summary``): after a bulk import, or an organisation moved
to another EPCI, which no file save announces.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from bouclier.accounts.models import Organisation
from bouclier.grants.models_files import Application, CameraSite, State
from bouclier.grants_office.models import DashboardReach, DashboardSummary
from bouclier.grants_office.queries import FUNDED_STATES, MONEY, ZERO, epci_of_file

# Bucket of the summary: (year, aid line, EPCI or None).
SummaryKey = tuple[int, int, int | None]
# Key of the reach: (year, commune or None, EPCI or None), exactly one of the two set.
ReachKey = tuple[int, int | None, int | None]
FIGURES = ("files", "requested", "granted", "paid", "cameras", "decided", "vote_seconds")


@dataclass(frozen=True)
class Seen:
    """What places a file in the summary, as last loaded or saved."""

    submitted_at: datetime.datetime | None
    state: str | None
    aid_line_id: int | None
    organisation_id: int | None

    @property
    def counted(self) -> bool:
        return (
            self.submitted_at is not None
            and self.state not in (None, State.DRAFT)
            and self.aid_line_id is not None
            and self.organisation_id is not None
        )


def seen_of(application: Application) -> Seen:
    # Read from __dict__: a deferred field must not cost a query at every instantiation.
    values = application.__dict__
    return Seen(
        values.get("submitted_at"),
        values.get("state"),
        values.get("aid_line_id"),
        values.get("organisation_id"),
    )


def _seconds(duration: datetime.timedelta | None) -> Decimal:
    if duration is None:
        return Decimal(0)
    whole = duration.days * 86400 + duration.seconds
    return Decimal(whole) + Decimal(duration.microseconds) / Decimal(1_000_000)


def _lock(*key: object) -> None:
    """Serialise the refreshes of one row until the end of the transaction."""
    if connection.vendor != "postgresql":
        return  # SQLite writes one transaction at a time anyway.
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def _file_figures() -> dict[str, Any]:
    funded = Q(state__in=FUNDED_STATES)
    decided = Q(decided_at__isnull=False)
    duration = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    return {
        "files": Count("pk"),
        "requested": Coalesce(Sum("requested_amount"), Value(ZERO), output_field=MONEY),
        "granted": Coalesce(Sum("granted_amount", filter=funded), Value(ZERO), output_field=MONEY),
        "paid": Coalesce(
            Sum(F("advance_paid") + F("balance_paid"), output_field=MONEY),
            Value(ZERO),
            output_field=MONEY,
        ),
        "decided": Count("pk", filter=decided),
        "vote": Sum(duration, filter=decided),
    }


def _submitted() -> QuerySet[Application]:
    return Application.objects.exclude(state=State.DRAFT).filter(submitted_at__isnull=False)


# ---------------------------------------------------------------------------------------------
# Full computation, from the files.


def compute() -> tuple[dict[SummaryKey, dict[str, Any]], dict[ReachKey, int]]:
    """Every row of both tables, computed from the files (what ``rebuild`` stores)."""
    rows: dict[SummaryKey, dict[str, Any]] = {}
    grouped = (
        _submitted()
        .annotate(year=ExtractYear("submitted_at"), epci_key=epci_of_file())
        .values("year", "aid_line_id", "epci_key")
        .annotate(**_file_figures())
        .order_by()
    )
    for r in grouped:
        rows[r["year"], r["aid_line_id"], r["epci_key"]] = {
            "files": r["files"],
            "requested": r["requested"],
            "granted": r["granted"],
            "paid": r["paid"],
            "cameras": 0,
            "decided": r["decided"],
            "vote_seconds": _seconds(r["vote"]),
        }
    cameras = (
        CameraSite.objects.filter(application__in=_submitted().filter(state__in=FUNDED_STATES))
        .annotate(
            year=ExtractYear("application__submitted_at"),
            epci_key=Coalesce(
                F("application__organisation__epci_id"),
                F("application__organisation__commune__epci_id"),
            ),
        )
        .values("year", "application__aid_line_id", "epci_key")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for c in cameras:
        rows[c["year"], c["application__aid_line_id"], c["epci_key"]]["cameras"] = c["n"]
    reach = (
        _submitted()
        .filter(state__in=FUNDED_STATES)
        .filter(Q(organisation__commune__isnull=False) | Q(organisation__epci__isnull=False))
        .annotate(year=ExtractYear("submitted_at"))
        .values("year", "organisation__commune_id", "organisation__epci_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reached: dict[ReachKey, int] = {}
    for r in reach:
        commune = r["organisation__commune_id"]
        key = (r["year"], commune, None if commune else r["organisation__epci_id"])
        reached[key] = reached.get(key, 0) + r["n"]
    return rows, reached


def stored() -> tuple[dict[SummaryKey, dict[str, Any]], dict[ReachKey, int]]:
    """Both tables as they are, in ``compute``'s shape (to compare them)."""
    rows: dict[SummaryKey, dict[str, Any]] = {
        (s.year, s.aid_line_id, s.epci_id): {name: getattr(s, name) for name in FIGURES}
        for s in DashboardSummary.objects.all()
    }
    reached: dict[ReachKey, int] = {
        (r.year, r.commune_id, r.epci_id): r.funded for r in DashboardReach.objects.all()
    }
    return rows, reached


def rebuild() -> str:
    """Recompute both tables from the files (idempotent); a one-line French summary."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Refreshes wait until the new content is committed, then apply on top of it.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {DashboardSummary._meta.db_table}, "
                    f"{DashboardReach._meta.db_table} IN EXCLUSIVE MODE"
                )
        rows, reached = compute()
        DashboardSummary.objects.all().delete()
        DashboardReach.objects.all().delete()
        DashboardSummary.objects.bulk_create(
            DashboardSummary(year=year, aid_line_id=line, epci_id=epci, **figures)
            for (year, line, epci), figures in rows.items()
        )
        DashboardReach.objects.bulk_create(
            DashboardReach(year=year, commune_id=commune, epci_id=epci, funded=n)
            for (year, commune, epci), n in reached.items()
        )
    return f"synthèse du tableau de bord des aides recalculée : {len(rows)} ligne(s)"


# ---------------------------------------------------------------------------------------------
# Refresh of the rows of one file.


def _place(organisation_id: int) -> tuple[int | None, int | None, int | None]:
    """(commune, EPCI of its own, EPCI of the file) of an organisation."""
    place = (
        Organisation.objects.filter(pk=organisation_id)
        .values("commune_id", "epci_id", "commune__epci_id")
        .first()
    )
    if place is None:
        return None, None, None
    return place["commune_id"], place["epci_id"], place["epci_id"] or place["commune__epci_id"]


def _refresh_summary(year: int, aid_line_id: int, epci_id: int | None) -> None:
    _lock("summary", year, aid_line_id, epci_id)
    files = (
        _submitted()
        .filter(submitted_at__year=year, aid_line_id=aid_line_id)
        .annotate(epci_key=epci_of_file())
    )
    files = (
        files.filter(epci_key__isnull=True) if epci_id is None else files.filter(epci_key=epci_id)
    )
    row = files.aggregate(**_file_figures())
    key: dict[str, Any] = {"year": year, "aid_line_id": aid_line_id, "epci_id": epci_id}
    if not row["files"]:
        DashboardSummary.objects.filter(**key).delete()
        return
    cameras = CameraSite.objects.filter(
        application__in=files.filter(state__in=FUNDED_STATES).values("pk")
    ).aggregate(n=Coalesce(Sum("count"), Value(0)))["n"]
    DashboardSummary.objects.update_or_create(
        **key,
        defaults={
            "files": row["files"],
            "requested": row["requested"],
            "granted": row["granted"],
            "paid": row["paid"],
            "cameras": cameras,
            "decided": row["decided"],
            "vote_seconds": _seconds(row["vote"]),
        },
    )


def _refresh_reach(year: int, commune_id: int | None, epci_id: int | None) -> None:
    if commune_id is None and epci_id is None:
        return  # neither a commune nor an EPCI: reaches no commune
    _lock("reach", year, commune_id, epci_id)
    if commune_id:
        place: dict[str, Any] = {"organisation__commune_id": commune_id}
        epci_id = None  # a commune's file reaches that commune only
    else:
        place = {"organisation__epci_id": epci_id, "organisation__commune__isnull": True}
    funded = _submitted().filter(state__in=FUNDED_STATES, submitted_at__year=year, **place).count()
    key: dict[str, Any] = {"year": year, "commune_id": commune_id, "epci_id": epci_id}
    if funded:
        DashboardReach.objects.update_or_create(**key, defaults={"funded": funded})
    else:
        DashboardReach.objects.filter(**key).delete()


def refresh_for(*seen: Seen) -> None:
    """Recompute the rows of the buckets a file was and is in (inside the caller's transaction)."""
    done: set[tuple[int, int, int]] = set()
    for s in seen:
        if not s.counted:
            continue
        assert s.submitted_at is not None and s.aid_line_id is not None
        assert s.organisation_id is not None
        year = timezone.localtime(s.submitted_at).year
        if (year, s.aid_line_id, s.organisation_id) in done:
            continue
        done.add((year, s.aid_line_id, s.organisation_id))
        commune_id, own_epci_id, epci_id = _place(s.organisation_id)
        with transaction.atomic():
            _refresh_summary(year, s.aid_line_id, epci_id)
            _refresh_reach(year, commune_id, own_epci_id)


# ---------------------------------------------------------------------------------------------
# Signal receivers (connected in ``GrantsOfficeConfig.ready``).


def application_loaded(sender: type[Application], instance: Application, **kwargs: Any) -> None:
    instance._summary_seen = seen_of(instance)  # type: ignore[attr-defined]


def application_saved(
    sender: type[Application], instance: Application, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return  # fixtures: ``rebuild`` afterwards
    before: Seen = getattr(instance, "_summary_seen", Seen(None, None, None, None))
    now = seen_of(instance)
    refresh_for(before, now)
    instance._summary_seen = now  # type: ignore[attr-defined]


def application_deleted(sender: type[Application], instance: Application, **kwargs: Any) -> None:
    refresh_for(seen_of(instance), getattr(instance, "_summary_seen", seen_of(instance)))


def camera_changed(
    sender: type[CameraSite], instance: CameraSite, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    found = (
        Application.objects.filter(pk=instance.application_id)
        .values("submitted_at", "state", "aid_line_id", "organisation_id")
        .first()
    )
    if found is not None:
        refresh_for(Seen(**found))
