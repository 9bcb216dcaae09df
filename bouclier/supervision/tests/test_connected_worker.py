"""Real parts end to end: an RTSP camera on loopback, worker subprocesses, the live platform.

One scenario (module-long, about a minute): worker A registers with its token, receives the
camera, records it from RTSP (segments start on keyframes and keep the camera's H.264 slices
bit for bit), raises an alarm with a snapshot when people walk in the zone, raises "camera
offline" when the RTSP server stops and records the gap when it comes back. A is then killed
with SIGKILL; worker B takes the camera over once A's lease expires. A's spool, flushed as A
would at its next start, shows that no alarm is lost, and the repeated posts that no alarm
is duplicated.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from pytest_django.live_server_helper import LiveServer

from bouclier.supervision import services
from bouclier.supervision.models import Alarm, Camera, LiveImage, Segment, TechnicalEvent
from bouclier.supervision.tests.helpers import make_camera
from videoworker.connected import Platform, Spool, Uploader
from videoworker.events import read_events
from videoworker.tests.helpers import REPO, footage
from videoworker.tests.rtsp_server import RtspServer, camera_clip

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"délai dépassé : {what}")


class WorkerProcess:
    def __init__(self, url: str, token: str, storage: Path) -> None:
        self.storage = storage
        storage.mkdir(parents=True, exist_ok=True)
        self.log = (storage.parent / f"{storage.name}.log").open("w")
        env = {**os.environ, "BOUCLIER_WORKER_TOKEN": token, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            [sys.executable, "-m", "videoworker", "--platform", url, "--storage", str(storage)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in read_events(self.storage / "events.jsonl") if e["type"] == kind]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def slices(path: Path) -> list[bytes]:
    """The coded slices of a recording (NAL types 1 and 5), as the camera produced them."""
    found: list[bytes] = []
    with av.open(str(path)) as container:
        for packet in container.demux(container.streams.video[0]):
            data = bytes(packet)
            i = 0
            while i + 4 <= len(data):
                size = int.from_bytes(data[i : i + 4], "big")
                nal = data[i + 4 : i + 4 + size]
                if nal and nal[0] & 0x1F in (1, 5):
                    found.append(nal)
                i += 4 + size
    return found


@pytest.fixture
def camera_server(tmp_path: Path) -> Iterator[tuple[RtspServer, Path]]:
    source = camera_clip(footage("pedestrians-walkway-20s.mp4"), tmp_path / "camera.mp4")
    server = RtspServer({"walk": source})
    server.start()
    yield server, source
    server.stop()


def test_connected_workers_record_alarm_survive_outage_and_take_over(
    live_server: LiveServer,
    territory: None,
    settings: Any,
    tmp_path: Path,
    camera_server: tuple[RtspServer, Path],
) -> None:
    settings.SUPERVISION_LEASE_SECONDS = 4
    server, source = camera_server
    make_camera(
        "walk",
        url=server.url("walk"),
        segment_seconds=2,
        offline_delay=1,
        reconnect_max=1,
        analysis_rate=5,
        live_image_seconds=1,
    )
    _, token_a = services.create_worker("worker-a")
    _, token_b = services.create_worker("worker-b")
    a = WorkerProcess(live_server.url, token_a, tmp_path / "a")
    b: WorkerProcess | None = None
    try:
        # Registered, the camera leased to A, recorded and analysed.
        wait_for(
            lambda: Camera.objects.filter(name="walk", worker__name="worker-a").exists(),
            20,
            "bail pris par A",
        )
        alarm = wait_for(lambda: Alarm.objects.first(), 40, "alarme reçue")
        assert alarm.rule == "intrusion" and "person" in alarm.labels
        assert alarm.snapshot.read()[:3] == b"\xff\xd8\xff"
        wait_for(
            lambda: Segment.objects.filter(worker__name="worker-a").count() >= 2, 20, "segments"
        )
        wait_for(lambda: LiveImage.objects.filter(camera__name="walk").exists(), 10, "image")

        # Segments are valid, start on a keyframe, keep the camera's codec and its slices.
        source_slices = set(slices(source))
        for segment in Segment.objects.filter(worker__name="worker-a")[:2]:
            assert segment.keyframe_start and segment.codec == "h264"
            assert (segment.width, segment.height) == (768, 576)
            recorded = slices(Path(segment.path))
            assert recorded and all(nal in source_slices for nal in recorded)

        # The camera goes offline, then comes back: technical alarm, end, gap recorded.
        server.stop()
        wait_for(
            lambda: TechnicalEvent.objects.filter(
                kind="technical_alarm", condition="camera_offline"
            ).exists(),
            20,
            "caméra hors ligne",
        )
        time.sleep(1)
        server.start()
        gap = wait_for(
            lambda: TechnicalEvent.objects.filter(kind="recording_gap").first(), 30, "lacune"
        )
        assert gap.data["duration"] > 1
        wait_for(
            lambda: TechnicalEvent.objects.filter(
                kind="technical_alarm_end", condition="camera_offline"
            ).exists(),
            10,
            "fin de l'alarme technique",
        )

        # A dies without a word; B takes the camera once A's lease has expired.
        a.process.send_signal(signal.SIGKILL)
        a.process.wait()
        b = WorkerProcess(live_server.url, token_b, tmp_path / "b")
        wait_for(
            lambda: Camera.objects.filter(name="walk", worker__name="worker-b").exists(),
            20,
            "reprise par B",
        )
        wait_for(
            lambda: Segment.objects.filter(worker__name="worker-b").exists(), 30, "B enregistre"
        )
        wait_for(lambda: b.events("alarm"), 30, "B analyse")
        b.stop()

        # A's spool, flushed as A would at its next start: everything A raised arrives once.
        uploader = Uploader(
            Platform(live_server.url, token_a), Spool(a.storage / "spool"), threading.Event()
        )
        assert uploader.flush_once()
        raised = {e["id"] for e in a.events("alarm")} | {e["id"] for e in b.events("alarm")}
        received = {str(i) for i in Alarm.objects.values_list("event_id", flat=True)}
        assert raised == received
        # Posting every alarm again creates nothing (idempotent ids).
        for event in a.events("alarm"):
            spool = Spool(tmp_path / "again")
            spool.put(event)
            again = Uploader(Platform(live_server.url, token_a), spool, threading.Event())
            assert again.flush_once() and again.stats.duplicates == 1
        assert Alarm.objects.count() == len(raised)
    finally:
        a.stop(signal.SIGKILL)
        if b is not None:
            b.stop()
