"""The worker: all cameras of one machine, one detector pool, a watchdog and the purge.

The watchdog restarts a camera's pipeline when one of its threads crashed (with a growing
delay if it keeps crashing), and never touches the others: one camera's failure must not
stop the rest of the site.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

from videoworker.clock import Clock, RealClock
from videoworker.config import CameraConfig, ConfigError, Schedule, WorkerConfig
from videoworker.detectors import DetectorPool
from videoworker.events import EventSink
from videoworker.pipeline import CameraPipeline
from videoworker.retention import purge

log = logging.getLogger("videoworker")

PipelineFactory = Callable[[CameraConfig], CameraPipeline]


class Worker:
    def __init__(
        self,
        config: WorkerConfig,
        clock: Clock | None = None,
        sink: EventSink | None = None,
        pool: DetectorPool | None = None,
        watchdog_interval: float = 1.0,
        always_pool: bool = False,
    ) -> None:
        self.config = config
        self.clock = clock or RealClock()
        self.sink = sink or EventSink(config.events_path)
        self.stop_event = threading.Event()
        self.watchdog_interval = watchdog_interval
        # In connected mode cameras arrive later: the pool must exist from the start.
        needs_pool = always_pool or any(c.analysis.enabled and c.rules for c in config.cameras)
        self.pool = pool or (DetectorPool.from_config(config.detector) if needs_pool else None)
        self.pipelines: dict[str, CameraPipeline] = {}
        self.restarts: dict[str, int] = {}
        self._next_restart: dict[str, float] = {}
        self._threads: list[threading.Thread] = []
        self.before_start: Callable[[CameraPipeline], None] | None = None
        # Guards config.cameras and pipelines, which connected mode changes while running.
        self._lock = threading.RLock()

    def _make(self, camera: CameraConfig) -> CameraPipeline:
        pipeline = CameraPipeline(
            camera, self.config.storage, self.config.schedules, self.pool, self.sink, self.clock
        )
        if self.before_start is not None:
            self.before_start(pipeline)
        return pipeline

    def start(self) -> None:
        self.config.storage.mkdir(parents=True, exist_ok=True)
        self.sink.emit(
            "worker_started",
            None,
            self.clock.time(),
            cameras=[c.name for c in self.config.cameras],
            detector=self.config.detector.type,
        )
        for camera in self.config.cameras:
            pipeline = self._make(camera)
            self.pipelines[camera.name] = pipeline
            pipeline.start()
        for name, target in (("watchdog", self._watchdog), ("retention", self._retention)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _watchdog(self) -> None:
        while not self.clock.sleep(self.watchdog_interval, self.stop_event):
            self.check_pipelines()

    def apply(self, cameras: tuple[CameraConfig, ...], schedules: dict[str, Schedule]) -> None:
        """Run exactly these cameras (connected mode): stop, start or restart the differences.

        A camera whose configuration changed is restarted; the others run on untouched.
        """
        with self._lock:
            old = {c.name: c for c in self.config.cameras}
            new = {c.name: c for c in cameras}
            schedules_changed = schedules != self.config.schedules
            stale = [
                name
                for name, camera in old.items()
                if new.get(name) != camera or (schedules_changed and camera.rules)
            ]
            for name in stale:
                self.pipelines[name].stop()
            for name in stale:
                self.pipelines.pop(name).join(timeout=10)
                self._next_restart.pop(name, None)
            self.config = dataclasses.replace(self.config, cameras=cameras, schedules=schedules)
            for camera in cameras:
                if camera.name not in self.pipelines:
                    pipeline = self._make(camera)
                    self.pipelines[camera.name] = pipeline
                    pipeline.start()

    def check_pipelines(self) -> None:
        with self._lock:
            self._check_pipelines()

    def _check_pipelines(self) -> None:
        for camera in self.config.cameras:
            pipeline = self.pipelines[camera.name]
            if pipeline.crashed is None:
                continue
            now = self.clock.monotonic()
            due = self._next_restart.get(camera.name)
            if due is None:
                count = self.restarts.get(camera.name, 0)
                # 1, 2, 4... up to 60 s: a camera that crashes in a loop must not spin a core.
                self._next_restart[camera.name] = now + min(60.0, 2.0**count)
                pipeline.stop()
                continue
            if now < due:
                continue
            pipeline.join(timeout=5)
            self.restarts[camera.name] = self.restarts.get(camera.name, 0) + 1
            del self._next_restart[camera.name]
            self.sink.emit(
                "pipeline_restarted",
                camera.name,
                self.clock.time(),
                reason=f"{type(pipeline.crashed).__name__}: {pipeline.crashed}",
                restarts=self.restarts[camera.name],
            )
            fresh = self._make(camera)
            self.pipelines[camera.name] = fresh
            fresh.start()

    def _retention(self) -> None:
        while not self.stop_event.is_set():
            try:
                purge(self.config, self.clock.time(), self.sink)
            except (ConfigError, OSError) as exc:
                # Keep recording; the purge is retried at the next round and the operator told.
                self.sink.emit("purge_failed", None, self.clock.time(), reason=str(exc))
            if self.clock.sleep(self.config.retention_check_seconds, self.stop_event):
                return

    def stop(self) -> None:
        self.stop_event.set()
        with self._lock:
            pipelines = list(self.pipelines.values())
        for pipeline in pipelines:
            pipeline.stop()
        for pipeline in pipelines:
            pipeline.join(timeout=10)
        for thread in self._threads:
            thread.join(timeout=10)
        if self.pool is not None:
            self.pool.close()
        self.sink.emit("worker_stopped", None, self.clock.time())

    def wait(self) -> None:
        """Block until stopped, or until every camera played its file once (demo, tests)."""
        while not self.stop_event.wait(0.5):
            if all(p.finished.is_set() and not p.alive for p in self.pipelines.values()):
                return
