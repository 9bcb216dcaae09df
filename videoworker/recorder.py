"""Recording of the main stream by packet copy into fixed-length MP4 segments.

Packets are never decoded nor re-encoded (a camera's recording then costs a few percent of a
core, and the footage handed to the police is bit-for-bit what the camera produced). A segment
starts on a keyframe, so each one plays on its own; it is written under `.incoming/`, reopened
and probed, hashed (SHA-256), then moved into place, indexed and reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import av
import av.container
import av.error
import av.packet
import av.stream
import av.video.stream

from videoworker.events import EventSink, iso

_INDEX_LOCKS: dict[Path, threading.Lock] = {}
_INDEX_LOCKS_GUARD = threading.Lock()


def _index_lock(path: Path) -> threading.Lock:
    # One lock per index file for the whole process: the recorder appends while the
    # retention purge rewrites, from different threads.
    with _INDEX_LOCKS_GUARD:
        return _INDEX_LOCKS.setdefault(path.resolve(), threading.Lock())


@dataclass(frozen=True)
class Segment:
    camera: str
    path: str
    start: float
    end: float
    size: int
    sha256: str
    codec: str
    width: int
    height: int
    packets: int
    keyframe_start: bool
    bit_rate: int

    @property
    def duration(self) -> float:
        return self.end - self.start

    def as_event(self) -> dict[str, Any]:
        data = asdict(self)
        del data["camera"]  # carried by the event itself
        data["start"] = iso(self.start)
        data["end"] = iso(self.end)
        data["start_ts"] = self.start
        data["end_ts"] = self.end
        return data


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class SegmentIndex:
    """The JSON-lines index of one camera's segments (camera, start, end, size, SHA-256)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "index.jsonl"
        self.lock = _index_lock(self.path)

    def append(self, segment: Segment) -> None:
        line = json.dumps(asdict(segment), sort_keys=True)
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")

    def entries(self) -> list[Segment]:
        with self.lock:
            return self._read()

    def _read(self) -> list[Segment]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as src:
            return [Segment(**json.loads(line)) for line in src if line.strip()]

    def remove(self, paths: set[str]) -> None:
        """Drop entries (after their files were purged), atomically."""
        with self.lock:
            kept = [s for s in self._read() if s.path not in paths]
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("w", encoding="utf-8") as out:
                for seg in kept:
                    out.write(json.dumps(asdict(seg), sort_keys=True) + "\n")
            os.replace(tmp, self.path)

    def covering(self, start: float, end: float) -> list[Segment]:
        return [s for s in self.entries() if s.end > start and s.start < end]


class SegmentError(Exception):
    """A written segment failed its check."""


def probe_segment(path: Path) -> dict[str, Any]:
    """Reopen a segment and check it: one video stream, starts on a keyframe, has duration."""
    try:
        with av.open(str(path)) as container:
            if len(container.streams.video) != 1:
                raise SegmentError("le segment n'a pas exactement une piste vidéo")
            stream = container.streams.video[0]
            assert stream.time_base is not None
            tb = float(stream.time_base)  # floats: Fraction arithmetic per packet is slow
            first: av.packet.Packet[Any] | None = None
            count = 0
            low: float | None = None
            high = 0.0
            for packet in container.demux(stream):
                if packet.dts is None:
                    continue
                if first is None:
                    first = packet
                    keyframe = packet.is_keyframe
                count += 1
                pts = packet.pts if packet.pts is not None else packet.dts
                secs = pts * tb
                low = secs if low is None else min(low, secs)
                high = max(high, secs + (packet.duration or 0) * tb)
            if first is None or low is None:
                raise SegmentError("le segment ne contient aucune image")
            return {
                "codec": stream.codec_context.name,
                "width": stream.codec_context.width,
                "height": stream.codec_context.height,
                "packets": count,
                "keyframe_start": keyframe,
                "duration": high - low,
                "metadata": dict(container.metadata),
            }
    except av.error.FFmpegError as exc:
        raise SegmentError(f"segment illisible : {exc}") from exc


