"""Analysis of one camera's frames: motion, detection around motion, rules, snapshots, health.

Per analysed frame: a grey thumbnail is made by PyAV's scaler (cheap), motion is looked for
on it, and only if something moved while a rule is armed is the full colour image built,
its privacy masks blacked out, and the regions around motion sent to the shared detector
pool. Alarms get a JPEG snapshot with the boxes drawn and the masks black, and a reference
to the segments covering a few seconds before and after.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import av.video.frame
import cv2
import numpy as np

from videoworker.config import CameraConfig, Polygon, Schedule
from videoworker.detectors import BgrImage, Detection, DetectorPool, PixelBox
from videoworker.events import EventSink, iso
from videoworker.health import ImageHealth
from videoworker.motion import MotionDetector, merge_regions
from videoworker.recorder import Segment, SegmentIndex
from videoworker.rules import Firing, RuleEngine

# Minimum region, in fractions of the frame: HOG needs a 64x128 window, and a region the
# size of one moving hand would never show the whole person.
_MIN_REGION = (0.2, 0.35)
_PLANAR_YUV = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12"}


def black_out(image: BgrImage, masks: tuple[Polygon, ...]) -> BgrImage:
    """Fill privacy masks with black, in place (views into homes are never shown)."""
    height, width = image.shape[:2]
    for polygon in masks:
        points = np.array([[x * width, y * height] for x, y in polygon], dtype=np.int32)
        cv2.fillPoly(image, [points], (0, 0, 0))
    return image


def to_bgr(frame: av.video.frame.VideoFrame) -> BgrImage:
    return np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)


def draw_boxes(image: BgrImage, detections: list[Detection]) -> BgrImage:
    height, width = image.shape[:2]
    for d in detections:
        x0, y0, x1, y1 = d.box
        p0 = (int(x0 * width), int(y0 * height))
        p1 = (int(x1 * width), int(y1 * height))
        cv2.rectangle(image, p0, p1, (0, 0, 255), 2)
        cv2.putText(
            image,
            f"{d.label} {d.score:.2f}",
            (p0[0], max(12, p0[1] - 4)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.45,
            (0, 0, 255),
            1,
        )
    return image


def write_jpeg(path: Path, image: BgrImage) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise OSError(f"encodage JPEG impossible pour {path}")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data.tobytes())
    os.replace(tmp, path)  # a reader never sees half an image


class CameraAnalyzer:
    def __init__(
        self,
        camera: CameraConfig,
        schedules: dict[str, Schedule],
        pool: DetectorPool | None,
        sink: EventSink,
        storage: Path,
        index: SegmentIndex | None = None,
    ) -> None:
        self.camera = camera
        self.pool = pool
        self.sink = sink
        self.storage = storage
        self.index = index
        self.motion = MotionDetector(camera.analysis.motion, camera.masks)
        self.rules = RuleEngine(camera, schedules)
        self.health = ImageHealth(camera.name, camera.health, sink)
        self._last_live: float | None = None
        self._pending: list[dict[str, Any]] = []
        self._pending_lock = threading.Lock()
        self.stats = {"frames": 0, "motion": 0, "detections": 0, "dropped": 0, "alarms": 0}

    def _thumbnail(self, frame: av.video.frame.VideoFrame) -> np.ndarray[Any, np.dtype[np.uint8]]:
        height = min(self.camera.analysis.motion.height, frame.height)
        width = max(16, round(frame.width * height / frame.height / 2) * 2)
        if frame.format.name in _PLANAR_YUV:
            # The luma plane is already the grey image: read it in place and shrink it with
            # OpenCV, about five times cheaper than a colour conversion through swscale.
            plane = frame.planes[0]
            luma = np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)
            small = cv2.resize(
                luma[:, : plane.width], (width, height), interpolation=cv2.INTER_AREA
            )
            return np.asarray(small, dtype=np.uint8)
        thumb = frame.reformat(width=width, height=height, format="gray").to_ndarray()
        return np.asarray(thumb, dtype=np.uint8)

    def process(self, frame: av.video.frame.VideoFrame, now: float) -> list[Firing]:
        self.stats["frames"] += 1
        gray = self._thumbnail(frame)
        self.health.on_frame(gray, now)
        motion = self.motion.detect(gray)
        detections: list[Detection] = []
        image: BgrImage | None = None
        if motion.boxes:
            self.stats["motion"] += 1
        if motion.boxes and self.pool is not None and self.rules.any_armed(now):
            image = black_out(to_bgr(frame), self.camera.masks)
            detections = self._detect(image, motion.boxes)
        fired = self.rules.update(now, detections)
        for firing in fired:
            if image is None:
                image = black_out(to_bgr(frame), self.camera.masks)
            self._alarm(firing, image, now)
        live_every = self.camera.live_image_seconds
        if live_every > 0 and (self._last_live is None or now - self._last_live >= live_every):
            self._last_live = now
            live = image if image is not None else to_bgr(frame)
            live = black_out(live.copy(), self.camera.masks)
            write_jpeg(self.storage / "live" / f"{self.camera.name}.jpg", live)
        return fired

    def _detect(
        self, image: BgrImage, boxes: list[tuple[float, float, float, float]]
    ) -> list[Detection]:
        assert self.pool is not None
        height, width = image.shape[:2]
        regions: list[PixelBox] = [
            (int(x0 * width), int(y0 * height), int(x1 * width), int(y1 * height))
            for x0, y0, x1, y1 in merge_regions(
                boxes, self.camera.analysis.region_padding, *_MIN_REGION
            )
        ]
        if self.pool.fixed_input and len(regions) > 1:
            # Several crops would each cost a whole inference (YOLOX resizes every crop to its
            # input): one crop around all of them costs one, no more than the full frame, and
            # keeps more pixels per person than the full frame when motion is in one part.
            regions = [
                (
                    min(r[0] for r in regions),
                    min(r[1] for r in regions),
                    max(r[2] for r in regions),
                    max(r[3] for r in regions),
                )
            ]
        future = self.pool.submit(image, regions)
        if future is None:
            self.stats["dropped"] += 1
            return []
        try:
            found = future.result(timeout=30)
        except FutureTimeout:
            self.stats["dropped"] += 1
            return []
        self.stats["detections"] += len(found)
        return [
            Detection(
                d.label,
                d.score,
                (d.box[0] / width, d.box[1] / height, d.box[2] / width, d.box[3] / height),
            )
            for d in found
        ]

    def _alarm(self, firing: Firing, image: BgrImage, now: float) -> None:
        self.stats["alarms"] += 1
        stamp = dt.datetime.fromtimestamp(now, dt.UTC)
        snapshot = (
            self.storage
            / "snapshots"
            / self.camera.name
            / stamp.strftime("%Y-%m-%d")
            / f"{stamp.strftime('%H%M%S%f')[:-3]}-{firing.rule.name}.jpg"
        )
        write_jpeg(snapshot, draw_boxes(image.copy(), firing.detections))
        clip_start = now - firing.rule.pre_seconds
        clip_end = now + firing.rule.post_seconds
        segments = self.index.covering(clip_start, clip_end) if self.index is not None else []
        event = self.sink.emit(
            "alarm",
            self.camera.name,
            now,
            rule=firing.rule.name,
            zones=list(firing.rule.zones),
            labels=sorted({d.label for d in firing.detections}),
            detections=[
                {"label": d.label, "score": round(d.score, 3), "box": [round(c, 4) for c in d.box]}
                for d in firing.detections
            ],
            snapshot=str(snapshot),
            clip_start=iso(clip_start),
            clip_end=iso(clip_end),
            segments=[s.path for s in segments],
        )
        if self.index is not None:
            with self._pending_lock:
                self._pending.append({"alarm": event["id"], "start": clip_start, "end": clip_end})

    def on_segment(self, segment: Segment) -> None:
        """Called by the recorder: completes alarms whose after-footage is now on disk."""
        if self.index is None:
            return
        with self._pending_lock:
            done = [p for p in self._pending if segment.end >= p["end"]]
            self._pending = [p for p in self._pending if segment.end < p["end"]]
        for pending in done:
            covering = self.index.covering(pending["start"], pending["end"])
            self.sink.emit(
                "alarm_clip",
                self.camera.name,
                segment.end,
                alarm=pending["alarm"],
                clip_start=iso(pending["start"]),
                clip_end=iso(pending["end"]),
                segments=[
                    {"path": s.path, "sha256": s.sha256, "start": iso(s.start), "end": iso(s.end)}
                    for s in covering
                ],
            )
