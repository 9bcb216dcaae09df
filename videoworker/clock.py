"""Clocks the pipelines read time from, so that tests can run footage faster than real time.

Every wait and every timestamp of the worker goes through a clock: the real one in production,
an accelerated one in tests (a 20 s clip played at real pace takes 2 s at speed 10, and the
timestamps, reconnect delays and health delays all follow).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Wall-clock time, seconds since the epoch."""

    def monotonic(self) -> float:
        """A clock that never goes back, for intervals."""

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> bool:
        """Wait; return True if stop was set meanwhile."""


class RealClock:
    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> bool:
        if stop is None:
            time.sleep(max(0.0, seconds))
            return False
        return stop.wait(max(0.0, seconds))


class AcceleratedClock:
    """Time runs `speed` times faster than real time, from `start` (epoch seconds)."""

    def __init__(self, speed: float, start: float | None = None) -> None:
        self.speed = speed
        self._real0 = time.monotonic()
        self._start = time.time() if start is None else start

    def _elapsed(self) -> float:
        return (time.monotonic() - self._real0) * self.speed

    def time(self) -> float:
        return self._start + self._elapsed()

    def monotonic(self) -> float:
        return self._elapsed()

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> bool:
        real = max(0.0, seconds) / self.speed
        if stop is None:
            time.sleep(real)
            return False
        return stop.wait(real)
