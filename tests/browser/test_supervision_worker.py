"""The night shift with real parts: a loopback RTSP camera playing people on a walkway, a
connected worker subprocess analysing it, the live platform and a real browser.

A person walks into the zone; the worker's alarm appears on the operator's console without
reload; the operator takes it, removes the doubt on the live image and the recording, calls
the police, qualifies, closes and downloads the report (a real PDF, read back); the audit
journal and the access register hold each step.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.supervision import services
from bouclier.supervision.models import AccessRecord, Alarm, Approval, Convention
from bouclier.supervision.tests.helpers import make_camera
from bouclier.supervision.tests.test_connected_worker import WorkerProcess
from bouclier.territory.models import Commune
from conftest import MakeUser
from tests.browser.helpers import log_in
from videoworker.tests.helpers import footage
from videoworker.tests.rtsp_server import RtspServer, camera_clip

pytestmark = pytest.mark.browser

# Generous: the worker starts a Python process, connects, decodes and analyses on a CPU that
# other test processes share; none of these bounds is a measured figure.
ALARM_TIMEOUT_MS = 60_000


@pytest.fixture
def camera_server(tmp_path: Path) -> Iterator[RtspServer]:
    # Re-encoded as the other worker tests do (keyframes every second, camera-like H.264).
    source = camera_clip(footage("pedestrians-walkway-20s.mp4"), tmp_path / "camera.mp4")
    server = RtspServer({"walk": source})
    server.start()
    yield server
    server.stop()


def test_real_worker_alarm_is_handled_live_to_the_report(
    page: Page,
    site: str,
    make_user: MakeUser,
    settings: Any,
    tmp_path: Path,
    camera_server: RtspServer,
) -> None:
    settings.SUPERVISION_STREAM_SECONDS = 5
    settings.SUPERVISION_STREAM_POLL = 0.3
    make_camera(
        "walk",
        url=camera_server.url("walk"),
        segment_seconds=2,
        analysis_rate=5,
        live_image_seconds=1,
    )
    Convention.objects.create(
        commune=Commune.objects.get(insee_code="77284"),
        reference="CSD-1",
        starts_on=timezone.localdate() - dt.timedelta(days=1),
        mayor_authority="Sous l'autorité du maire.",
    )
    operator = make_user(Role.CSD_OPERATOR)
    Approval.objects.create(user=operator, reference="AG-1", granted_on=timezone.localdate())
    _, token = services.create_worker("w-walkway")

    log_in(page, operator.email)
    page.goto("/supervision/console/")
    expect(page.locator("#alarm-queue")).to_contain_text("Aucune alarme en attente")
    page.evaluate("window.notReloaded = true")

    worker = WorkerProcess(site, token, tmp_path / "worker")
    try:
        queue = page.locator("#alarm-queue")
        expect(queue).to_contain_text("Mairie de Meaux", timeout=ALARM_TIMEOUT_MS)
        assert page.evaluate("window.notReloaded") is True  # pushed, not reloaded
        alarm = Alarm.objects.select_related("incident").get()
        assert alarm.rule == "intrusion" and "person" in alarm.labels
        incident = alarm.incident
        assert incident is not None

        queue.get_by_role("link", name=re.compile(f"Incident n° {incident.pk}")).click()
        page.get_by_role("button", name="Prendre en charge").click()
        expect(page.locator("#incident-status")).to_have_text("En cours")

        # Doubt removal: the live image and the recording around the alarm, once a segment
        # covering it has been posted.
        deadline = time.monotonic() + 30
        while not alarm.segments and time.monotonic() < deadline:
            time.sleep(0.5)
            alarm.refresh_from_db()
        page.get_by_label("Motif de la consultation").fill("Levée de doute – intrusion")
        page.get_by_role("button", name="Voir le direct et l'enregistrement").click()
        expect(page.locator("main")).to_contain_text("En direct : walk")
    finally:
        worker.stop()

    page.get_by_label("Action").select_option("police_call")
    page.get_by_label("Service appelé").fill("Commissariat de Meaux")
    page.get_by_label("Référence donnée").fill("INT-2026-43")
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_role("table", name="Actions")).to_contain_text("INT-2026-43")

    page.get_by_label("Qualification").select_option("real")
    page.get_by_label("Cause").select_option("intrusion")
    page.get_by_label("Ce qui a été constaté").fill("Une personne sur le parvis.")
    page.get_by_role("button", name="Qualifier", exact=True).click()
    page.get_by_role("button", name="Clore l'incident").click()
    expect(page.locator("#incident-status")).to_have_text("Clos")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("rapport d'information")).click()
    assert download.value.suggested_filename == f"rapport-incident-{incident.pk}.pdf"
    pdf = Path(download.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Mairie de Meaux" in text and "Intrusion" in text

    steps = set(
        AuditEntry.objects.filter(object_id=str(incident.pk)).values_list("action", flat=True)
    )
    assert {
        "supervision.incident.taken",
        "supervision.incident.action_recorded",
        "supervision.incident.qualified",
        "supervision.incident.closed",
        "supervision.incident.report_printed",
    } <= steps
    views = AccessRecord.objects.filter(reason="Levée de doute – intrusion")
    assert {"live_view", "playback"} <= set(views.values_list("action", flat=True))
    assert AccessRecord.objects.filter(action="snapshot_view", camera__name="walk").exists()
