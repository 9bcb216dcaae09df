"""Pluggable object detectors and the one detector pool a worker shares among its cameras.

Two detectors: OpenCV's HOG people detector, built in (no file needed, persons only), and a
YOLOX-family ONNX model run with onnxruntime (persons and vehicles), following the model
contract in shared/data/README.md. Both look only at the regions they are given (around
motion), never at every frame. The pool owns one detector per thread, because neither
OpenCV's HOG object nor an inference session is documented as safe to share between threads,
and its queue is bounded: a frame that finds it full is dropped, never waited for.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from videoworker.config import DetectorConfig

BgrImage = npt.NDArray[np.uint8]
PixelBox = tuple[int, int, int, int]

# COCO class index -> label, for the classes a supervision centre arms.
COCO_LABELS = {
    0: "person",
    1: "bicycle",
    2: "car",
    3: "motorcycle",
    5: "bus",
    7: "truck",
    15: "cat",
    16: "dog",
}


@dataclass(frozen=True)
class Detection:
    label: str
    score: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the analysed frame


class Detector(Protocol):
    name: str

    def detect(self, image: BgrImage, regions: list[PixelBox]) -> list[Detection]: ...


def _nms(detections: list[Detection], iou: float = 0.45) -> list[Detection]:
    """Non-maximum suppression per label (regions may overlap, so may their findings)."""
    result: list[Detection] = []
    for label in {d.label for d in detections}:
        group = [d for d in detections if d.label == label]
        rects = [
            (int(d.box[0]), int(d.box[1]), int(d.box[2] - d.box[0]), int(d.box[3] - d.box[1]))
            for d in group
        ]
        keep = cv2.dnn.NMSBoxes(rects, [d.score for d in group], 0.0, iou)
        result.extend(group[int(i)] for i in np.array(keep).flatten())
    return result


class HogPeopleDetector:
    """OpenCV's default HOG + linear SVM people detector (OpenCV 4.x; gone in OpenCV 5)."""

    name = "hog"
    win = (64, 128)

    def __init__(self) -> None:
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(
            np.array(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32)
        )

    @staticmethod
    def score(weight: float) -> float:
        # The SVM returns a margin, not a probability; this maps 0 to 0 and 1 to 0.63 so
        # that the rules' score threshold reads the same for both detectors.
        return 1.0 - math.exp(-max(0.0, weight))

    def detect(self, image: BgrImage, regions: list[PixelBox]) -> list[Detection]:
        height, width = image.shape[:2]
        found: list[Detection] = []
        for x0, y0, x1, y1 in regions:
            # The detector's window is 64x128: grow small regions to hold at least one.
            if x1 - x0 < self.win[0] + 16:
                cx = (x0 + x1) // 2
                x0, x1 = max(0, cx - 40), min(width, cx + 40)
            if y1 - y0 < self.win[1] + 16:
                cy = (y0 + y1) // 2
                y0, y1 = max(0, cy - 72), min(height, cy + 72)
            crop = image[y0:y1, x0:x1]
            if crop.shape[0] < self.win[1] or crop.shape[1] < self.win[0]:
                continue
            rects, weights = self.hog.detectMultiScale(
                crop, winStride=(8, 8), padding=(8, 8), scale=1.05
            )
            for (x, y, w, h), weight in zip(rects, np.array(weights).flatten(), strict=False):
                found.append(
                    Detection(
                        "person",
                        self.score(float(weight)),
                        (float(x0 + x), float(y0 + y), float(x0 + x + w), float(y0 + y + h)),
                    )
                )
        return _nms(found)


