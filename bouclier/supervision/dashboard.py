"""The supervision dashboards' figures, each one query over the user's scope.

Every figure is computed over the sites ``access.visible_sites`` grants (a mayor: their
commune's only) and over a period of days, so that what a chart shows is exactly what the
user may see. Durations are summarised by p50/p95 with linear interpolation between ranks
(PostgreSQL's ``percentile_cont``), computed here so the rule is the same for every figure.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from bouclier.supervision.access import visible_sites
from bouclier.supervision.models import Alarm, Camera, Incident, Requisition, Site, TechnicalEvent

if TYPE_CHECKING:
    from bouclier.accounts.access import AnyUser

OFFLINE = "camera_offline"


@dataclass(frozen=True)
class Period:
    """Half-open ``[start, end)`` range of aware datetimes."""

    start: dt.datetime
    end: dt.datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Row:
    label: str
    n: int


@dataclass(frozen=True)
class Durations:
    count: int
    p50: float | None
    p95: float | None


@dataclass(frozen=True)
class Availability:
    camera: str
    site: str
    offline_seconds: float
    share: float  # 0..1 of the period the camera was online


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's ``percentile_cont``."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _summary(values: list[float]) -> Durations:
    return Durations(len(values), percentile(values, 0.5), percentile(values, 0.95))


def scoped_sites(user: AnyUser) -> QuerySet[Site]:
    return visible_sites(user)


def _alarms(user: AnyUser, period: Period) -> QuerySet[Alarm]:
    return Alarm.objects.filter(
        camera__site__in=scoped_sites(user),
        raised_at__gte=period.start,
        raised_at__lt=period.end,
    )


def _incidents(user: AnyUser, period: Period) -> QuerySet[Incident]:
    return Incident.objects.filter(
        site__in=scoped_sites(user), opened_at__gte=period.start, opened_at__lt=period.end
    )


def _counts(rows: QuerySet[Alarm, dict[str, object]], key: str) -> list[Row]:
    return [Row(str(row[key]), int(str(row["n"]))) for row in rows]


def alarms_by_site(user: AnyUser, period: Period) -> list[Row]:
    rows = (
        _alarms(user, period)
        .values("camera__site__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "camera__site__name")
    )
    return _counts(rows, "camera__site__name")


def alarms_by_commune(user: AnyUser, period: Period) -> list[Row]:
    rows = (
        _alarms(user, period)
        .values("camera__site__commune__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "camera__site__commune__name")
    )
    return _counts(rows, "camera__site__commune__name")


def alarms_by_rule(user: AnyUser, period: Period) -> list[Row]:
    rows = _alarms(user, period).values("rule").annotate(n=Count("pk")).order_by("-n", "rule")
    return _counts(rows, "rule")


def false_alarm_share(user: AnyUser, period: Period) -> tuple[int, int]:
    """(false alarms, qualified incidents) among the incidents opened in the period."""
    qualified = _incidents(user, period).exclude(qualification="")
    false = qualified.filter(qualification=Incident.Qualification.FALSE_ALARM).count()
    return false, qualified.count()


def time_to_take(user: AnyUser, period: Period) -> Durations:
    rows = _incidents(user, period).filter(taken_at__isnull=False)
    return _summary(
        [
            (taken - opened).total_seconds()
            for opened, taken in rows.values_list("opened_at", "taken_at")
            if taken
        ]
    )


def time_to_close(user: AnyUser, period: Period) -> Durations:
    rows = _incidents(user, period).filter(closed_at__isnull=False)
    return _summary(
        [
            (closed - opened).total_seconds()
            for opened, closed in rows.values_list("opened_at", "closed_at")
            if closed
        ]
    )


def camera_availability(user: AnyUser, period: Period) -> list[Availability]:
    """Share of the period each camera was online, from its offline alarms and their ends.

    An offline alarm is raised after the camera's offline delay; its end carries the whole
    outage (``duration``), so an ended outage counts from its true start. An outage still
    open at the end of the period counts until then; one that began before the period is
    found by its end (or by an alarm before the period with no end).
    """
    cameras = list(
        Camera.objects.filter(site__in=scoped_sites(user)).select_related("site").order_by("name")
    )
    events = TechnicalEvent.objects.filter(
        camera__in=cameras,
        condition=OFFLINE,
        kind__in=("technical_alarm", "technical_alarm_end"),
        occurred_at__lt=period.end,
    ).order_by("camera_id", "occurred_at", "pk")
    outages: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    opened: dict[int, dt.datetime] = {}
    for event in events:
        assert event.camera_id is not None
        if event.kind == "technical_alarm":
            opened.setdefault(event.camera_id, event.occurred_at)
            continue
        start = opened.pop(event.camera_id, event.occurred_at)
        duration = event.data.get("duration") if isinstance(event.data, dict) else None
        if isinstance(duration, int | float):
            start = min(start, event.occurred_at - dt.timedelta(seconds=float(duration)))
        outages.setdefault(event.camera_id, []).append((start, event.occurred_at))
    for camera_id, start in opened.items():
        outages.setdefault(camera_id, []).append((start, period.end))
    result = []
    for camera in cameras:
        offline = 0.0
        for start, end in outages.get(camera.pk, []):
            start, end = max(start, period.start), min(end, period.end)
            if end > start:
                offline += (end - start).total_seconds()
        share = 1 - offline / period.seconds if period.seconds else 1.0
        result.append(Availability(str(camera), camera.site.name, offline, share))
    return result


def extractions(user: AnyUser, period: Period) -> list[Row]:
    """Judicial extractions made in the period on the user's cameras, by site."""
    rows = (
        Requisition.objects.filter(
            extracted_at__gte=period.start,
            extracted_at__lt=period.end,
            cameras__site__in=scoped_sites(user),
        )
        .values("cameras__site__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "cameras__site__name")
    )
    return [Row(str(row["cameras__site__name"]), int(row["n"])) for row in rows]


def extraction_total(user: AnyUser, period: Period) -> int:
    return (
        Requisition.objects.filter(
            extracted_at__gte=period.start,
            extracted_at__lt=period.end,
            cameras__site__in=scoped_sites(user),
        )
        .distinct()
        .count()
    )
