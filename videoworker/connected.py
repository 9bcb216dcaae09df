"""Connected mode: the worker takes its cameras from the platform and posts what it produces.

    bouclier-videoworker --platform https://bouclier.example --token TOKEN --storage /srv/video

The heartbeat (every third of a lease) renews the leases of the cameras the worker holds and
answers their full configuration, in the YAML file's format and validated by the same parser;
the worker then starts, restarts or stops pipelines to match. Every event is first written to
a spool on disk (one file per event, named by its id), then posted by one uploader thread,
with retries and a growing delay while the platform is unreachable: nothing is lost to a
network cut or a restart, and since the platform stores each event id once, a post repeated
after a timeout creates nothing twice. Live images are posted as they are written, not
spooled: only the latest one matters. The platform's answers never reach this process's
other threads: a platform that is down stops no recording.

Only the standard library speaks HTTP here (urllib), so the worker needs nothing more.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from videoworker.clock import Clock, RealClock
from videoworker.config import ConfigError, DetectorConfig, WorkerConfig, parse_config
from videoworker.events import Event, EventSink
from videoworker.worker import Worker

log = logging.getLogger("videoworker")

VERSION = "bouclier-videoworker/0.1"

_PURGE_TYPES = ("segment_deleted", "snapshot_deleted", "purge")
_SEGMENT_KEYS = (
    "path",
    "start",
    "end",
    "size",
    "sha256",
    "codec",
    "width",
    "height",
    "keyframe_start",
    "bit_rate",
)


class PlatformError(Exception):
    """The platform could not be reached or failed (5xx): worth retrying later."""


class RejectedError(Exception):
    """The platform refused the request (4xx): retrying would not help."""


def _multipart(fields: dict[str, str], files: dict[str, Path]) -> tuple[bytes, str]:
    boundary = f"bouclier-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    for name, path in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{path.name}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + path.read_bytes()
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Platform:
    """The platform's ingestion API (``/supervision/api/``), authenticated by the token."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.base = base_url.rstrip("/") + "/supervision/api/"
        self.token = token
        self.timeout = timeout

    def post(
        self,
        endpoint: str,
        fields: dict[str, Any],
        files: dict[str, Path] | None = None,
    ) -> dict[str, Any]:
        if files:
            flat = {
                k: v if isinstance(v, str) else json.dumps(v)
                for k, v in fields.items()
                if v is not None
            }
            body, content_type = _multipart(flat, files)
        else:
            body, content_type = json.dumps(fields).encode("utf-8"), "application/json"
        request = urllib.request.Request(  # noqa: S310 - the platform's http(s) URL
            self.base + endpoint,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": content_type,
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer: dict[str, Any] = json.loads(response.read() or b"{}")
                return answer
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:2000].decode("utf-8", "replace")
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise RejectedError(f"{endpoint} : refusé ({exc.code}) {detail}") from exc
            raise PlatformError(f"{endpoint} : erreur {exc.code} {detail}") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise PlatformError(f"{endpoint} : plateforme injoignable ({exc})") from exc


def to_request(event: Event) -> tuple[str, dict[str, Any], dict[str, Path]] | None:
    """The API call that reports an event: (endpoint, fields, files)."""
    kind = event["type"]
    base = {"event_id": event["id"], "camera": event.get("camera")}
    if kind == "segment":
        return "segments/", {**base, **{k: event[k] for k in _SEGMENT_KEYS}}, {}
    if kind == "alarm":
        fields = {
            **base,
            "rule": event["rule"],
            "raised_at": event["time"],
            "labels": event.get("labels", []),
            "detections": event.get("detections", []),
            "clip_start": event.get("clip_start"),
            "clip_end": event.get("clip_end"),
            "segments": event.get("segments", []),
        }
        snapshot = Path(event["snapshot"]) if event.get("snapshot") else None
        files = {"snapshot": snapshot} if snapshot is not None and snapshot.exists() else {}
        return "alarms/", fields, files
    skip = {"id", "type", "camera", "time", "ts"}
    data = {k: v for k, v in event.items() if k not in skip}
    fields = {**base, "type": kind, "time": event["time"], "details": data}
    if kind in _PURGE_TYPES:
        return ("purges/", fields, {}) if event.get("camera") else None
    return "events/", fields, {}


