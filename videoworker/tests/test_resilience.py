"""Retention purge with judicial holds, the watchdog, and the command line."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from videoworker.__main__ import main
from videoworker.clock import AcceleratedClock, RealClock
from videoworker.config import StreamSource, parse_config
from videoworker.events import EventSink, read_events
from videoworker.recorder import SegmentIndex, SegmentRecorder
from videoworker.retention import purge
from videoworker.sources import StreamReader
from videoworker.tests.helpers import footage
from videoworker.worker import Worker


def record(directory: Path, seconds: float) -> None:
    """Record the indoor clip (a keyframe per second) into 2-second segments."""
    recorder = SegmentRecorder("hall", directory, 2.0, EventSink(None))
    clip = footage("indoor-people-one-by-one.mp4")
    reader = StreamReader(
        StreamSource(file=clip, realtime=False, loop=False), RealClock(), threading.Event()
    )
    reader.open()
    assert reader.stream is not None
    first = reader.wall_time(0.0)
    for packet, wall in reader.packets():
        if packet.is_keyframe and wall - first >= seconds:
            break
        recorder.feed(packet, wall, reader.stream)
    recorder.close()
    reader.close()


def config_for(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "storage": str(tmp_path / "store"),
        "cameras": [
            {
                "name": "hall",
                "source": {
                    "main": {
                        "file": str(footage("indoor-people-one-by-one.mp4")),
                        "realtime": False,
                        "loop": False,
                    }
                },
                "recording": {"retention_days": 10},
                "analysis": {"enabled": False},
            }
        ],
        **extra,
    }


def test_retention_deletes_old_segments_but_keeps_held_ones(tmp_path: Path) -> None:
    directory = tmp_path / "store" / "recordings" / "hall"
    record(directory, 8.0)
    segments = SegmentIndex(directory).entries()
    assert len(segments) == 4
    held = segments[1]
    holds = tmp_path / "gels.yaml"
    start = dt.datetime.fromtimestamp(held.start + 0.5, dt.UTC).isoformat()
    end = dt.datetime.fromtimestamp(held.start + 1.0, dt.UTC).isoformat()
    holds.write_text(
        yaml.safe_dump(
            {"holds": [{"reference": "PV 2025/42", "camera": "hall", "from": start, "to": end}]}
        ),
        encoding="utf-8",
    )
    config = parse_config(config_for(tmp_path, holds_file=str(holds)), tmp_path)
    sink = EventSink(tmp_path / "events.jsonl")

    assert purge(config, segments[-1].end + 9 * 86_400, sink) == []  # not yet 10 days old
    deleted = purge(config, segments[-1].end + 11 * 86_400, sink)

    assert {s.path for s in deleted} == {s.path for s in segments} - {held.path}
    assert all(not Path(s.path).exists() for s in deleted)
    assert Path(held.path).exists()
    assert [s.path for s in SegmentIndex(directory).entries()] == [held.path]
    reported = [e for e in read_events(tmp_path / "events.jsonl") if e["type"] == "segment_deleted"]
    assert sorted(e["path"] for e in reported) == sorted(s.path for s in deleted)
    assert all(e["sha256"] and e["camera"] == "hall" for e in reported)
    summary = [e for e in read_events(tmp_path / "events.jsonl") if e["type"] == "purge"]
    assert summary[-1]["kept_under_hold"] == 1


def test_broken_holds_file_stops_the_purge(tmp_path: Path) -> None:
    directory = tmp_path / "store" / "recordings" / "hall"
    record(directory, 2.0)
    holds = tmp_path / "gels.yaml"
    holds.write_text("holds:\n  - reference: PV\n    camera: hall\n", encoding="utf-8")
    config = parse_config(config_for(tmp_path, holds_file=str(holds)), tmp_path)
    with pytest.raises(ValueError, match="reference, camera, from, to"):
        purge(config, time.time() + 100 * 86_400, EventSink(None))
    assert len(SegmentIndex(directory).entries()) == 1


def test_watchdog_restarts_a_crashed_pipeline(tmp_path: Path) -> None:
    data = config_for(tmp_path)
    data["cameras"][0]["recording"] = {"segment_seconds": 5}
    config = parse_config(data, tmp_path)
    worker = Worker(config, clock=AcceleratedClock(20.0), watchdog_interval=0.5)
    crashes = iter([True])

    def arm(pipeline: Any) -> None:
        if next(crashes, False):

            def boom() -> None:
                raise RuntimeError("décodeur en panne")

            pipeline.fault = boom

    worker.before_start = arm
    worker.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not worker.pipelines["hall"].finished.is_set():
        time.sleep(0.1)
    worker.pipelines["hall"].join(timeout=20)
    worker.stop()
    events = read_events(config.events_path)
    restarts = [e for e in events if e["type"] == "pipeline_restarted"]
    assert len(restarts) == 1 and "décodeur en panne" in restarts[0]["reason"]
    assert len([e for e in events if e["type"] == "segment"]) >= 20  # 139 s in 5 s segments


def test_command_line_checks_and_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cameras.yaml"
    bad = config_for(tmp_path)
    bad["cameras"][0]["recording"]["retention_days"] = 60
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    assert main(["--config", str(path)]) == 2
    assert "retention_days" in capsys.readouterr().err

    good = config_for(tmp_path)
    good["cameras"][0]["source"]["main"]["file"] = str(footage("quiet-room-noise.mp4"))
    path.write_text(yaml.safe_dump(good), encoding="utf-8")
    assert main(["--config", str(path), "--check"]) == 0
    assert main(["--config", str(path)]) == 0  # the file is played once, then it stops
    events = read_events(tmp_path / "store" / "events.jsonl")
    assert [e["type"] for e in events if e["type"] == "segment"] == ["segment"]
    assert events[-1]["type"] == "worker_stopped"
