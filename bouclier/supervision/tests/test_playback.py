"""Playback over a chosen range and the live wall: approval, reason first, register, scope."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.supervision import services
from bouclier.supervision.models import (
    AccessRecord,
    Approval,
    Camera,
    Convention,
    LiveImage,
    Segment,
)
from bouclier.supervision.tests.helpers import make_camera
from bouclier.territory.models import Commune
from conftest import MakeUser

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100 + b"\xff\xd9"
BASE = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)


def local(minutes: int) -> str:
    """The form's local date and time, ``minutes`` after BASE."""
    return f"{timezone.localtime(BASE + dt.timedelta(minutes=minutes)):%Y-%m-%dT%H:%M}"


def convention(**fields: object) -> Convention:
    values: dict[str, object] = {
        "reference": "CSD-P",
        "starts_on": timezone.localdate() - dt.timedelta(days=30),
        "mayor_authority": "Sous l'autorité du maire.",
    }
    values.update(fields)
    return Convention.objects.create(commune=Commune.objects.get(insee_code="77284"), **values)


def operator(make_user: MakeUser, client: Client) -> User:
    user = make_user(Role.CSD_OPERATOR, password=None)
    Approval.objects.create(
        user=user, reference="AG-P", granted_on=timezone.localdate() - dt.timedelta(days=3)
    )
    client.force_login(user)
    return user


def segment(camera: Camera, path: Path, minutes: int) -> Segment:
    worker, _token = services.create_worker(f"w-{uuid.uuid4().hex[:8]}")
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"0" * 64)
    return Segment.objects.create(
        camera=camera,
        worker=worker,
        path=str(path),
        start=BASE + dt.timedelta(minutes=minutes),
        end=BASE + dt.timedelta(minutes=minutes + 1),
        size=80,
        sha256="0" * 64,
        codec="h264",
        width=768,
        height=432,
        keyframe_start=True,
    )


def test_playback_asks_reason_registers_and_serves_segments(
    make_user: MakeUser, client: Client, tmp_path: Path
) -> None:
    camera = make_camera("pb-parvis")
    convention()
    inside = segment(camera, tmp_path / "a.mp4", 2)
    outside = segment(camera, tmp_path / "b.mp4", 90)
    url = f"/supervision/cameras/{camera.pk}/relecture/"

    client.force_login(make_user(Role.CSD_OPERATOR, password=None))  # no approval
    assert client.get(url).status_code == 403

    user = operator(make_user, client)
    page = client.get(url)
    assert page.status_code == 200 and "<video" not in page.content.decode()
    assert client.get(f"/supervision/segments/{inside.pk}/").status_code == 403  # no reason yet

    page = client.post(url, {"start": local(10), "end": local(0), "reason": "Vérification"})
    assert "La fin de la période précède son début." in page.content.decode()
    assert not AccessRecord.objects.exists()

    page = client.post(
        url,
        {"start": local(0), "end": local(30), "reason": "Plainte n° 42"},
    )
    body = page.content.decode()
    assert f"/supervision/segments/{inside.pk}/" in body
    assert f"/supervision/segments/{outside.pk}/" not in body
    entry = AccessRecord.objects.get()
    assert (entry.user, entry.action, entry.reason) == (
        user,
        AccessRecord.Action.PLAYBACK,
        "Plainte n° 42",
    )
    assert entry.camera == camera and entry.details["segments"] == [inside.pk]
    assert entry.range_start is not None and entry.range_end is not None
    served = client.get(f"/supervision/segments/{inside.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "video/mp4"

    # The convention ends: the camera vanishes (404).
    Convention.objects.update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert client.get(url).status_code == 404


def test_live_wall_per_site_registered_masked_images(make_user: MakeUser, client: Client) -> None:
    first = make_camera("wall-a")
    second = make_camera("wall-b")
    convention()
    worker, _token = services.create_worker("w-wall")
    LiveImage.objects.create(camera=first, worker=worker, image=JPEG, taken_at=timezone.now())
    operator(make_user, client)

    page = client.post("/supervision/mur/", {"reason": "Ronde de nuit"})
    assert "Choisissez un site ou une commune." in page.content.decode()
    assert client.get(f"/supervision/cameras/{first.pk}/direct/").status_code == 403

    page = client.post("/supervision/mur/", {"site": first.site_id, "reason": "Ronde de nuit"})
    body = page.content.decode()
    assert f"/supervision/cameras/{first.pk}/direct/" in body
    assert f"/supervision/cameras/{second.pk}/direct/" in body
    views = AccessRecord.objects.filter(action=AccessRecord.Action.LIVE_VIEW)
    assert {entry.camera_name for entry in views} == {"wall-a", "wall-b"}
    assert all(entry.reason == "Ronde de nuit" for entry in views)
    live = client.get(f"/supervision/cameras/{first.pk}/direct/")
    assert live.status_code == 200 and live.content == JPEG

    page = client.post(
        "/supervision/mur/", {"commune": first.site.commune_id, "reason": "Ronde de nuit"}
    )
    assert f"/supervision/cameras/{second.pk}/direct/" in page.content.decode()
