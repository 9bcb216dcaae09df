"""Rules on live RTSP cameras: car park, vehicles, disarmed schedule, masks, first keyframe.

One worker runs four RTSP cameras served by the in-process test server (three times real time,
so the module takes about fifteen seconds) with the YOLOX-Nano detector when the shared model is
there, else the built-in HOG detector (the vehicle test is then skipped). What is asserted
does not depend on how many frames a loaded machine manages to analyse: an absence (no
person in the car park, nothing while disarmed) is checked against a minimum of analysed
frames, a presence (vehicle, person in the zone) is waited for with a generous deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import cv2
import pytest

from videoworker.clock import RealClock
from videoworker.config import StreamSource, parse_config
from videoworker.events import Event, EventSink, read_events
from videoworker.recorder import SegmentIndex, SegmentRecorder
from videoworker.sources import StreamReader
from videoworker.tests.helpers import MODEL, footage
from videoworker.tests.rtsp_server import RtspServer, camera_clip
from videoworker.worker import Worker

WHOLE = [[0, 0], [1, 0], [1, 1], [0, 1]]
LEFT_MASK = [[0, 0], [0.4, 0], [0.4, 1], [0, 1]]
VEHICLES = ["car", "bus", "truck", "motorcycle"]
SPEED = 3.0


def wait_for(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("camera-clips")
    # As IP cameras send them: one keyframe a second, no B-frames (encoded once, ~1 s each).
    return {
        "park": camera_clip(footage("parking-cars-no-people.mp4"), tmp / "park.mp4"),
        "walk": camera_clip(footage("pedestrians-walkway-20s.mp4"), tmp / "walk.mp4"),
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, clips: dict[str, Path]) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("rtsp-worker")
    server = RtspServer(clips, speed=SPEED)
    server.start()
    onnx = MODEL.exists()
    detector: dict[str, Any] = (
        {"type": "onnx", "model": str(MODEL), "threads": 1} if onnx else {"type": "hog"}
    )
    rule = {"name": "intrusion", "persistence": 0.5, "cooldown": 600}

    def camera(name: str, clip: str, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "source": {"main": {"url": server.url(clip)}, "timeout": 5},
            "analysis": {"rate": 2},
            "recording": {"enabled": False},
            "live_image_seconds": 0,
            **extra,
        }

    data = {
        "storage": str(tmp / "store"),
        "detector": detector,
        "schedules": {"jamais": {"weekly": {}}},
        "cameras": [
            camera("park-people", "park", rules=[rule]),
            camera("park-vehicles", "park", rules=[{**rule, "classes": VEHICLES}]),
            camera("walk-disarmed", "walk", rules=[{**rule, "schedule": "jamais"}]),
            camera(
                "walk-masked",
                "walk",
                zones={"cour": [[0.4, 0], [1, 0], [1, 1], [0.4, 1]]},
                masks=[LEFT_MASK],
                rules=[{**rule, "zones": ["cour"]}],
            ),
        ],
    }
    config = parse_config(data, tmp)
    worker = Worker(config, clock=RealClock())
    started = time.monotonic()
    worker.start()

    def alarms(camera: str) -> list[Event]:
        return [
            e
            for e in read_events(config.events_path)
            if e["type"] == "alarm" and e["camera"] == camera
        ]

    def analysed(camera: str) -> int:
        analyzer = worker.pipelines[camera].analyzer
        return analyzer.stats["frames"] if analyzer is not None else 0

    try:
        # Presences: waited for. Absences: at least the whole car-park clip (30 s at three
        # times real time) and enough analysed frames, however slowly a loaded machine goes.
        wait_for(lambda: bool(alarms("walk-masked")), 60)
        if onnx:
            wait_for(lambda: bool(alarms("park-vehicles")), 60)
        time.sleep(max(0.0, started + 30 / SPEED + 1 - time.monotonic()))
        wait_for(lambda: all(analysed(c) >= 15 for c in ("park-people", "walk-disarmed")), 60)
        stats = {name: dict(p.analyzer.stats) for name, p in worker.pipelines.items() if p.analyzer}
    finally:
        worker.stop()
        server.stop()
    return {"events": read_events(config.events_path), "stats": stats, "onnx": onnx}


def of(run: dict[str, Any], kind: str, camera: str) -> list[Event]:
    return [e for e in run["events"] if e["type"] == kind and e["camera"] == camera]


def test_car_park_raises_no_person_alarm(run: dict[str, Any]) -> None:
    assert run["stats"]["park-people"]["frames"] >= 15
    assert run["stats"]["park-people"]["motion"] > 0, "cars move: the detector was asked"
    assert of(run, "alarm", "park-people") == []


def test_car_park_raises_a_vehicle_alarm_when_vehicles_are_armed(run: dict[str, Any]) -> None:
    if not run["onnx"]:
        pytest.skip(f"modèle YOLOX-Nano absent : {MODEL} (HOG ne voit que des personnes)")
    alarms = of(run, "alarm", "park-vehicles")
    assert len(alarms) == 1, "one event, one alarm (cooldown)"
    assert set(alarms[0]["labels"]) <= set(VEHICLES) and alarms[0]["labels"]


def test_disarmed_schedule_raises_nothing(run: dict[str, Any]) -> None:
    stats = run["stats"]["walk-disarmed"]
    assert stats["frames"] >= 15 and stats["motion"] > 0  # people walk, the rule sleeps
    assert stats["detections"] == 0, "no detector time spent while disarmed"
    assert of(run, "alarm", "walk-disarmed") == []


def test_masked_area_is_black_in_the_snapshot(run: dict[str, Any]) -> None:
    alarms = of(run, "alarm", "walk-masked")
    assert len(alarms) == 1 and alarms[0]["labels"] == ["person"]
    snapshot = cv2.imread(alarms[0]["snapshot"])
    assert snapshot is not None and snapshot.shape[:2] == (576, 768)
    edge = int(0.4 * 768)
    assert float(snapshot[:, : edge - 4].max()) < 30, "the mask is black"
    assert float(snapshot[:, edge + 4 :].mean()) > 40, "the rest is the scene"


def test_first_keyframe_of_each_connection_is_kept(tmp_path: Path, clips: dict[str, Path]) -> None:
    """FFmpeg gives the first RTSP packet no timestamp; it is recovered, not dropped."""
    with av.open(str(clips["walk"])) as container:
        first_key = next(iter(container.demux(container.streams.video[0])))
        assert first_key.is_keyframe
        source_first = bytes(first_key)
    server = RtspServer({"walk": clips["walk"]}, speed=4.0)
    server.start()
    try:
        recorder = SegmentRecorder("walk", tmp_path, 1.0, EventSink(None))
        for _connection in range(2):  # a reconnection starts with the keyframe again
            reader = StreamReader(
                StreamSource(url=server.url("walk")), RealClock(), threading.Event()
            )
            reader.open()
            assert reader.stream is not None
            packets = []
            for packet, wall in reader.packets():
                packets.append((packet, wall))
                if packet.is_keyframe and len(packets) > 1:
                    break
            first, first_wall = packets[0]
            assert first.is_keyframe and first.pts is not None
            following = packets[1][0].pts
            assert following is not None and first.pts < following  # one frame before it
            assert abs(packets[1][1] - first_wall - 0.1) < 1e-3  # 10 images/s
            assert list(first.decode()), "the decoder starts at once"
            for packet, wall in packets[:-1]:
                recorder.feed(packet, wall, reader.stream)
            recorder.cut()
            reader.close()
        recorder.close()
    finally:
        server.stop()
    segments = SegmentIndex(tmp_path).entries()
    assert len(segments) == 2 and all(s.keyframe_start for s in segments)
    for segment in segments:
        assert abs(segment.duration - 1.0) < 0.05  # the whole first second, keyframe included
        with av.open(segment.path) as container:
            recorded = next(iter(container.demux(container.streams.video[0])))
            # The camera's keyframe slices, copied (the recording may add parameter sets).
            assert source_first[-2000:] == bytes(recorded)[-2000:]
