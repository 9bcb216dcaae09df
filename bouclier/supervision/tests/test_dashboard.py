"""The supervision dashboards on PostgreSQL: each figure against hand-computed data, the
mayor's view limited to their commune, and the page's charts and tables."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.supervision import dashboard, services
from bouclier.supervision.models import (
    Alarm,
    Camera,
    Incident,
    Requisition,
    Site,
    TechnicalEvent,
)
from bouclier.supervision.tests.helpers import make_camera
from bouclier.supervision.tests.test_console import MELUN, in_force
from bouclier.territory.models import Commune
from conftest import MakeUser

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
DAY = dashboard.Period(dt.datetime(2026, 3, 1, tzinfo=PARIS), dt.datetime(2026, 3, 2, tzinfo=PARIS))


def at(hour: int, minute: int = 0, second: int = 0, day: int = 1, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=PARIS)


class World:
    """Two sites of two communes, both under a convention, with known alarms and incidents."""

    def __init__(self) -> None:
        in_force()
        in_force(MELUN)
        self.worker, _token = services.create_worker(f"w-{uuid.uuid4().hex[:8]}")
        self.meaux_a = make_camera("meaux-a")
        self.meaux_b = Camera.objects.create(
            site=self.meaux_a.site, name="meaux-b", main_url="rtsp://127.0.0.1:1/b"
        )
        self.melun_site = Site.objects.create(
            kind=Site.Kind.COMMUNE,
            name="Mairie de Melun",
            commune=Commune.objects.get(insee_code=MELUN),
        )
        self.melun_a = Camera.objects.create(
            site=self.melun_site, name="melun-a", main_url="rtsp://127.0.0.1:1/m"
        )
        for camera, rule, when in [
            (self.meaux_a, "intrusion", at(1)),
            (self.meaux_a, "intrusion", at(2)),
            (self.meaux_a, "intrusion", at(23, 59, 59)),
            (self.meaux_a, "intrusion", at(23, 59, 59, day=28, month=2)),  # before the period
            (self.meaux_a, "intrusion", at(0, day=2)),  # the period's end is excluded
            (self.meaux_b, "vehicule", at(4)),
            (self.melun_a, "intrusion", at(5)),
            (self.melun_a, "intrusion", at(6)),
        ]:
            self.alarm(camera, rule, when)
        meaux, melun = self.meaux_a.site, self.melun_site
        false, real = Incident.Qualification.FALSE_ALARM, Incident.Qualification.REAL
        self.incident(meaux, at(1), take=60, close=600, qualification=false)
        self.incident(meaux, at(2), take=120, close=1200, qualification=real)
        self.incident(meaux, at(3), take=300, qualification=false)
        self.incident(meaux, at(7))  # neither taken nor qualified
        self.incident(melun, at(5), take=30, close=60, qualification=false)
        self.incident(meaux, at(1, day=27, month=2), take=10000, close=20000, qualification=real)

    def alarm(self, camera: Camera, rule: str, when: dt.datetime) -> None:
        Alarm.objects.create(camera=camera, worker=self.worker, rule=rule, raised_at=when)

    def incident(
        self,
        site: Site,
        opened: dt.datetime,
        take: int | None = None,
        close: int | None = None,
        qualification: str = "",
    ) -> None:
        Incident.objects.create(
            site=site,
            opened_at=opened,
            last_alarm_at=opened,
            taken_at=opened + dt.timedelta(seconds=take) if take is not None else None,
            closed_at=opened + dt.timedelta(seconds=close) if close is not None else None,
            status=Incident.Status.CLOSED if close is not None else Incident.Status.NEW,
            qualification=qualification,
        )

    def event(self, camera: Camera, kind: str, when: dt.datetime, **data: Any) -> None:
        TechnicalEvent.objects.create(
            camera=camera,
            worker=self.worker,
            kind=kind,
            condition=str(data.get("condition", "")),
            occurred_at=when,
            data=data,
        )


@pytest.fixture
def world(territory: None) -> World:
    return World()


@pytest.fixture
def operator(make_user: MakeUser) -> User:
    return make_user(Role.CSD_OPERATOR)


@pytest.fixture
def mayor(make_user: MakeUser) -> User:
    return make_user(Role.ELECTED_OFFICIAL)  # an official of Meaux's organisation


def check(summary: dashboard.Durations, count: int, p50: float, p95: float) -> None:
    assert summary.count == count
    assert summary.p50 == pytest.approx(p50)
    assert summary.p95 == pytest.approx(p95)


def figures(rows: list[dashboard.Row]) -> list[tuple[str, int]]:
    return [(row.label, row.n) for row in rows]


def test_percentile_interpolates_between_ranks() -> None:
    assert dashboard.percentile([], 0.5) is None
    assert dashboard.percentile([7.0], 0.95) == 7.0
    assert dashboard.percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert dashboard.percentile([30.0, 60.0, 120.0, 300.0], 0.95) == pytest.approx(273.0)


def test_alarm_counts_by_site_commune_and_type(world: World, operator: User, mayor: User) -> None:
    assert figures(dashboard.alarms_by_site(operator, DAY)) == [
        ("Mairie de Meaux", 4),
        ("Mairie de Melun", 2),
    ]
    assert figures(dashboard.alarms_by_commune(operator, DAY)) == [("Meaux", 4), ("Melun", 2)]
    assert figures(dashboard.alarms_by_rule(operator, DAY)) == [("intrusion", 5), ("vehicule", 1)]
    # The mayor of Meaux: their commune only.
    assert figures(dashboard.alarms_by_site(mayor, DAY)) == [("Mairie de Meaux", 4)]
    assert figures(dashboard.alarms_by_commune(mayor, DAY)) == [("Meaux", 4)]
    assert figures(dashboard.alarms_by_rule(mayor, DAY)) == [("intrusion", 3), ("vehicule", 1)]


def test_false_alarm_share_and_handling_times(world: World, operator: User, mayor: User) -> None:
    assert dashboard.false_alarm_share(operator, DAY) == (3, 4)
    check(dashboard.time_to_take(operator, DAY), 4, 90.0, 273.0)  # 30, 60, 120, 300 s
    check(dashboard.time_to_close(operator, DAY), 3, 600.0, 1140.0)  # 60, 600, 1200 s

    assert dashboard.false_alarm_share(mayor, DAY) == (2, 3)
    check(dashboard.time_to_take(mayor, DAY), 3, 120.0, 282.0)  # 60, 120, 300 s
    check(dashboard.time_to_close(mayor, DAY), 2, 900.0, 1170.0)  # 600, 1200 s


def test_camera_availability_from_offline_alarms(world: World, operator: User) -> None:
    offline = {"condition": dashboard.OFFLINE}
    # meaux-a: an outage of 3630 s (alarm raised after the delay, the end carries it all),
    # and one still open from 23:00 to the period's end (3600 s).
    world.event(world.meaux_a, "technical_alarm", at(2), **offline)
    world.event(world.meaux_a, "technical_alarm_end", at(3), duration=3630, **offline)
    world.event(world.meaux_a, "technical_alarm", at(23), **offline)
    # meaux-b: an outage that began the day before; only its last 600 s count.
    world.event(world.meaux_b, "technical_alarm", at(23, 50, 30, day=28, month=2), **offline)
    world.event(world.meaux_b, "technical_alarm_end", at(0, 10), duration=1200, **offline)
    # Another condition is not an outage.
    world.event(world.melun_a, "technical_alarm", at(8), condition="image_black")
    rows = {row.camera: row for row in dashboard.camera_availability(operator, DAY)}
    assert set(rows) == {"meaux-a", "meaux-b", "melun-a"}
    assert rows["meaux-a"].offline_seconds == 7230
    assert rows["meaux-a"].share == pytest.approx(1 - 7230 / 86400)
    assert rows["meaux-b"].offline_seconds == 600
    assert rows["melun-a"].share == 1.0


def test_extractions_by_site(world: World, operator: User, mayor: User) -> None:
    def requisition(extracted: dt.datetime, *cameras: Camera) -> None:
        made = Requisition.objects.create(
            status=Requisition.Status.EXTRACTED,
            officer_name="Lt Martin",
            officer_service="Commissariat",
            reference=f"R-{uuid.uuid4().hex[:6]}",
            requisition_date=extracted.date(),
            legal_framework=Requisition.Framework.FLAGRANCE,
            recipient="OPJ",
            range_start=extracted - dt.timedelta(hours=1),
            range_end=extracted,
            submitted_by=operator,
            extracted_at=extracted,
        )
        made.cameras.set(cameras)

    requisition(at(10), world.meaux_a, world.meaux_b)  # one extraction, two cameras
    requisition(at(11), world.melun_a)
    requisition(at(10, day=2), world.meaux_a)  # after the period
    assert figures(dashboard.extractions(operator, DAY)) == [
        ("Mairie de Meaux", 1),
        ("Mairie de Melun", 1),
    ]
    assert dashboard.extraction_total(operator, DAY) == 2
    assert figures(dashboard.extractions(mayor, DAY)) == [("Mairie de Meaux", 1)]
    assert dashboard.extraction_total(mayor, DAY) == 1


def test_dashboard_page_draws_charts_and_tables_of_the_mayors_commune_only(
    client: Client, world: World, mayor: User
) -> None:
    client.force_login(mayor)
    page = client.get("/supervision/tableau-de-bord/?du=2026-03-01&au=2026-03-01")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<svg") >= 4 and 'role="img"' in html
    assert "Mairie de Meaux" in html and "Melun" not in html
    assert '<th scope="row">intrusion</th><td>3</td>' in html
    assert "Part des fausses alarmes : 67 % (2 sur 3 incident(s) qualifié(s))." in html
    assert "2,0 min" in html  # p50 of the time to take: 120 s


def test_dashboard_period_errors_are_shown_at_the_field(client: Client, mayor: User) -> None:
    client.force_login(mayor)
    html = client.get("/supervision/tableau-de-bord/?du=2026-03-10&au=2026-03-01").content.decode()
    assert "La fin précède le début." in html
    html = client.get("/supervision/tableau-de-bord/?du=2025-01-01&au=2026-03-01").content.decode()
    assert "Une période d&#x27;un an au plus." in html
