"""Recording by packet copy: real footage, real segments, checked packet for packet."""

from __future__ import annotations

import hashlib
import itertools
import threading
from pathlib import Path

import av
import pytest

from videoworker.clock import RealClock
from videoworker.config import StreamSource
from videoworker.events import EventSink, read_events
from videoworker.recorder import (
    SegmentError,
    SegmentIndex,
    SegmentRecorder,
    check_and_hash,
    probe_segment,
    sha256_file,
)
from videoworker.sources import StreamReader
from videoworker.tests.helpers import footage


def _payloads(path: Path, limit: float | None = None) -> list[str]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        tb = stream.time_base
        assert tb is not None
        result = []
        for packet in container.demux(stream):
            if packet.dts is None:
                continue
            pts = packet.pts if packet.pts is not None else packet.dts
            if limit is not None and packet.is_keyframe and float(pts * tb) >= limit:
                break  # stop, like the test's recording, at the keyframe that starts 20 s
            result.append(hashlib.sha256(bytes(packet)).hexdigest())
        return result


def test_twenty_seconds_recorded_into_checked_segments(tmp_path: Path) -> None:
    clip = footage("indoor-people-one-by-one.mp4")  # a keyframe every second
    sink = EventSink(tmp_path / "events.jsonl")
    recorder = SegmentRecorder("college-a-hall", tmp_path / "rec", 5.0, sink)
    reader = StreamReader(
        StreamSource(file=clip, realtime=False, loop=False), RealClock(), threading.Event()
    )
    reader.open()
    assert reader.stream is not None
    first = reader.wall_time(0.0)
    for packet, wall in reader.packets():
        if packet.is_keyframe and wall - first >= 20.0:
            break
        recorder.feed(packet, wall, reader.stream)
    recorder.close()
    reader.close()

    segments = SegmentIndex(tmp_path / "rec").entries()
    assert len(segments) == 4
    for previous, segment in itertools.pairwise(segments):
        assert abs(segment.start - previous.end) < 1e-6  # contiguous, no gap nor overlap
    for segment in segments:
        assert segment.keyframe_start
        assert abs(segment.duration - 5.0) < 0.2
        assert segment.codec == "h264" and (segment.width, segment.height) == (768, 432)
        path = Path(segment.path)
        assert sha256_file(path) == segment.sha256 and path.stat().st_size == segment.size
        info = probe_segment(path)
        assert info["keyframe_start"] and abs(info["duration"] - 5.0) < 0.2
        assert "college-a-hall" in info["metadata"]["title"]
        assert info["metadata"]["creation_time"].startswith(path.parent.name)

    # Packet copy: the segments hold exactly the source's first 20 s of compressed packets.
    copied = [h for s in segments for h in _payloads(Path(s.path))]
    assert copied == _payloads(clip, limit=20.0)

    events = [e for e in read_events(tmp_path / "events.jsonl") if e["type"] == "segment"]
    assert [e["sha256"] for e in events] == [s.sha256 for s in segments]
    assert all(e["camera"] == "college-a-hall" for e in events)
    assert not list((tmp_path / "rec" / ".incoming").glob("*.mp4"))


def test_segments_wait_for_a_keyframe(tmp_path: Path) -> None:
    # This clip has a single keyframe: a segment can only be cut there, so one segment.
    clip = footage("pedestrians-walkway-20s.mp4")
    sink = EventSink(None)
    recorder = SegmentRecorder("walk", tmp_path, 5.0, sink)
    reader = StreamReader(
        StreamSource(file=clip, realtime=False, loop=False), RealClock(), threading.Event()
    )
    reader.open()
    assert reader.stream is not None
    for packet, wall in reader.packets():
        recorder.feed(packet, wall, reader.stream)
    recorder.close()
    reader.close()
    segments = SegmentIndex(tmp_path).entries()
    assert len(segments) == 1 and segments[0].keyframe_start
    assert abs(segments[0].duration - 20.0) < 0.2


def _record_one(tmp_path: Path) -> Path:
    clip = footage("indoor-people-one-by-one.mp4")
    recorder = SegmentRecorder("cam", tmp_path / "rec", 60.0, EventSink(None))
    reader = StreamReader(
        StreamSource(file=clip, realtime=False, loop=False), RealClock(), threading.Event()
    )
    reader.open()
    assert reader.stream is not None
    first = reader.wall_time(0.0)
    for packet, wall in reader.packets():
        if packet.is_keyframe and wall - first >= 3.0:
            break
        recorder.feed(packet, wall, reader.stream)
    recorder.close()
    reader.close()
    (segment,) = SegmentIndex(tmp_path / "rec").entries()
    return Path(segment.path)


def test_the_single_read_check_agrees_with_the_probe_and_catches_damage(tmp_path: Path) -> None:
    path = _record_one(tmp_path)
    sha256, size, info = check_and_hash(path)
    probed = probe_segment(path)
    assert sha256 == sha256_file(path) and size == path.stat().st_size
    assert info["packets"] == probed["packets"] and info["keyframe_start"]
    assert info["codec"] == probed["codec"] == "h264"
    assert abs(info["duration"] - probed["duration"]) < 0.2
    data = path.read_bytes()
    moov = data.index(b"moov") - 4
    stss = data.index(b"stss") + 12  # the first keyframe's number: after version and count
    damaged = {
        "truncated": data[: len(data) - 1000],  # the moov box (written last) cut short
        "cut_in_mdat": data[: data.index(b"mdat") + 5000],
        "extra_bytes": data + b"\0" * 10,
        "box_size": data[:moov] + (10**6).to_bytes(4, "big") + data[moov + 4 :],
        "no_video_track": data.replace(b"vide", b"soun", 1),
    }
    for name, content in damaged.items():
        broken = tmp_path / f"{name}.mp4"
        broken.write_bytes(content)
        with pytest.raises(SegmentError):
            check_and_hash(broken)
            pytest.fail(name)  # reached only when not detected: names the damage
    # Not an error (the probe reports it the same way), but reported in the index.
    late = tmp_path / "late.mp4"
    late.write_bytes(data[:stss] + (2).to_bytes(4, "big") + data[stss + 4 :])
    assert not check_and_hash(late)[2]["keyframe_start"]


def test_a_segment_damaged_before_its_check_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import videoworker.recorder as recorder_module

    real = recorder_module.check_and_hash

    def truncate_then_check(path: Path) -> tuple[str, int, dict[str, object]]:
        # The disk loses the end of the file between the muxer's close and the check.
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return real(path)

    monkeypatch.setattr(recorder_module, "check_and_hash", truncate_then_check)
    events = tmp_path / "events.jsonl"
    recorder = SegmentRecorder("cam", tmp_path / "rec", 60.0, EventSink(events))
    clip = footage("indoor-people-one-by-one.mp4")
    reader = StreamReader(
        StreamSource(file=clip, realtime=False, loop=False), RealClock(), threading.Event()
    )
    reader.open()
    assert reader.stream is not None
    for index, (packet, wall) in enumerate(reader.packets()):
        if index > 20:
            break
        recorder.feed(packet, wall, reader.stream)
    assert recorder.close() is None
    reader.close()
    assert SegmentIndex(tmp_path / "rec").entries() == []
    assert [e["type"] for e in read_events(events)] == ["segment_invalid"]
    assert list((tmp_path / "rec" / ".rejected").glob("*.mp4"))
