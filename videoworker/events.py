"""Events the worker produces (segments, alarms, technical alarms, purges), as JSON lines.

In standalone mode they are appended to one file; the sink is shared by all camera threads,
so writes are serialised and each line is flushed at once (a crash loses no reported event).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

Event = dict[str, Any]


def iso(ts: float) -> str:
    """An epoch time as ISO 8601 UTC with milliseconds."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds")


class EventSink:
    """Appends events to a JSON-lines file and optionally forwards them to listeners."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Event], None]] = []
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        self._listeners.append(listener)

    def emit(self, kind: str, camera: str | None, at: float, **fields: Any) -> Event:
        event: Event = {
            "id": str(uuid.uuid4()),
            "type": kind,
            "camera": camera,
            "time": iso(at),
            "ts": round(at, 3),
            **fields,
        }
        line = json.dumps(event, ensure_ascii=False, sort_keys=True)
        with self._lock:
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
            for listener in self._listeners:
                listener(event)
        return event


def read_events(path: Path) -> list[Event]:
    """Read back a JSON-lines event file (tests, tools)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as src:
        return [json.loads(line) for line in src if line.strip()]
