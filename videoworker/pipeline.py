"""One camera's pipeline: ingest threads (main and sub-stream), recording, analysis thread.

The main stream is demuxed and its packets copied into segments; the analysis stream (the
sub-stream when there is one, else the main stream) is decoded and every analysed frame goes
through a bounded queue: when analysis falls behind, the oldest frame is dropped, so
recording and connection handling never wait for the detector. A lost stream is retried with
exponential backoff; past the configured delay a "camera offline" technical alarm is raised,
and when it comes back the gap in the recording is reported.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

import av.error
import av.video.frame

from videoworker.analysis import CameraAnalyzer
from videoworker.clock import Clock
from videoworker.config import CameraConfig, Schedule, StreamSource
from videoworker.detectors import DetectorPool
from videoworker.events import EventSink, iso
from videoworker.health import Condition, FrameRate
from videoworker.recorder import SegmentIndex, SegmentRecorder
from videoworker.sources import StreamError, StreamReader

log = logging.getLogger("videoworker")

_Item = tuple[av.video.frame.VideoFrame, float]


class CameraPipeline:
    def __init__(
        self,
        camera: CameraConfig,
        storage: Path,
        schedules: dict[str, Schedule],
        pool: DetectorPool | None,
        sink: EventSink,
        clock: Clock,
        queue_size: int = 2,
    ) -> None:
        self.camera = camera
        self.storage = storage
        self.sink = sink
        self.clock = clock
        self.stop_event = threading.Event()
        self.finished = threading.Event()
        self.crashed: BaseException | None = None
        self.directory = storage / "recordings" / camera.name
        self.index = SegmentIndex(self.directory)
        analyse = camera.analysis.enabled
        self.analyzer = (
            CameraAnalyzer(camera, schedules, pool, sink, storage, self.index) if analyse else None
        )
        self.recorder = (
            SegmentRecorder(
                camera.name,
                self.directory,
                camera.recording.segment_seconds,
                sink,
                on_segment=self.analyzer.on_segment if self.analyzer is not None else None,
            )
            if camera.recording.enabled
            else None
        )
        self.offline = Condition("camera_offline", camera.name, sink)
        self.frame_rate = FrameRate(camera.name, camera.health, sink)
        self.frames: queue.Queue[_Item] = queue.Queue(maxsize=queue_size)
        self.dropped_frames = 0
        self._threads: list[threading.Thread] = []
        self._ingest_done = threading.Event()
        # Hooks for tests of the watchdog: raise from inside a running pipeline.
        self.fault: Callable[[], None] | None = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        sub = self.camera.source.sub
        analyse_main = self.analyzer is not None and sub is None
        self._spawn("main", lambda: self._ingest(self.camera.source.main, True, analyse_main))
        if sub is not None and self.analyzer is not None:
            self._spawn("sub", lambda: self._ingest(sub, False, True))
        if self.analyzer is not None:
            self._spawn("analysis", self._analyse)

    def _spawn(self, role: str, target: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                target()
            except Exception as exc:
                # The watchdog sees this and restarts the whole pipeline; other cameras
                # run on untouched.
                log.exception("caméra %s : le fil %s a planté", self.camera.name, role)
                self.crashed = exc
                self.stop_event.set()
            finally:
                if role == "main":
                    self._ingest_done.set()

        thread = threading.Thread(target=guarded, name=f"{self.camera.name}-{role}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self.stop_event.set()

    def join(self, timeout: float | None = None) -> None:
        for thread in self._threads:
            thread.join(timeout)

    @property
    def alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    # -- ingest -----------------------------------------------------------------------------
    def _push(self, frame: av.video.frame.VideoFrame, wall: float, block: bool) -> None:
        if block:
            # A file read as fast as possible (benchmarks, tests) has no live socket to keep
            # reading: wait for the analysis instead of dropping.
            while not self.stop_event.is_set():
                try:
                    self.frames.put((frame, wall), timeout=0.2)
                    return
                except queue.Full:
                    continue
            return
        try:
            self.frames.put_nowait((frame, wall))
        except queue.Full:
            # Drop the oldest frame rather than block the stream: the newest is the one that
            # matters for an alarm, and the camera's socket must keep being read.
            with contextlib.suppress(queue.Empty):
                self.frames.get_nowait()
            self.dropped_frames += 1
            try:
                self.frames.put_nowait((frame, wall))
            except queue.Full:
                self.dropped_frames += 1

    def _ingest(self, source: StreamSource, record: bool, analyse: bool) -> None:
        src = self.camera.source
        backoff = src.reconnect_min
        lost_at: float | None = None
        last_wall: float | None = None
        interval = 1.0 / self.camera.analysis.rate
        next_analysis = 0.0
        block = source.file is not None and not source.realtime
        while not self.stop_event.is_set():
            reader = StreamReader(source, self.clock, self.stop_event, src.timeout)
            try:
                reader.open()
            except StreamError as exc:
                now = self.clock.time()
                if lost_at is None:
                    lost_at = last_wall if last_wall is not None else now
                    self.sink.emit("stream_lost", self.camera.name, now, reason=str(exc))
                if record:
                    self.offline.update(True, now, src.offline_delay, reason=str(exc))
                if self.clock.sleep(backoff, self.stop_event):
                    break
                backoff = min(backoff * 2, src.reconnect_max)
                continue
            backoff = src.reconnect_min
            first_packet = True
            ended_cleanly = False
            try:
                assert reader.stream is not None
                for packet, wall in reader.packets():
                    if self.fault is not None:
                        self.fault()
                    if first_packet:
                        first_packet = False
                        if lost_at is not None:
                            self.sink.emit(
                                "recording_gap",
                                self.camera.name,
                                wall,
                                start=iso(lost_at),
                                end=iso(wall),
                                duration=round(wall - lost_at, 3),
                            )
                            lost_at = None
                        if record:
                            self.offline.update(False, wall, src.offline_delay)
                    last_wall = wall
                    if analyse:
                        # Decode before the recorder takes the packet (it rebases it).
                        for frame in packet.decode():
                            if frame.time is None:
                                continue
                            fwall = reader.wall_time(float(frame.time))
                            if fwall + 1e-6 >= next_analysis:
                                next_analysis = fwall + interval * 0.95
                                assert isinstance(frame, av.video.frame.VideoFrame)
                                self._push(frame, fwall, block)
                    if record:
                        self.frame_rate.on_frame(wall)
                        if self.recorder is not None:
                            self.recorder.feed(packet, wall, reader.stream)
                ended_cleanly = True
            except StreamError as exc:
                now = self.clock.time()
                lost_at = last_wall if last_wall is not None else now
                self.sink.emit("stream_lost", self.camera.name, now, reason=str(exc))
            finally:
                if record and self.recorder is not None:
                    self.recorder.cut()
                reader.close()
            if self.stop_event.is_set():
                break
            if ended_cleanly:
                if source.file is not None and source.loop:
                    # A looped file restarts its timestamps: start a fresh time line.
                    next_analysis = 0.0
                    self.frame_rate.reset()
                    continue
                if source.file is not None:
                    break  # a file played once: this camera is done
                now = self.clock.time()
                lost_at = last_wall if last_wall is not None else now
                self.sink.emit("stream_lost", self.camera.name, now, reason="fin du flux RTSP")
        if record:
            self.finished.set()

    # -- analysis ---------------------------------------------------------------------------
    def _analyse(self) -> None:
        assert self.analyzer is not None
        while True:
            try:
                frame, wall = self.frames.get(timeout=0.2)
            except queue.Empty:
                if self.stop_event.is_set() or self._ingest_done.is_set():
                    return
                continue
            if self.stop_event.is_set():
                return
            self.analyzer.process(frame, wall)
