"""Joining recorded segments into one standard MP4 file by packet copy (no re-encoding).

The camera's packets are copied as they are: the exported file holds, bit for bit, what the
camera produced (the arrêté of 3 August 2007 asks for an export without loss of quality).
Segments start on a keyframe, so the file starts on the first segment's first image and ends
with the last segment's last one: a copy cannot cut between keyframes, and the manifest gives
the exact period the file covers. Timestamps are shifted so that each segment follows the
previous one at its recorded wall-clock offset; ``+faststart`` puts the index first, as
common players and browsers expect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.container


@dataclass(frozen=True)
class Source:
    path: Path
    start: dt.datetime


@dataclass(frozen=True)
class Remuxed:
    codec: str
    width: int
    height: int
    packets: int
    duration: float


class RemuxError(Exception):
    """A segment could not be read or does not match the others."""


def remux(sources: Sequence[Source], output: Path) -> Remuxed:
    """Copy the video packets of ``sources`` (in order) into ``output`` (MP4)."""
    if not sources:
        raise RemuxError("aucun segment")
    first_start = sources[0].start
    out = av.open(str(output), "w", format="mp4", options={"movflags": "+faststart"})
    out_stream: Any = None
    codec = ""
    width = height = 0
    count = 0
    last_dts: Fraction | None = None
    end_seconds = 0.0
    try:
        for source in sources:
            with av.open(str(source.path)) as container:
                if not container.streams.video:
                    raise RemuxError(f"{source.path.name} : pas de piste vidéo")
                stream = container.streams.video[0]
                if out_stream is None:
                    out_stream = out.add_stream_from_template(stream)
                    codec = stream.codec_context.name
                    width, height = stream.codec_context.width, stream.codec_context.height
                elif stream.codec_context.name != codec:
                    raise RemuxError(f"{source.path.name} : codec différent ({codec} attendu)")
                time_base = stream.time_base
                assert time_base is not None
                # Where this segment starts, in its own time base, from the file's start.
                offset = round((source.start - first_start).total_seconds() / time_base)
                base: int | None = None
                for packet in container.demux(stream):
                    if packet.dts is None:
                        continue  # the demuxer's final flush packet
                    if base is None:
                        base = packet.dts
                    pts = packet.pts if packet.pts is not None else packet.dts
                    packet.dts = packet.dts - base + offset
                    packet.pts = pts - base + offset
                    if last_dts is not None and Fraction(packet.dts) * time_base <= last_dts:
                        # Overlapping segments (a worker restart): never go backwards.
                        continue
                    last_dts = Fraction(packet.dts) * time_base
                    end_seconds = float((packet.pts + (packet.duration or 0)) * time_base)
                    packet.stream = out_stream
                    out.mux(packet)
                    count += 1
    finally:
        out.close()
    return Remuxed(codec, width, height, count, end_seconds)


ENCODE_TIME_BASE = Fraction(1, 90_000)


def reencode_masked(
    sources: Sequence[Source], output: Path, masks: tuple[tuple[tuple[float, float], ...], ...]
) -> Remuxed:
    """Decode, black out the privacy masks, encode again (H.264, high quality).

    Only for cameras with masks: the recording is the camera's raw stream, and a view into a
    home must not leave the centre. The manifest says the file was re-encoded, and why.
    """
    from videoworker.analysis import black_out, to_bgr

    if not sources:
        raise RemuxError("aucun segment")
    first_start = sources[0].start
    out = av.open(str(output), "w", format="mp4", options={"movflags": "+faststart"})
    out_stream: Any = None
    count = 0
    last_pts = -1
    width = height = 0

    def mux(frame: Any) -> None:
        nonlocal count
        for packet in out_stream.encode(frame):
            out.mux(packet)
            count += 1

    try:
        for source in sources:
            with av.open(str(source.path)) as container:
                if not container.streams.video:
                    raise RemuxError(f"{source.path.name} : pas de piste vidéo")
                stream = container.streams.video[0]
                time_base = stream.time_base
                assert time_base is not None
                if out_stream is None:
                    width, height = stream.codec_context.width, stream.codec_context.height
                    out_stream = out.add_stream("libx264", rate=stream.average_rate or 25)
                    out_stream.width, out_stream.height = width, height
                    out_stream.pix_fmt = "yuv420p"
                    out_stream.codec_context.time_base = ENCODE_TIME_BASE
                    # Near-transparent quality: the masks are the only intended change.
                    out_stream.options = {"crf": "17", "preset": "veryfast"}
                offset = (source.start - first_start).total_seconds()
                base: int | None = None
                for frame in container.decode(stream):
                    if frame.pts is None:
                        continue
                    if base is None:
                        base = frame.pts
                    seconds = float((frame.pts - base) * time_base) + offset
                    pts = round(seconds / ENCODE_TIME_BASE)
                    if pts <= last_pts:
                        continue  # overlapping segments: never go backwards
                    last_pts = pts
                    image = black_out(to_bgr(frame), masks)
                    masked = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(
                        format="yuv420p"
                    )
                    masked.pts = pts
                    masked.time_base = ENCODE_TIME_BASE
                    mux(masked)
        if out_stream is not None:
            mux(None)
    finally:
        out.close()
    return Remuxed("h264", width, height, count, float(last_pts * ENCODE_TIME_BASE))