class YoloxDetector:
    """YOLOX (e.g. YOLOX-Nano, COCO) with onnxruntime, per the model's contract."""

    name = "onnx"
    # Every region is resized to the same input: each one costs a whole inference.
    fixed_input = True

    def __init__(self, model: Path, input_size: int = 416, threads: int = 1) -> None:
        import onnxruntime as ort  # imported here so the HOG-only worker never loads it

        options = ort.SessionOptions()
        # One thread per session: the pool runs several sessions side by side.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.size = input_size
        grids = []
        strides = []
        for stride in (8, 16, 32):
            cells = input_size // stride
            xs, ys = np.meshgrid(np.arange(cells), np.arange(cells))
            grids.append(np.stack((xs, ys), 2).reshape(-1, 2))
            strides.append(np.full((cells * cells, 1), stride))
        self.grid = np.concatenate(grids).astype(np.float32)
        self.strides = np.concatenate(strides).astype(np.float32)
        self.min_score = 0.25

    def _infer(self, crop: BgrImage) -> list[Detection]:
        height, width = crop.shape[:2]
        ratio = min(self.size / height, self.size / width)
        new_w, new_h = max(1, int(width * ratio)), max(1, int(height * ratio))
        canvas = np.full((self.size, self.size, 3), 114, dtype=np.uint8)
        canvas[:new_h, :new_w] = cv2.resize(crop, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
        blob = canvas.transpose(2, 0, 1)[None].astype(np.float32)
        output = np.asarray(self.session.run(None, {self.input_name: blob})[0])[0]
        if output.shape[0] != self.grid.shape[0]:
            raise ValueError(
                f"sortie du modèle inattendue {output.shape} pour une entrée de {self.size} px"
            )
        centres = (output[:, :2] + self.grid) * self.strides
        sizes = np.exp(output[:, 2:4]) * self.strides
        class_scores = output[:, 4:5] * output[:, 5:]
        classes = class_scores.argmax(axis=1)
        scores = class_scores[np.arange(len(classes)), classes]
        keep = np.flatnonzero(scores >= self.min_score)
        found = []
        for i in keep:
            label = COCO_LABELS.get(int(classes[i]))
            if label is None:
                continue
            cx, cy = centres[i]
            w, h = sizes[i]
            found.append(
                Detection(
                    label,
                    float(scores[i]),
                    (
                        float(cx - w / 2) / ratio,
                        float(cy - h / 2) / ratio,
                        float(cx + w / 2) / ratio,
                        float(cy + h / 2) / ratio,
                    ),
                )
            )
        return found

    def detect(self, image: BgrImage, regions: list[PixelBox]) -> list[Detection]:
        found: list[Detection] = []
        for x0, y0, x1, y1 in regions:
            crop = image[y0:y1, x0:x1]
            if crop.size == 0:
                continue
            for d in self._infer(crop):
                bx0, by0, bx1, by1 = d.box
                found.append(
                    Detection(
                        d.label,
                        d.score,
                        (
                            max(0.0, bx0 + x0),
                            max(0.0, by0 + y0),
                            min(float(x1), bx1 + x0),
                            min(float(y1), by1 + y0),
                        ),
                    )
                )
        return _nms(found)


def make_detector(config: DetectorConfig) -> Detector:
    if config.type == "onnx":
        assert config.model is not None
        return YoloxDetector(config.model, config.input_size)
    return HogPeopleDetector()


_Job = tuple[BgrImage, list[PixelBox], "Future[list[Detection]]"]


class DetectorPool:
    """A few detector threads shared by all cameras, fed through a bounded queue."""

    def __init__(self, factory: Callable[[], Detector], threads: int = 1, queue_size: int = 16):
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=queue_size)
        self._threads: list[threading.Thread] = []
        self.dropped = 0
        self.processed = 0
        self._lock = threading.Lock()
        ready: list[BaseException] = []
        # Build the detectors before accepting work, so a broken model fails at start-up
        # with its own message rather than on the first person in front of a camera.
        detectors = []
        for _ in range(threads):
            try:
                detectors.append(factory())
            except Exception as exc:
                ready.append(exc)
        if ready:
            raise RuntimeError(f"détecteur impossible à charger : {ready[0]}") from ready[0]
        for i, detector in enumerate(detectors):
            thread = threading.Thread(
                target=self._run, args=(detector,), name=f"detector-{i}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        # HOG's cost grows with the area searched, a fixed-input network's with the number of
        # regions: the analysis sends the latter one region (see CameraAnalyzer._detect).
        self.fixed_input = any(getattr(d, "fixed_input", False) for d in detectors)

    @classmethod
    def from_config(cls, config: DetectorConfig) -> DetectorPool:
        return cls(lambda: make_detector(config), config.threads, config.queue_size)

    def submit(self, image: BgrImage, regions: list[PixelBox]) -> Future[list[Detection]] | None:
        future: Future[list[Detection]] = Future()
        try:
            self._queue.put_nowait((image, regions, future))
        except queue.Full:
            with self._lock:
                self.dropped += 1
            return None
        return future

    def _run(self, detector: Detector) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            image, regions, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = detector.detect(image, regions)
            except Exception as exc:
                future.set_exception(exc)
            else:
                with self._lock:
                    self.processed += 1
                future.set_result(result)

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
