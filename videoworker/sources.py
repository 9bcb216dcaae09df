"""Opening camera streams with PyAV: RTSP over TCP, or a local file played at its real pace.

A reader yields the video packets of one connection with a wall-clock time for each, computed
from the stream's timestamps anchored at the moment of connection (so that a segment's start
and end match the footage, not the moment a thread got round to it). A file is paced with the
injected clock, so a test can play it faster than real time.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import av
import av.container
import av.error
import av.packet
import av.video.stream

from videoworker.clock import Clock
from videoworker.config import StreamSource


class StreamError(Exception):
    """The stream could not be opened or broke while reading; the message is in French."""


class StreamReader:
    """One connection to one stream; `packets()` ends at end of file or on a broken stream."""

    def __init__(
        self,
        source: StreamSource,
        clock: Clock,
        stop: threading.Event,
        timeout: float = 10.0,
    ) -> None:
        self.source = source
        self.clock = clock
        self.stop = stop
        self.timeout = timeout
        self.container: av.container.InputContainer | None = None
        self.stream: av.video.stream.VideoStream | None = None
        self._anchor_wall = 0.0
        self._anchor_mono = 0.0
        self._anchor_pts: float | None = None

    def open(self) -> None:
        try:
            if self.source.url is not None:
                # TCP because UDP loses packets (and so whole GOPs) on any busy network; the
                # socket timeout is in microseconds for FFmpeg's RTSP demuxer.
                options = {
                    "rtsp_transport": "tcp",
                    "timeout": str(int(self.timeout * 1_000_000)),
                    "fflags": "+genpts",
                }
                container = av.open(
                    self.source.url, options=options, timeout=(self.timeout, self.timeout)
                )
            else:
                container = av.open(str(self.source.file))
        except (av.error.FFmpegError, OSError) as exc:
            raise StreamError(f"ouverture impossible de {self.source.label} : {exc}") from exc
        if not container.streams.video:
            container.close()
            raise StreamError(f"aucune piste vidéo dans {self.source.label}")
        self.container = container
        self.stream = container.streams.video[0]
        self._anchor_wall = self.clock.time()
        self._anchor_mono = self.clock.monotonic()
        self._anchor_pts = None

    @property
    def time_base(self) -> Fraction:
        assert self.stream is not None and self.stream.time_base is not None
        return self.stream.time_base

    def wall_time(self, seconds: float) -> float:
        """The wall-clock time of a stream timestamp (seconds in the stream's time line)."""
        if self._anchor_pts is None:
            self._anchor_pts = seconds
        return self._anchor_wall + (seconds - self._anchor_pts)

    def packets(self) -> Iterator[tuple[av.packet.Packet[Any], float]]:
        assert self.container is not None and self.stream is not None
        pace = self.source.file is not None and self.source.realtime
        # FFmpeg's RTSP demuxer gives the first access unit of a connection (the keyframe that
        # cameras send first) no timestamp, as no RTCP report has synchronised the clock yet.
        # Dropping it would leave the decoder and the recorder waiting for the next keyframe,
        # up to a whole GOP later; it is held back and stamped one frame before the next one.
        held: av.packet.Packet[Any] | None = None
        tb = float(self.time_base)  # a float: Fraction arithmetic per packet is slow
        try:
            for packet in self.container.demux(self.stream):
                if self.stop.is_set():
                    return
                ts = packet.pts if packet.pts is not None else packet.dts
                if ts is None:
                    if packet.size > 0 and held is None:
                        held = packet
                    continue  # else the demuxer's flush packet
                if held is not None:
                    stamped = self._recover(held, packet)
                    if stamped is not None:
                        yield held, self.wall_time(stamped)
                    held = None
                seconds = ts * tb
                wall = self.wall_time(seconds)
                if pace:
                    assert self._anchor_pts is not None
                    due = self._anchor_mono + (seconds - self._anchor_pts)
                    delay = due - self.clock.monotonic()
                    if delay > 0 and self.clock.sleep(delay, self.stop):
                        return
                yield packet, wall
        except (av.error.FFmpegError, OSError) as exc:
            raise StreamError(f"flux interrompu ({self.source.label}) : {exc}") from exc

    def _recover(
        self, held: av.packet.Packet[Any], following: av.packet.Packet[Any]
    ) -> float | None:
        """Stamp a packet that came without a timestamp one frame before the next packet.

        Returns its time in seconds on the stream's time line, or None when it cannot tell.
        """
        assert self.stream is not None
        following_dts = following.dts if following.dts is not None else following.pts
        if following_dts is None:
            return None
        duration = held.duration or following.duration
        if not duration:
            rate = self.stream.average_rate or self.stream.guessed_rate
            if not rate:
                return None
            duration = max(1, round(1 / (rate * self.time_base)))
        # Cameras send no B-frames at a stream's start: the keyframe's pts equals its dts.
        stamp = following_dts - duration
        held.dts = stamp
        held.pts = stamp
        return float(stamp * self.time_base)

    def close(self) -> None:
        if self.container is not None:
            # Closing a broken connection may fail; it is gone either way.
            with contextlib.suppress(av.error.FFmpegError, OSError):
                self.container.close()
        self.container = None
        self.stream = None
