"""Technical alarms: raised once after their delay, end reported; on real decoded images."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from videoworker.config import HealthConfig
from videoworker.events import EventSink, read_events
from videoworker.health import FrameRate, ImageHealth
from videoworker.tests.helpers import footage


def grays(name: str, count: int) -> list[np.ndarray]:
    result = []
    with av.open(str(footage(name))) as container:
        for frame in container.decode(video=0):
            small = frame.reformat(width=178, height=100, format="gray").to_ndarray()
            result.append(np.asarray(small))
            if len(result) == count:
                break
    return result


def kinds(path: Path) -> list[tuple[str, str]]:
    return [(e["type"], e["condition"]) for e in read_events(path)]


def test_frozen_black_and_moved_camera(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    config = HealthConfig(frozen_seconds=3, black_seconds=3, scene_change_seconds=2)
    health = ImageHealth("cam", config, EventSink(path))
    room = grays("quiet-room-noise.mp4", 40)
    parking = grays("parking-cars-no-people.mp4", 10)
    t = 0.0
    for image in room[:20]:  # a live scene: nothing
        health.on_frame(image, t)
        t += 0.2
    assert kinds(path) == []
    for _ in range(30):  # the encoder repeats the same image for 6 s
        health.on_frame(room[20], t)
        t += 0.2
    for image in room[21:30]:
        health.on_frame(image, t)
        t += 0.2
    assert kinds(path) == [
        ("technical_alarm", "image_frozen"),
        ("technical_alarm_end", "image_frozen"),
    ]
    for image in parking * 2:  # the camera was turned towards the car park
        health.on_frame(image, t)
        t += 0.3
    for image in room[30:40]:  # and put back
        health.on_frame(image, t)
        t += 0.2
    assert kinds(path)[2:] == [
        ("technical_alarm", "scene_changed"),
        ("technical_alarm_end", "scene_changed"),
    ]
    black = np.full_like(room[0], 3)
    rng = np.random.default_rng(1)
    for _ in range(25):  # covered lens: black, with a little noise so it is not "frozen"
        health.on_frame(
            np.clip(black + rng.integers(0, 3, black.shape), 0, 255).astype(np.uint8), t
        )
        t += 0.2
    events = read_events(path)
    black_alarms = [e for e in events if e["condition"] == "image_black"]
    assert [e["type"] for e in black_alarms] == ["technical_alarm"]


def test_frame_rate_below_legal_norm(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    rate = FrameRate("cam", HealthConfig(min_fps=12, fps_window=2), EventSink(path))
    t = 0.0
    for _ in range(40):  # 10 images/s for a narrow-field camera: under 12
        rate.on_frame(t)
        t += 0.1
    for _ in range(80):  # 25 images/s
        rate.on_frame(t)
        t += 0.04
    events = read_events(path)
    assert [e["type"] for e in events] == ["technical_alarm", "technical_alarm_end"]
    assert events[0]["fps"] < 12 and events[0]["min_fps"] == 12
