"""The operator console on PostgreSQL: who sees what, the incident workflow, the logbook,
the access register, the live queue stream and the incident report (real PDF, read back)."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.supervision import services
from bouclier.supervision import services_console as console
from bouclier.supervision.access import (
    operated_sites,
    valid_approval,
    visible_cameras,
    visible_incidents,
)
from bouclier.supervision.models import (
    AccessRecord,
    Alarm,
    Approval,
    Camera,
    Convention,
    Incident,
    LiveImage,
    LogbookEntry,
    Segment,
    Site,
    SiteInstruction,
    VideoWorker,
)
from bouclier.supervision.models_console import expiry_of
from bouclier.supervision.tests.helpers import make_camera
from bouclier.territory.models import College, Commune
from conftest import MakeUser

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100 + b"\xff\xd9"
MEAUX = "77284"
MELUN = "77288"


def in_force(insee: str = MEAUX, **fields: Any) -> Convention:
    defaults: dict[str, Any] = {
        "reference": "CSD-1",
        "starts_on": timezone.localdate() - dt.timedelta(days=10),
        "mayor_authority": "Sous l'autorité du maire.",
    }
    defaults.update(fields)
    return Convention.objects.create(commune=Commune.objects.get(insee_code=insee), **defaults)


def approve(user: User, **fields: Any) -> Approval:
    values: dict[str, Any] = {
        "reference": "AG-1",
        "granted_on": timezone.localdate() - dt.timedelta(days=10),
    }
    values.update(fields)
    return Approval.objects.create(user=user, **values)


def worker_for(*cameras: Camera) -> VideoWorker:
    worker, _token = services.create_worker(f"w-{uuid.uuid4().hex[:8]}")
    services.heartbeat(worker)
    return worker


def raise_alarm(
    camera: Camera, worker: VideoWorker, at: dt.datetime | None = None, rule: str = "intrusion"
) -> Alarm:
    result = services.ingest_alarm(
        worker,
        uuid.uuid4(),
        {"camera": camera.name, "rule": rule, "raised_at": at or timezone.now()},
        ("snap.jpg", JPEG),
    )
    assert result.object_id is not None
    return Alarm.objects.get(pk=result.object_id)


@pytest.fixture
def camera(territory: None) -> Camera:
    return make_camera("meaux-mairie")


@pytest.fixture
def worker(camera: Camera) -> VideoWorker:
    return worker_for(camera)


@pytest.fixture
def operator(make_user: MakeUser) -> User:
    user = make_user(Role.CSD_OPERATOR)
    approve(user)
    return user


# -- who sees what ----------------------------------------------------------------------------


def test_commune_cameras_and_alarms_vanish_when_the_convention_ends(
    client: Client, camera: Camera, worker: VideoWorker, operator: User
) -> None:
    alarm = raise_alarm(camera, worker)
    assert not visible_cameras(operator).exists()  # no convention yet
    convention = in_force()
    assert list(visible_cameras(operator)) == [camera]
    assert list(visible_incidents(operator)) == [alarm.incident]
    client.force_login(operator)
    assert client.get(f"/supervision/incidents/{alarm.incident_id}/").status_code == 200
    assert client.get(f"/supervision/alarmes/{alarm.pk}/instantane/").status_code == 200

    convention.ends_on = timezone.localdate() - dt.timedelta(days=1)
    convention.save()
    assert not visible_cameras(operator).exists()
    assert client.get(f"/supervision/incidents/{alarm.incident_id}/").status_code == 404
    assert client.get(f"/supervision/alarmes/{alarm.pk}/instantane/").status_code == 404
    assert "Mairie de Meaux" not in client.get("/supervision/console/").content.decode()


def test_convention_naming_sites_covers_only_those(camera: Camera) -> None:
    other = Site.objects.create(
        kind=Site.Kind.COMMUNE, name="Stade", commune=Commune.objects.get(insee_code=MEAUX)
    )
    convention = in_force()
    convention.sites.add(other)
    assert set(operated_sites().filter(commune__insee_code=MEAUX)) == {other}


def test_college_sites_need_no_convention(territory: None) -> None:
    college = College.objects.get(uai="0779001A")
    site = Site.objects.create(
        kind=Site.Kind.COLLEGE, name=college.name, commune=college.commune, college=college
    )
    assert site in operated_sites()


def test_operator_without_valid_approval_is_refused_images(
    client: Client, camera: Camera, worker: VideoWorker, make_user: MakeUser
) -> None:
    in_force()
    alarm = raise_alarm(camera, worker)
    user = make_user(Role.CSD_OPERATOR)
    client.force_login(user)
    response = client.get(f"/supervision/alarmes/{alarm.pk}/instantane/")
    assert response.status_code == 403
    assert "agrément préfectoral" in response.content.decode()
    # Expired five years after its date: refused again.
    approve(user, granted_on=timezone.localdate() - dt.timedelta(days=5 * 366))
    assert valid_approval(user) is None
    assert client.get(f"/supervision/alarmes/{alarm.pk}/instantane/").status_code == 403
    approve(user, reference="AG-2")
    assert client.get(f"/supervision/alarmes/{alarm.pk}/instantane/").status_code == 200
    assert AccessRecord.objects.filter(action="snapshot_view").count() == 1


def test_approval_lasts_five_years() -> None:
    assert expiry_of(dt.date(2024, 2, 29)) == dt.date(2029, 2, 27)
    assert expiry_of(dt.date(2026, 1, 10)) == dt.date(2031, 1, 9)


def test_mayor_of_a_never_sees_b(
    client: Client, camera: Camera, worker: VideoWorker, make_user: MakeUser
) -> None:
    in_force()
    in_force(MELUN)
    melun_site = Site.objects.create(
        kind=Site.Kind.COMMUNE,
        name="Mairie de Melun",
        commune=Commune.objects.get(insee_code=MELUN),
    )
    melun_camera = Camera.objects.create(
        site=melun_site, name="melun-mairie", main_url="rtsp://127.0.0.1:1/x"
    )
    melun_worker = worker_for(melun_camera)
    meaux_alarm = raise_alarm(camera, worker)
    melun_alarm = raise_alarm(melun_camera, melun_worker)
    mayor_of_meaux = make_user(Role.ELECTED_OFFICIAL)  # an official of Meaux's organisation
    assert list(visible_incidents(mayor_of_meaux)) == [meaux_alarm.incident]
    client.force_login(mayor_of_meaux)
    assert client.get(f"/supervision/incidents/{meaux_alarm.incident_id}/").status_code == 200
    assert client.get(f"/supervision/incidents/{melun_alarm.incident_id}/").status_code == 404
    page = client.get("/supervision/incidents/").content.decode()
    assert "Mairie de Meaux" in page and "Mairie de Melun" not in page
    # A mayor never sees an image nor handles an alarm.
    assert client.get(f"/supervision/alarmes/{meaux_alarm.pk}/instantane/").status_code == 403
    assert (
        client.post(f"/supervision/incidents/{meaux_alarm.incident_id}/prendre/").status_code == 403
    )


def test_college_head_is_informed_of_incidents_on_their_college(
    client: Client, make_user: MakeUser
) -> None:
    college = College.objects.get(uai="0779001A")
    site = Site.objects.create(
        kind=Site.Kind.COLLEGE, name=college.name, commune=college.commune, college=college
    )
    cam = Camera.objects.create(site=site, name="college-cour", main_url="rtsp://127.0.0.1:1/c")
    alarm = raise_alarm(cam, worker_for(cam))
    head = make_user(Role.COLLEGE_HEAD)
    assert list(visible_incidents(head)) == [alarm.incident]
    assert console.college_heads(site) == [head.email]
    other_org = Organisation.objects.exclude(college=college).filter(kind="college").first()
    assert other_org is not None
    stranger = make_user()
    Membership.objects.create(user=stranger, organisation=other_org, role=Role.COLLEGE_HEAD)
    assert not visible_incidents(stranger).exists()


# -- incidents --------------------------------------------------------------------------------


def test_correlated_alarms_form_one_incident(camera: Camera, worker: VideoWorker) -> None:
    SiteInstruction.objects.create(rule="intrusion", priority=1, text="Appeler le 17.")
    t0 = timezone.now() - dt.timedelta(hours=1)
    first = raise_alarm(camera, worker, t0)
    second = raise_alarm(camera, worker, t0 + dt.timedelta(minutes=5))
    later = raise_alarm(camera, worker, t0 + dt.timedelta(minutes=30))
    assert first.incident_id == second.incident_id != later.incident_id
    incident = Incident.objects.get(alarms=first)
    assert incident.priority == 1 and incident.alarms.count() == 2


def test_workflow_is_audited_and_refuses_invalid_steps(
    camera: Camera,
    worker: VideoWorker,
    operator: User,
    make_user: MakeUser,
    django_capture_on_commit_callbacks: Any,
) -> None:
    in_force()
    incident = Incident.objects.get(alarms=raise_alarm(camera, worker))
    colleague = make_user(Role.CSD_OPERATOR)
    with pytest.raises(console.ConsoleError, match="Prenez d'abord"):
        console.qualify(operator, incident, "false", "animal")
    console.take(operator, incident)
    with pytest.raises(console.ConsoleError, match="déjà pris"):
        console.take(colleague, incident)
    with pytest.raises(console.ConsoleError, match="traité par"):
        console.add_action(colleague, incident, "note", note="vu")
    with pytest.raises(console.ConsoleError, match="service appelé"):
        console.add_action(operator, incident, "police_call", service="Police de Meaux")
    with pytest.raises(console.ConsoleError, match="ne convient pas"):
        console.qualify(operator, incident, "false", "intrusion")
    with pytest.raises(console.ConsoleError, match="Qualifiez"):
        console.close(operator, incident)
    incident.refresh_from_db()
    assert incident.qualification == "" and incident.actions.count() == 0

    console.add_action(operator, incident, "doubt_removal", note="Deux personnes dans la cour.")
    console.add_action(
        operator, incident, "police_call", service="Commissariat de Meaux", reference="INT-42"
    )
    with django_capture_on_commit_callbacks(execute=True):
        console.add_action(
            operator, incident, "inform_email", recipient="gardien@example.org", note="Intrusion."
        )
    assert [m.to for m in mail.outbox] == [["gardien@example.org"]]
    console.hold(operator, incident, "la patrouille")
    assert Incident.objects.get(pk=incident.pk).status == "on_hold"
    console.take(operator, incident)
    console.qualify(operator, incident, "real", "intrusion", "Intrusion de deux personnes.")
    console.close(operator, incident)
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.closed_at is not None
    with pytest.raises(console.ConsoleError, match="clos"):
        console.take(colleague, incident)
    actions = set(
        AuditEntry.objects.filter(object_id=str(incident.pk)).values_list("action", flat=True)
    )
    assert {
        "supervision.incident.taken",
        "supervision.incident.action_recorded",
        "supervision.incident.put_on_hold",
        "supervision.incident.qualified",
        "supervision.incident.closed",
    } <= actions


def test_pages_run_the_workflow_and_print_the_report(
    client: Client, camera: Camera, worker: VideoWorker, operator: User, tmp_path: Path
) -> None:
    in_force()
    alarm = raise_alarm(camera, worker)
    segment_file = tmp_path / "seg.mp4"
    segment_file.write_bytes(b"\x00\x00\x00\x18ftypmp42fake")
    segment = Segment.objects.create(
        camera=camera,
        worker=worker,
        path=str(segment_file),
        start=alarm.raised_at - dt.timedelta(seconds=20),
        end=alarm.raised_at + dt.timedelta(seconds=20),
        size=20,
        sha256="0" * 64,
        codec="h264",
        width=704,
        height=576,
        keyframe_start=True,
    )
    LiveImage.objects.create(camera=camera, worker=worker, image=JPEG, taken_at=timezone.now())
    client.force_login(operator)
    base = f"/supervision/incidents/{alarm.incident_id}"
    assert client.get(f"/supervision/cameras/{camera.pk}/direct/").status_code == 403  # no reason
    assert client.post(f"{base}/prendre/").status_code == 302
    client.post(f"{base}/visionner/", {"view-reason": "Levée de doute"})
    assert client.get(f"/supervision/cameras/{camera.pk}/direct/").content == JPEG
    clip = client.get(f"/supervision/segments/{segment.pk}/")
    assert b"".join(clip.streaming_content) == segment_file.read_bytes()  # type: ignore[attr-defined]
    assert "Levée de doute" in client.get(f"{base}/").content.decode()
    response = client.post(f"{base}/action/", {"action-kind": "police_call"})
    assert response.status_code == 302
    assert Incident.objects.get(alarms=alarm).actions.count() == 0
    client.post(
        f"{base}/action/",
        {"action-kind": "police_call", "action-service": "Police 17", "action-reference": "R-7"},
    )
    client.post(
        f"{base}/qualifier/",
        {"qualify-qualification": "real", "qualify-cause": "damage", "qualify-note": "Tag"},
    )
    client.post(f"{base}/clore/", {"close-note": ""})
    assert Incident.objects.get(alarms=alarm).status == "closed"
    pdf = client.get(f"{base}/rapport.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Rapport d'information" in text and "R-7" in text and "Dégradation" in text
    actions = set(AccessRecord.objects.values_list("action", flat=True))
    assert {"live_view", "playback", "snapshot_view"} <= actions
    assert all(entry.reason for entry in AccessRecord.objects.all())


def test_queue_stream_pushes_the_queue(
    client: Client, camera: Camera, worker: VideoWorker, operator: User, settings: Any
) -> None:
    settings.SUPERVISION_STREAM_SECONDS = 0
    in_force()
    raise_alarm(camera, worker)
    client.force_login(operator)
    response = client.get("/supervision/console/flux/")
    assert response["Content-Type"] == "text/event-stream"
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    data = json.loads(body.split("event: queue\ndata: ", 1)[1].split("\n\n")[0])
    assert "Mairie de Meaux" in data["html"] and data["last_alarm"] > 0


# -- logbook and register ---------------------------------------------------------------------


def test_logbook_is_never_edited_in_place(client: Client, operator: User) -> None:
    entry = console.write_logbook(operator, "Ronde de 3 h : rien à signaler.")
    entry.text = "changé"
    with pytest.raises(ValueError):
        entry.save()
    client.force_login(operator)
    client.post(f"/supervision/main-courante/{entry.pk}/corriger/", {"text": "Ronde de 3 h 30."})
    correction = LogbookEntry.objects.get(corrects=entry)
    assert correction.text == "Ronde de 3 h 30."
    assert LogbookEntry.objects.get(pk=entry.pk).text == "Ronde de 3 h : rien à signaler."
    page = client.get("/supervision/main-courante/").content.decode()
    assert "Corrige l&#x27;entrée n°" in page or "Corrige l'entrée n°" in page


def test_register_holds_worker_purges_is_exported_and_purged(
    client: Client, camera: Camera, worker: VideoWorker, make_user: MakeUser
) -> None:
    services.ingest_purge(
        worker,
        uuid.uuid4(),
        {
            "camera": camera.name,
            "type": "segment_deleted",
            "time": timezone.now(),
            "details": {"path": "/srv/x.mp4", "reason": "durée de conservation échue"},
        },
    )
    deletion = AccessRecord.objects.get(action="deletion")
    assert deletion.who == f"worker {worker.name}" and deletion.camera_name == camera.name
    client.force_login(make_user(Role.DPO))
    csv_text = client.get("/supervision/registre/?action=deletion&format=csv").content.decode()
    assert "durée de conservation échue" in csv_text
    assert AuditEntry.objects.filter(action="supervision.access_register.exported").exists()
    old = console.register_access(None, "live_view", "ancien", who="x", camera=camera)
    AccessRecord.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=1200))
    assert console.purge_register() == 1
    assert console.purge_register() == 0
    assert AccessRecord.objects.filter(pk=deletion.pk).exists()


def test_register_refuses_a_view_without_reason(operator: User) -> None:
    with pytest.raises(console.ConsoleError, match="motif"):
        console.register_access(operator, "live_view", "  ")


def test_demo_console_data_is_idempotent(territory: None) -> None:
    from bouclier.supervision.demo_console import load_demo_console

    load_demo_console("Demo-pass-123456")
    load_demo_console("Demo-pass-123456")
    assert Convention.objects.filter(commune__insee_code=MEAUX).count() == 1
    mayor = User.objects.get(email="maire.meaux@demo.bouclier.test")
    assert mayor.memberships.get().role == Role.ELECTED_OFFICIAL