class SegmentRecorder:
    """Feeds packets of the main stream into segments; call `feed`, `cut` and `close`."""

    def __init__(
        self,
        camera: str,
        directory: Path,
        segment_seconds: float,
        sink: EventSink,
        on_segment: Callable[[Segment], None] | None = None,
    ) -> None:
        self.camera = camera
        self.directory = directory
        self.segment_seconds = segment_seconds
        self.sink = sink
        self.index = SegmentIndex(directory)
        self.on_segment = on_segment
        self._out: av.container.OutputContainer | None = None
        self._out_stream: av.stream.Stream | None = None
        self._tmp: Path | None = None
        self._start = 0.0
        self._last_end = 0.0
        self._offset = 0
        self._offset_set = False
        self._source_bit_rate = 0

    @property
    def recording(self) -> bool:
        return self._out is not None

    def feed(
        self, packet: av.packet.Packet[Any], wall: float, stream: av.video.stream.VideoStream
    ) -> None:
        if packet.dts is None:
            return
        if self._out is None:
            if not packet.is_keyframe:
                return  # a segment must play on its own: wait for a keyframe
            self._open(stream, wall)
        elif packet.is_keyframe and wall - self._start >= self.segment_seconds:
            self._finish(wall)
            self._open(stream, wall)
        assert self._out is not None and self._out_stream is not None
        if not self._offset_set:
            self._offset = packet.dts
            self._offset_set = True
        # Rebase on the segment's first decoding timestamp so each file starts at zero.
        packet.dts -= self._offset
        if packet.pts is not None:
            packet.pts -= self._offset
        tb = packet.time_base
        duration = packet.duration * float(tb) if packet.duration and tb else 0.0
        packet.stream = self._out_stream
        self._out.mux(packet)
        self._last_end = max(self._last_end, wall + duration)

    def _open(self, stream: av.video.stream.VideoStream, wall: float) -> None:
        incoming = self.directory / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.fromtimestamp(wall, dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self._tmp = incoming / f"{self.camera}-{stamp}.mp4"
        out = av.open(str(self._tmp), "w", format="mp4")
        # Date, time and place attached to the images (arrêté du 3 août 2007).
        out.metadata["title"] = f"{self.camera} {iso(wall)}"
        out.metadata["comment"] = f"Bouclier - caméra {self.camera} - début {iso(wall)}"
        out.metadata["creation_time"] = dt.datetime.fromtimestamp(wall, dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
        self._out_stream = out.add_stream_from_template(stream)
        self._out = out
        self._start = wall
        self._last_end = wall
        self._offset = 0
        self._offset_set = False
        self._source_bit_rate = stream.bit_rate or 0

    def _finish(self, end: float) -> Segment | None:
        out, tmp = self._out, self._tmp
        self._out = None
        self._out_stream = None
        if out is None or tmp is None:
            return None
        try:
            out.close()
        except av.error.FFmpegError as exc:
            self.sink.emit(
                "segment_invalid", self.camera, end, path=str(tmp), reason=f"écriture : {exc}"
            )
            return None
        start = self._start
        try:
            info = probe_segment(tmp)
        except SegmentError as exc:
            rejected = self.directory / ".rejected"
            rejected.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, rejected / tmp.name)
            self.sink.emit(
                "segment_invalid", self.camera, end, path=str(rejected / tmp.name), reason=str(exc)
            )
            return None
        day = dt.datetime.fromtimestamp(start, dt.UTC)
        final_dir = self.directory / day.strftime("%Y-%m-%d")
        final_dir.mkdir(parents=True, exist_ok=True)
        final = final_dir / f"{day.strftime('%H%M%S%f')[:-3]}.mp4"
        os.replace(tmp, final)
        segment = Segment(
            camera=self.camera,
            path=str(final),
            start=start,
            # A segment cut at a keyframe ends where the next begins; one cut by a lost
            # stream ends after its last packet.
            end=end if end > start else start + info["duration"],
            size=final.stat().st_size,
            sha256=sha256_file(final),
            codec=info["codec"],
            width=info["width"],
            height=info["height"],
            packets=info["packets"],
            keyframe_start=info["keyframe_start"],
            bit_rate=self._source_bit_rate,
        )
        self.index.append(segment)
        self.sink.emit("segment", self.camera, segment.end, **segment.as_event())
        if self.on_segment is not None:
            self.on_segment(segment)
        return segment

    def cut(self, end: float | None = None) -> Segment | None:
        """Close the current segment (end of stream, lost connection, discontinuity)."""
        return self._finish(self._last_end if end is None else end)

    def close(self) -> Segment | None:
        return self.cut()
