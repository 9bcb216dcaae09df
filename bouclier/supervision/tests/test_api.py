"""The ingestion API and the leases, on PostgreSQL: tokens, idempotency, takeover, validation."""

from __future__ import annotations

import datetime as dt
import io
import threading
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.supervision import services
from bouclier.supervision.models import (
    Alarm,
    ArmingSchedule,
    Camera,
    LiveImage,
    Mask,
    Segment,
    TechnicalEvent,
    VideoWorker,
    Zone,
)
from bouclier.supervision.tests.helpers import make_camera

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100 + b"\xff\xd9"
pytestmark = pytest.mark.django_db


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(client: Client, token: str, path: str, data: dict[str, Any]) -> Any:
    return client.post(
        f"/supervision/api/{path}", data, content_type="application/json", headers=auth(token)
    )


def segment_payload(camera: str, event_id: str | None = None) -> dict[str, Any]:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "camera": camera,
        "path": f"/srv/{camera}/1.mp4",
        "start": "2026-11-26T10:00:00+00:00",
        "end": "2026-11-26T10:00:10+00:00",
        "size": 1000,
        "sha256": "a" * 64,
        "codec": "h264",
        "width": 768,
        "height": 576,
        "keyframe_start": True,
        "bit_rate": 1_000_000,
    }


