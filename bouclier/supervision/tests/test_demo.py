"""The demo loader: sample cameras the worker can run, and a fresh worker token each time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bouclier.supervision import services
from bouclier.supervision.demo import DEMO_WORKER, load_demo_cameras, token_path
from bouclier.supervision.models import Camera, DetectionRule
from bouclier.supervision.workerconfig import check_full

pytestmark = pytest.mark.django_db


def test_demo_cameras_and_worker_token(territory: None, settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    message = load_demo_cameras()
    assert "demo-college-parvis" in message and "BOUCLIER_WORKER_TOKEN" in message
    first = token_path().read_text()
    assert token_path().stat().st_mode & 0o077 == 0  # the token is readable by its owner only
    worker = services.authenticate_token(first)
    assert worker is not None and worker.name == DEMO_WORKER
    cameras = list(Camera.objects.filter(name__startswith="demo-"))
    assert cameras and all(c.main_url.startswith("rtsp://127.0.0.1:") for c in cameras)
    parvis = Camera.objects.get(name="demo-college-parvis")
    assert parvis.site.college is not None and parvis.masks.count() == 1
    assert DetectionRule.objects.filter(camera=parvis, schedule=None).exists()  # always armed
    check_full(cameras)  # what the demo worker will receive, validated by its own parser

    # Again (bin/demo at every start): same cameras, a new token, the old one refused.
    load_demo_cameras()
    assert Camera.objects.filter(name__startswith="demo-").count() == len(cameras)
    assert services.authenticate_token(first) is None
    assert services.authenticate_token(token_path().read_text()) == worker
