"""The night shift in the browser: an alarm posted by a worker appears on the console without
reload; the operator takes it, removes the doubt, calls the police, qualifies, closes and
downloads the report; the access register and the journal hold each step."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Playwright, expect

from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.supervision import services
from bouclier.supervision.models import AccessRecord, Approval, Convention, Incident
from bouclier.supervision.tests.helpers import make_camera
from bouclier.territory.models import Commune
from conftest import MakeUser
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100 + b"\xff\xd9"


def test_alarm_reaches_the_console_live_and_is_handled_to_the_report(
    page: Page, playwright: Playwright, site: str, make_user: MakeUser, settings: Any
) -> None:
    settings.SUPERVISION_STREAM_SECONDS = 3  # short streams: the reconnection is exercised too
    settings.SUPERVISION_STREAM_POLL = 0.3
    camera = make_camera("meaux-parvis")
    Convention.objects.create(
        commune=Commune.objects.get(insee_code="77284"),
        reference="CSD-1",
        starts_on=timezone.localdate() - dt.timedelta(days=1),
        mayor_authority="Sous l'autorité du maire.",
    )
    worker, token = services.create_worker("w-browser")
    services.heartbeat(worker)
    operator = make_user(Role.CSD_OPERATOR)
    Approval.objects.create(user=operator, reference="AG-1", granted_on=timezone.localdate())

    log_in(page, operator.email)
    page.goto("/supervision/console/")
    expect(page.locator("#alarm-queue")).to_contain_text("Aucune alarme en attente")
    page.evaluate("window.notReloaded = true")

    api = playwright.request.new_context(base_url=site)
    response = api.post(
        "/supervision/api/alarms/",
        headers={"Authorization": f"Bearer {token}"},
        multipart={
            "event_id": str(uuid.uuid4()),
            "camera": camera.name,
            "rule": "intrusion",
            "raised_at": timezone.now().isoformat(),
            "labels": '["person"]',
            "snapshot": {"name": "snap.jpg", "mimeType": "image/jpeg", "buffer": JPEG},
        },
    )
    assert response.status == 201, response.text()
    api.dispose()

    queue = page.locator("#alarm-queue")
    expect(queue).to_contain_text("Mairie de Meaux")
    expect(queue.locator("tr.queue-new")).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True  # pushed, not reloaded

    incident = Incident.objects.get()
    queue.get_by_role("link", name=re.compile(f"Incident n° {incident.pk}")).click()
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.locator("#incident-status")).to_have_text("En cours")

    page.get_by_label("Motif de la consultation").fill("Levée de doute – intrusion")
    page.get_by_role("button", name="Voir le direct et l'enregistrement").click()
    expect(page.locator("main")).to_contain_text("Aucun enregistrement autour de l'alarme")

    page.get_by_label("Action").select_option("police_call")
    page.get_by_label("Service appelé").fill("Commissariat de Meaux")
    page.get_by_label("Référence donnée").fill("INT-2026-42")
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_role("table", name="Actions")).to_contain_text("INT-2026-42")

    page.get_by_label("Qualification").select_option("real")
    page.get_by_label("Cause").select_option("intrusion")
    page.get_by_label("Ce qui a été constaté").fill("Deux personnes dans la cour.")
    page.get_by_role("button", name="Qualifier", exact=True).click()
    page.get_by_role("button", name="Clore l'incident").click()
    expect(page.locator("#incident-status")).to_have_text("Clos")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("rapport d'information")).click()
    assert download.value.suggested_filename == f"rapport-incident-{incident.pk}.pdf"

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
    register = set(AccessRecord.objects.values_list("action", flat=True))
    assert {"snapshot_view", "live_view", "playback"} <= register
    assert AccessRecord.objects.filter(reason="Levée de doute – intrusion").count() == 2
