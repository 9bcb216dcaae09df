"""Recording by packet copy: real footage, real segments, checked packet for packet."""

from __future__ import annotations

import hashlib
import itertools
import threading
from pathlib import Path

import av

from videoworker.clock import RealClock
from videoworker.config import StreamSource
from videoworker.events import EventSink, read_events
from videoworker.recorder import SegmentIndex, SegmentRecorder, probe_segment, sha256_file
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
