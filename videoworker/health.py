"""Technical alarms on a camera's health: offline, frozen, black, scene changed, low frame rate.

Each condition raises ONE technical alarm when it has lasted its delay and reports its end
when it clears, so the operators' console shows one line per incident, not one per frame.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from videoworker.config import HealthConfig
from videoworker.events import EventSink

LABELS = {
    "camera_offline": "Caméra hors ligne",
    "image_frozen": "Image figée",
    "image_black": "Image noire",
    "scene_changed": "Scène modifiée (caméra déplacée ou masquée)",
    "fps_below_norm": "Cadence sous la norme légale",
}


class Condition:
    def __init__(self, kind: str, camera: str, sink: EventSink) -> None:
        self.kind = kind
        self.camera = camera
        self.sink = sink
        self.since: float | None = None
        self.active = False

    def update(self, bad: bool, now: float, delay: float, **details: Any) -> None:
        if bad:
            if self.since is None:
                self.since = now
            if not self.active and now - self.since >= delay:
                self.active = True
                self.sink.emit(
                    "technical_alarm",
                    self.camera,
                    now,
                    condition=self.kind,
                    label=LABELS[self.kind],
                    since=self.since,
                    **details,
                )
            return
        if self.active:
            assert self.since is not None
            self.sink.emit(
                "technical_alarm_end",
                self.camera,
                now,
                condition=self.kind,
                label=LABELS[self.kind],
                since=self.since,
                duration=round(now - self.since, 3),
                **details,
            )
        self.active = False
        self.since = None


def _edges(gray: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    small = cv2.resize(gray, (64, 36), interpolation=cv2.INTER_AREA).astype(np.float32)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1)
    return np.asarray(cv2.magnitude(gx, gy), dtype=np.float32)


def similarity(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """Normalised correlation of two edge maps: 1 same view, about 0 another view.

    Edges rather than brightness, so that dusk, lights switched on or the infrared switch
    do not read as a moved camera.
    """
    a0, b0 = a - a.mean(), b - b.mean()
    denominator = float(np.sqrt((a0 * a0).sum() * (b0 * b0).sum()))
    if denominator < 1e-6:
        return 0.0 if float(np.abs(a0).sum() + np.abs(b0).sum()) > 1e-6 else 1.0
    return float((a0 * b0).sum()) / denominator


class ImageHealth:
    """Conditions computed on analysed frames (analysis thread)."""

    def __init__(self, camera: str, config: HealthConfig, sink: EventSink) -> None:
        self.config = config
        self.frozen = Condition("image_frozen", camera, sink)
        self.black = Condition("image_black", camera, sink)
        self.scene = Condition("scene_changed", camera, sink)
        self._previous: npt.NDArray[np.uint8] | None = None
        self._reference: npt.NDArray[np.float32] | None = None

    def on_frame(self, gray: npt.NDArray[np.uint8], now: float) -> None:
        cfg = self.config
        mean = float(gray.mean())
        self.black.update(mean < cfg.black_level, now, cfg.black_seconds, mean_luma=round(mean, 1))
        if self._previous is not None and self._previous.shape == gray.shape:
            # A live sensor always has some noise; exactly repeated images mean a stuck encoder.
            change = float(cv2.absdiff(gray, self._previous).mean())
            self.frozen.update(change < 0.05, now, cfg.frozen_seconds)
        self._previous = gray
        edges = _edges(gray)
        if self._reference is None:
            self._reference = edges
            return
        score = similarity(edges, self._reference)
        moved = score < cfg.scene_change_similarity
        self.scene.update(moved, now, cfg.scene_change_seconds, similarity=round(score, 3))
        if not moved:
            # Follow slow changes (shadows, seasons) but keep the old view while it differs,
            # so the alarm ends only when the camera looks where it should again.
            cv2.accumulateWeighted(edges, self._reference, 0.02)


class FrameRate:
    """The main stream's frame rate over a sliding window, against the legal minimum."""

    def __init__(self, camera: str, config: HealthConfig, sink: EventSink) -> None:
        self.config = config
        self.low = Condition("fps_below_norm", camera, sink)
        self._times: deque[float] = deque()
        self._first: float | None = None

    def on_frame(self, wall: float) -> None:
        window = self.config.fps_window
        if self._first is None:
            self._first = wall
        self._times.append(wall)
        while self._times and self._times[0] <= wall - window:
            self._times.popleft()
        if wall - self._first < window:
            return  # not enough history yet
        fps = len(self._times) / window
        self.low.update(
            fps < self.config.min_fps, wall, 0.0, fps=round(fps, 2), min_fps=self.config.min_fps
        )

    def reset(self) -> None:
        self._times.clear()
        self._first = None
