"""Recording of the main stream by packet copy into fixed-length MP4 segments.

Packets are never decoded nor re-encoded (a camera's recording then costs a few percent of a
core, and the footage handed to the police is bit-for-bit what the camera produced). A segment
starts on a keyframe, so each one plays on its own; it is written under `.incoming/`, checked
and hashed (SHA-256), then moved into place, indexed and reported.

The check and the hash share one read of the file (`check_and_hash`): a walk of the MP4 boxes
(ftyp first, one moov and one mdat, every size consistent with the file's, one video track
whose sample table holds exactly the packets muxed, the first of them a keyframe). Reopening
each segment with PyAV to demux it cost more than the copy itself; the full probe
(`probe_segment`) now runs only when the cheap check fails, to tell a segment the walk does not
understand (kept, with the probe's figures) from a broken one (rejected).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import struct
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


_CODECS = {b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc"}
Box = tuple[bytes, int, int]  # (type, payload start, box end)


def _boxes(data: bytes, start: int, end: int) -> list[Box]:
    """The boxes between start and end of `data`; raises if a size is inconsistent."""
    found = []
    at = start
    while at < end:
        if end - at < 8:
            raise SegmentError("boîte MP4 tronquée")
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            if end - at < 16:
                raise SegmentError("boîte MP4 tronquée")
            (size,) = struct.unpack_from(">Q", data, at + 8)
            header = 16
        elif size == 0:
            size = end - at  # extends to the end of its parent
        if size < header or at + size > end:
            raise SegmentError(f"taille incohérente de la boîte {kind.decode('latin-1')}")
        found.append((kind, at + header, at + size))
        at += size
    return found


def _child(data: bytes, parent: Box, kind: bytes) -> Box:
    matches = [box for box in _boxes(data, parent[1], parent[2]) if box[0] == kind]
    if len(matches) != 1:
        raise SegmentError(f"boîte {kind.decode()} absente ou multiple")
    return matches[0]


def check_moov(moov: bytes) -> dict[str, Any]:
    """Check the moov box's payload: one video track, its samples, its first a keyframe."""
    try:
        root: Box = (b"moov", 0, len(moov))
        _child(moov, root, b"mvhd")
        videos = []
        for trak in (box for box in _boxes(moov, 0, len(moov)) if box[0] == b"trak"):
            mdia = _child(moov, trak, b"mdia")
            hdlr = _child(moov, mdia, b"hdlr")
            if moov[hdlr[1] + 8 : hdlr[1] + 12] == b"vide":
                videos.append(mdia)
        if len(videos) != 1:
            raise SegmentError("le segment n'a pas exactement une piste vidéo")
        mdia = videos[0]
        mdhd = _child(moov, mdia, b"mdhd")
        if moov[mdhd[1]] == 1:
            timescale, duration = struct.unpack_from(">IQ", moov, mdhd[1] + 20)
        else:
            timescale, duration = struct.unpack_from(">II", moov, mdhd[1] + 12)
        stbl = _child(moov, _child(moov, mdia, b"minf"), b"stbl")
        stsd = _child(moov, stbl, b"stsd")
        codec = moov[stsd[1] + 12 : stsd[1] + 16]
        (samples,) = struct.unpack_from(">I", moov, _child(moov, stbl, b"stsz")[1] + 8)
        sync = [box for box in _boxes(moov, stbl[1], stbl[2]) if box[0] == b"stss"]
        keyframe = True  # no stss box: every sample is a keyframe
        if sync:
            count, first = struct.unpack_from(">II", moov, sync[0][1] + 4)
            keyframe = count > 0 and first == 1
    except struct.error as exc:
        raise SegmentError("boîte moov tronquée") from exc
    if samples == 0 or not timescale:
        raise SegmentError("le segment ne contient aucune image")
    return {
        "codec": _CODECS.get(codec, codec.decode("latin-1")),
        "packets": samples,
        "keyframe_start": keyframe,
        "duration": duration / timescale,
    }


def check_and_hash(path: Path) -> tuple[str, int, dict[str, Any]]:
    """SHA-256, size and structural check of a segment, reading its bytes once.

    The hash reads the whole file; the walk reads only the top-level box headers (a few) and
    the moov box (kilobytes), from the page cache. Raises `SegmentError` when the structure is
    wrong: top-level boxes not tiling the file exactly, no ftyp first, not exactly one moov
    and one non-empty mdat, or a wrong moov (`check_moov`).
    """
    digest = hashlib.sha256()
    with path.open("rb") as src:
        fd = src.fileno()
        size = os.fstat(fd).st_size
        top: list[Box] = []
        at = 0
        while at < size:
            head = os.pread(fd, 16, at)
            if len(head) < 8:
                raise SegmentError("boîte MP4 tronquée")
            box_size, kind = struct.unpack_from(">I4s", head)
            header = 8
            if box_size == 1:
                if len(head) < 16:
                    raise SegmentError("boîte MP4 tronquée")
                (box_size,) = struct.unpack_from(">Q", head, 8)
                header = 16
            if box_size < header or at + box_size > size:
                raise SegmentError(f"taille incohérente de la boîte {kind.decode('latin-1')}")
            top.append((kind, at + header, at + box_size))
            at += box_size
        kinds = [kind for kind, _, _ in top]
        if not kinds or kinds[0] != b"ftyp":
            raise SegmentError("le segment ne commence pas par une boîte ftyp")
        if kinds.count(b"moov") != 1 or kinds.count(b"mdat") != 1:
            raise SegmentError("le segment n'a pas exactement une boîte moov et une boîte mdat")
        _mdat, mdat_start, mdat_end = top[kinds.index(b"mdat")]
        if mdat_end <= mdat_start:
            raise SegmentError("le segment ne contient aucune image")
        _moov, moov_start, moov_end = top[kinds.index(b"moov")]
        info = check_moov(os.pread(fd, moov_end - moov_start, moov_start))
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest(), size, info


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
        self._packets = 0
        self._codec: tuple[str, int, int] = ("", 0, 0)

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
        self._packets += 1
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
        self._packets = 0
        context = stream.codec_context
        self._codec = (context.name, context.width, context.height)

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
            sha256, size, info = self._check(tmp)
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
            size=size,
            sha256=sha256,
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

    def _check(self, path: Path) -> tuple[str, int, dict[str, Any]]:
        """Digest, size and figures of a written segment; raises `SegmentError` if broken."""
        codec, width, height = self._codec
        try:
            sha256, size, info = check_and_hash(path)
        except SegmentError:
            # A structure the walk does not know (or a broken file): the full probe decides.
            info = probe_segment(path)
            return sha256_file(path), path.stat().st_size, info
        if info["packets"] != self._packets:
            raise SegmentError(
                f"le segment contient {info['packets']} images au lieu de {self._packets}"
            )
        return (
            sha256,
            size,
            {**info, "codec": codec or info["codec"], "width": width, "height": height},
        )

    def cut(self, end: float | None = None) -> Segment | None:
        """Close the current segment (end of stream, lost connection, discontinuity)."""
        return self._finish(self._last_end if end is None else end)

    def close(self) -> Segment | None:
        return self.cut()
