"""Cheap motion detection on a downscaled luma image, as Frigate does it.

The analysis frame is scaled to about 100 px high in grey (PyAV's scaler does it while
converting, so a full-size colour image is never built for a still scene), blurred to quieten
sensor noise, compared with a running-average background, thresholded and dilated; the boxes
around what changed are the regions the object detector will look at. A sudden global change
(infrared switch at dusk, lightning, auto-exposure) would look like motion everywhere: the
background is then recalibrated on the new image instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from videoworker.config import MotionConfig, Polygon

Box = tuple[float, float, float, float]
GrayImage = npt.NDArray[np.uint8]


def polygon_mask(polygons: tuple[Polygon, ...], width: int, height: int) -> GrayImage:
    """255 where the image is analysed, 0 inside the privacy masks."""
    mask = np.full((height, width), 255, dtype=np.uint8)
    for polygon in polygons:
        points = np.array([[x * width, y * height] for x, y in polygon], dtype=np.int32)
        cv2.fillPoly(mask, [points], 0)
    return mask


@dataclass
class MotionResult:
    boxes: list[Box] = field(default_factory=list)
    fraction: float = 0.0
    recalibrated: bool = False


class MotionDetector:
    def __init__(self, config: MotionConfig, masks: tuple[Polygon, ...] = ()) -> None:
        self.config = config
        self.masks = masks
        self._background: npt.NDArray[np.float32] | None = None
        self._mask: GrayImage | None = None
        self._shape: tuple[int, ...] | None = None
        self._analysed = 1

    def reset(self) -> None:
        self._background = None

    def detect(self, gray: GrayImage) -> MotionResult:
        height, width = gray.shape
        if self._shape != gray.shape:
            self._shape = gray.shape
            self._mask = polygon_mask(self.masks, width, height) if self.masks else None
            self._analysed = (
                int(np.count_nonzero(self._mask)) if self._mask is not None else width * height
            )
            self._background = None
        image = cv2.GaussianBlur(gray, (5, 5), 0)
        if self._mask is not None:
            # Masked areas are views into homes: they must not even trigger analysis.
            image = cv2.bitwise_and(image, self._mask)
        if self._background is None:
            self._background = image.astype(np.float32)
            return MotionResult()
        diff = cv2.absdiff(image, cv2.convertScaleAbs(self._background))
        _, changed = cv2.threshold(diff, self.config.threshold, 255, cv2.THRESH_BINARY)
        changed = cv2.dilate(changed, np.ones((3, 3), np.uint8), iterations=2)
        fraction = float(np.count_nonzero(changed)) / max(1, self._analysed)
        if fraction >= self.config.recalibrate_fraction:
            self._background = image.astype(np.float32)
            return MotionResult(fraction=fraction, recalibrated=True)
        cv2.accumulateWeighted(image, self._background, self.config.alpha)
        if fraction == 0.0:
            return MotionResult()
        contours, _ = cv2.findContours(changed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        min_area = self.config.min_area * width * height
        boxes: list[Box] = []
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if w * h >= max(min_area, 1):
                boxes.append((x / width, y / height, (x + w) / width, (y + h) / height))
        return MotionResult(boxes=boxes, fraction=fraction)


def merge_regions(
    boxes: list[Box], padding: float, min_w: float, min_h: float, full_above: float = 0.5
) -> list[Box]:
    """Grow motion boxes into detector regions, merge overlaps, fall back to the full frame.

    Sizes are fractions of the frame. A person is taller than the few pixels that moved
    (an arm, a leg), hence the padding; when regions cover most of the frame one full-frame
    pass is cheaper than several overlapping ones.
    """
    grown: list[list[float]] = []
    for x0, y0, x1, y1 in boxes:
        pad = padding * max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w = max((x1 - x0) / 2 + pad, min_w / 2)
        half_h = max((y1 - y0) / 2 + pad, min_h / 2)
        grown.append(
            [
                max(0.0, cx - half_w),
                max(0.0, cy - half_h),
                min(1.0, cx + half_w),
                min(1.0, cy + half_h),
            ]
        )
    merged = True
    while merged:
        merged = False
        for i in range(len(grown)):
            for j in range(i + 1, len(grown)):
                a, b = grown[i], grown[j]
                if a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]:
                    grown[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del grown[j]
                    merged = True
                    break
            if merged:
                break
    area = sum((b[2] - b[0]) * (b[3] - b[1]) for b in grown)
    if area >= full_above:
        return [(0.0, 0.0, 1.0, 1.0)]
    return [(b[0], b[1], b[2], b[3]) for b in grown]