class Spool:
    """Events waiting to be posted, one JSON file each, written atomically, in order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.rejected = directory / "rejected"
        self.directory.mkdir(parents=True, exist_ok=True)
        self._counter = 0
        self._lock = threading.Lock()
        self.wakeup = threading.Event()

    def put(self, event: Event) -> None:
        with self._lock:
            self._counter += 1
            # Time then a counter: files sort in the order the events were produced.
            name = f"{event.get('ts', 0):017.3f}-{self._counter:06d}-{event['id']}.json"
        tmp = self.directory / f".{name}.tmp"
        tmp.write_text(json.dumps(event, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.directory / name)
        self.wakeup.set()

    def pending(self) -> list[Path]:
        return sorted(self.directory.glob("*.json"))

    def done(self, item: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            item.unlink()

    def reject(self, item: Path, reason: str) -> None:
        self.rejected.mkdir(exist_ok=True)
        os.replace(item, self.rejected / item.name)
        (self.rejected / f"{item.name}.reason.txt").write_text(reason, encoding="utf-8")


@dataclass
class UploadStats:
    posted: int = 0
    duplicates: int = 0
    failures: int = 0
    rejected: int = 0
    last_error: str = ""
    by_type: dict[str, int] = field(default_factory=dict)


class Uploader:
    """Posts the spool's events in order; waits longer and longer while the platform is down."""

    def __init__(
        self,
        platform: Platform,
        spool: Spool,
        stop: threading.Event,
        backoff_min: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        self.platform = platform
        self.spool = spool
        self.stop = stop
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.stats = UploadStats()
        self.thread = threading.Thread(target=self.run, name="uploader", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def flush_once(self) -> bool:
        """Post everything pending; False when the platform failed (retry later)."""
        for item in self.spool.pending():
            try:
                event = json.loads(item.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # removed meanwhile, or a torn write from a crash: skip it
            call = to_request(event)
            if call is None:
                self.spool.done(item)
                continue
            endpoint, fields, files = call
            try:
                answer = self.platform.post(endpoint, fields, files)
            except RejectedError as exc:
                log.error("événement refusé par la plateforme : %s", exc)
                self.stats.rejected += 1
                self.spool.reject(item, str(exc))
                continue
            except PlatformError as exc:
                self.stats.failures += 1
                self.stats.last_error = str(exc)
                return False
            if answer.get("created") is False:
                self.stats.duplicates += 1
            self.stats.posted += 1
            self.stats.by_type[event["type"]] = self.stats.by_type.get(event["type"], 0) + 1
            self.spool.done(item)
        return True

    def run(self) -> None:
        backoff = self.backoff_min
        while not self.stop.is_set():
            self.spool.wakeup.clear()
            if self.flush_once():
                backoff = self.backoff_min
                self.spool.wakeup.wait(1.0)
                continue
            log.warning("plateforme injoignable, nouvel essai dans %.1f s", backoff)
            if self.stop.wait(backoff):
                break
            backoff = min(backoff * 2, self.backoff_max)
        # Last chance at shutdown; what remains stays in the spool for the next start.
        with contextlib.suppress(Exception):
            self.flush_once()


def write_holds(path: Path, holds: list[dict[str, Any]]) -> None:
    """Replace the holds file atomically: the purge never reads half of it."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(yaml.safe_dump({"holds": holds}, allow_unicode=True), encoding="utf-8")
    os.replace(temporary, path)


class ConnectedWorker:
    """A Worker whose cameras come from the platform's heartbeats."""

    def __init__(
        self,
        platform: Platform,
        storage: Path,
        detector: DetectorConfig | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.platform = platform
        self.storage = storage
        self.detector = detector or DetectorConfig()
        self.clock = clock or RealClock()
        self.stop_event = threading.Event()
        storage.mkdir(parents=True, exist_ok=True)
        # The platform's judicial holds, kept on disk so that a restart while the platform is
        # unreachable still spares held footage from the purge.
        self.holds_path = storage / "holds.yaml"
        if not self.holds_path.exists():
            write_holds(self.holds_path, [])
        config = WorkerConfig(
            storage=storage, cameras=(), detector=self.detector, holds_file=self.holds_path
        )
        self.sink = EventSink(config.events_path)
        self.spool = Spool(storage / "spool")
        self.sink.subscribe(self.spool.put)
        self.worker = Worker(config, clock=self.clock, sink=self.sink, always_pool=True)
        # The uploader stops last, after the pipelines' final events are spooled.
        self._upload_stop = threading.Event()
        self.uploader = Uploader(platform, self.spool, self._upload_stop)
        self.heartbeat_seconds = 5.0
        self.last_heartbeat: float | None = None
        self._live_sent: dict[str, float] = {}
        self._threads: list[threading.Thread] = []

    # -- heartbeat --------------------------------------------------------------------------
    def heartbeat(self) -> dict[str, Any]:
        answer = self.platform.post("workers/heartbeat/", {"version": VERSION})
        self.heartbeat_seconds = float(answer.get("heartbeat_seconds", 5.0))
        self.last_heartbeat = self.clock.monotonic()
        self.apply(answer)
        return answer

    def apply(self, answer: dict[str, Any]) -> None:
        if "holds" in answer:
            write_holds(self.holds_path, answer["holds"] or [])
        cameras = answer.get("cameras") or []
        if not cameras:
            self.worker.apply((), {})
            return
        try:
            config = parse_config(
                {
                    "storage": str(self.storage),
                    "cameras": cameras,
                    "schedules": answer.get("schedules") or {},
                },
                self.storage,
            )
        except ConfigError as exc:
            # Keep running what runs; the operator sees why in the platform's events.
            self.sink.emit("config_rejected", None, self.clock.time(), reason=str(exc))
            return
        self.worker.apply(config.cameras, config.schedules)

    def _heartbeats(self) -> None:
        backoff = 1.0
        while not self.stop_event.is_set():
            try:
                self.heartbeat()
                backoff = 1.0
                wait = self.heartbeat_seconds
            except RejectedError as exc:
                # Token revoked or worker disabled: it no longer holds any camera.
                log.error("signe de vie refusé, caméras arrêtées : %s", exc)
                self.worker.apply((), {})
                wait = self.heartbeat_seconds
            except PlatformError as exc:
                # Platform unreachable: cameras keep recording, which matters more than
                # the platform's view; their leases may move meanwhile (see the README).
                log.warning("signe de vie impossible : %s", exc)
                wait = backoff
                backoff = min(backoff * 2, self.heartbeat_seconds)
            if self.clock.sleep(wait, self.stop_event):
                return

    # -- live images ------------------------------------------------------------------------
    def post_live_images(self) -> None:
        live = self.storage / "live"
        if not live.exists():
            return
        with self.worker._lock:
            running = set(self.worker.pipelines)
        for image in live.glob("*.jpg"):
            name = image.stem
            try:
                mtime = image.stat().st_mtime
            except FileNotFoundError:
                continue
            if name not in running or self._live_sent.get(name) == mtime:
                continue
            taken = dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat()
            try:
                self.platform.post("live/", {"camera": name, "taken_at": taken}, {"image": image})
            except (PlatformError, RejectedError, OSError) as exc:
                log.debug("image en direct non envoyée : %s", exc)
                continue
            self._live_sent[name] = mtime

    def _live(self) -> None:
        while not self.clock.sleep(1.0, self.stop_event):
            self.post_live_images()

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.worker.start()
        self.uploader.start()
        for name, target in (("heartbeat", self._heartbeats), ("live", self._live)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.worker.stop()
        # Hand the cameras back at once rather than after the lease expires.
        with contextlib.suppress(PlatformError, RejectedError):
            self.platform.post("workers/heartbeat/", {"version": VERSION, "stopping": True})
        self._upload_stop.set()
        self.uploader.thread.join(timeout=30)

    def wait(self) -> None:
        self.stop_event.wait()