def test_command_creates_worker_and_prints_token_once(territory: None) -> None:
    out = io.StringIO()
    call_command("create_video_worker", "worker-1", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    worker = VideoWorker.objects.get(name="worker-1")
    assert token not in worker.token_hash and worker.token_hash == services.hash_token(token)
    assert services.authenticate_token(token) == worker
    assert AuditEntry.objects.filter(action="supervision.worker.created").exists()


def test_api_refuses_missing_or_wrong_token(client: Client, territory: None) -> None:
    make_camera("cam-a")
    assert post(client, "nope", "segments/", segment_payload("cam-a")).status_code == 401
    response = client.post("/supervision/api/workers/heartbeat/", {})
    assert response.status_code in (401, 403)


def test_every_post_is_idempotent(client: Client, territory: None) -> None:
    make_camera("cam-a")
    worker, token = services.create_worker("w1")
    services.heartbeat(worker)  # the camera is leased to it: it may report on it
    payload = segment_payload("cam-a")
    first = post(client, token, "segments/", payload)
    again = post(client, token, "segments/", payload)
    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (again.status_code, again.json()["created"]) == (200, False)
    assert Segment.objects.count() == 1

    alarm = {
        "event_id": str(uuid.uuid4()),
        "camera": "cam-a",
        "rule": "intrusion",
        "raised_at": "2026-11-26T22:00:00+00:00",
        "labels": '["person"]',
        "detections": '[{"label": "person", "score": 0.9, "box": [0.1, 0.1, 0.2, 0.4]}]',
    }
    for expected in (201, 200):
        snapshot = io.BytesIO(JPEG)
        snapshot.name = "snap.jpg"
        response = client.post(
            "/supervision/api/alarms/", {**alarm, "snapshot": snapshot}, headers=auth(token)
        )
        assert response.status_code == expected, response.content
    stored = Alarm.objects.get()
    assert stored.labels == ["person"] and stored.snapshot.read() == JPEG

    event = {
        "event_id": str(uuid.uuid4()),
        "camera": "cam-a",
        "type": "technical_alarm",
        "time": "2026-11-26T22:00:01+00:00",
        "details": {"condition": "camera_offline", "label": "caméra hors ligne"},
    }
    assert post(client, token, "events/", event).status_code == 201
    assert post(client, token, "events/", event).status_code == 200
    assert TechnicalEvent.objects.get().condition == "camera_offline"

    purge = {
        "event_id": str(uuid.uuid4()),
        "camera": "cam-a",
        "type": "segment_deleted",
        "time": "2026-11-26T22:00:02+00:00",
        "details": {"path": "/srv/cam-a/1.mp4", "reason": "durée de conservation échue"},
    }
    assert post(client, token, "purges/", purge).status_code == 201
    assert post(client, token, "purges/", purge).status_code == 200
    assert Segment.objects.get().deleted_at is not None
    deletions = AuditEntry.objects.filter(action="supervision.segment.deleted")
    assert deletions.count() == 1
    assert deletions.get().reason == "durée de conservation échue"

    image = io.BytesIO(JPEG)
    image.name = "live.jpg"
    live = {"camera": "cam-a", "taken_at": "2026-11-26T22:00:03+00:00", "image": image}
    assert client.post("/supervision/api/live/", live, headers=auth(token)).status_code == 201
    assert bytes(LiveImage.objects.get(camera__name="cam-a").image) == JPEG


def test_bad_input_gets_french_message_at_the_field(client: Client, territory: None) -> None:
    make_camera("cam-a")
    make_camera("cam-b")
    worker, token = services.create_worker("w1")
    services.heartbeat(worker)
    _other, other_token = services.create_worker("w2")
    response = post(client, token, "segments/", {**segment_payload("nowhere")})
    assert response.status_code == 400
    assert "inconnue" in str(response.json()["camera"])
    # A worker that never held a camera cannot report on it: it does not even exist for it.
    response = post(client, other_token, "segments/", segment_payload("cam-a"))
    assert response.status_code == 400 and "inconnue" in str(response.json()["camera"])
    bad = {**segment_payload("cam-a"), "end": "2026-11-26T09:00:00+00:00"}
    assert "précède" in str(post(client, token, "segments/", bad).json()["end"])
    text = io.BytesIO(b"not a jpeg")
    text.name = "x.jpg"
    response = client.post(
        "/supervision/api/live/",
        {"camera": "cam-a", "taken_at": "2026-11-26T22:00:03+00:00", "image": text},
        headers=auth(token),
    )
    assert response.status_code == 400 and "JPEG" in str(response.json()["image"])


def test_heartbeat_returns_full_configuration(
    client: Client, territory: None, settings: Any
) -> None:
    settings.SUPERVISION_LEASE_SECONDS = 30
    camera = make_camera("cam-a")
    schedule = ArmingSchedule.objects.create(name="college", weekly={"saturday": ["00:00-24:00"]})
    camera.rules.update(schedule=schedule)
    Mask.objects.create(camera=camera, polygon=[[0, 0], [0.2, 0], [0.2, 0.2]])
    _, token = services.create_worker("w1")
    answer = post(client, token, "workers/heartbeat/", {"version": "test"}).json()
    assert answer["heartbeat_seconds"] == 10
    (config,) = answer["cameras"]
    assert config["name"] == "cam-a" and config["zones"]["cour"][0] == [0, 0]
    assert config["rules"][0]["schedule"] == "college" and len(config["masks"]) == 1
    assert answer["schedules"]["college"]["weekly"] == {"saturday": ["00:00-24:00"]}


def test_leases_share_cameras_and_move_when_a_worker_dies(territory: None, settings: Any) -> None:
    settings.SUPERVISION_LEASE_SECONDS = 10
    for i in range(4):
        make_camera(f"cam-{i}")
    a, _ = services.create_worker("a")
    b, _ = services.create_worker("b")
    t0 = timezone.now()
    # b has never beaten: a alone is live and takes everything.
    assert len(services.heartbeat(a, now=t0).cameras) == 4
    # b comes up: nothing is free, a's leases are valid.
    assert services.heartbeat(b, now=t0 + dt.timedelta(seconds=1)).cameras == []
    # a dies; once its leases expire, b takes every camera, and the journal says so.
    later = t0 + dt.timedelta(seconds=11)
    moved = services.heartbeat(b, now=later)
    assert sorted(moved.taken) == [f"cam-{i}" for i in range(4)]
    assert set(Camera.objects.values_list("worker__name", flat=True)) == {"b"}
    entry = (
        AuditEntry.objects.filter(action="supervision.camera.lease_taken")
        .order_by("sequence")
        .last()
    )
    assert entry is not None and entry.data["previous_worker"] == "a"
    # a comes back: it gets nothing while b beats, and finds its cameras gone.
    assert services.heartbeat(a, now=later + dt.timedelta(seconds=1)).cameras == []
    # A stopping worker hands its cameras back at once.
    assert services.heartbeat(b, now=later + dt.timedelta(seconds=2), stopping=True).released
    assert len(services.heartbeat(a, now=later + dt.timedelta(seconds=3)).cameras) == 4
    # b comes back: a hands back the excess at its next heartbeat, b takes it at its own.
    assert services.heartbeat(b, now=later + dt.timedelta(seconds=4)).cameras == []
    assert len(services.heartbeat(a, now=later + dt.timedelta(seconds=5)).released) == 2
    assert len(services.heartbeat(b, now=later + dt.timedelta(seconds=6)).cameras) == 2
    assert len(services.heartbeat(a, now=later + dt.timedelta(seconds=7)).cameras) == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_share_a_camera(territory: None, settings: Any) -> None:
    settings.SUPERVISION_LEASE_SECONDS = 30
    for i in range(6):
        make_camera(f"cam-{i}")
    workers = [services.create_worker(f"w{i}")[0] for i in range(3)]
    now = timezone.now()
    VideoWorker.objects.update(last_seen_at=now)  # all three live: 2 cameras each
    results: dict[str, list[str]] = {}
    barrier = threading.Barrier(3)

    def beat(worker: VideoWorker) -> None:
        barrier.wait()
        try:
            results[worker.name] = [c.name for c in services.heartbeat(worker, now=now).cameras]
        finally:
            connection.close()

    threads = [threading.Thread(target=beat, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    held = [name for names in results.values() for name in names]
    assert len(held) == len(set(held))
    assert all(len(names) <= 2 for names in results.values())


def test_back_office_validation_uses_the_worker_rules(territory: None) -> None:
    camera = make_camera("cam-a")
    camera.retention_days = 45
    with pytest.raises(ValidationError) as excinfo:
        camera.full_clean()
    assert "retention_days" in excinfo.value.message_dict
    camera.retention_days = 30
    camera.main_url = "http://camera/"
    with pytest.raises(ValidationError, match="rtsp://"):
        camera.full_clean()
    zone = Zone(camera=camera, name="z", polygon=[[0, 0], [2, 0], [1, 1]])
    with pytest.raises(ValidationError, match="hors de l'image"):
        zone.full_clean()
    schedule = ArmingSchedule(name="bad", weekly={"monday": ["18:00-08:00"]})
    with pytest.raises(ValidationError, match="précède son début"):
        schedule.full_clean()


def test_admin_edits_cameras_and_journals(client: Client, login: Any) -> None:
    login(Role.ADMINISTRATOR)
    camera = make_camera("cam-a")
    response = client.get(f"/administration/supervision/camera/{camera.pk}/change/")
    assert response.status_code == 200
    assert client.get("/administration/supervision/camera/").status_code == 200


def test_schema_documents_the_ingestion_api(client: Client, login: Any) -> None:
    login(Role.ADMINISTRATOR)
    schema = client.get("/api/schema/").content.decode()
    for path in ("heartbeat", "segments", "alarms", "events", "purges", "live"):
        assert f"/supervision/api/{path}" in schema or f"/supervision/api/workers/{path}" in schema
    assert "workerToken" in schema
