"""Motion and detectors on real decoded footage."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from videoworker.analysis import to_bgr
from videoworker.config import MotionConfig
from videoworker.detectors import Detector, DetectorPool, HogPeopleDetector, YoloxDetector
from videoworker.motion import MotionDetector, merge_regions
from videoworker.tests.helpers import footage, model


def sample(path: Path, count: int, step: int, gray: bool = False) -> list[np.ndarray]:
    """Decoded frames as arrays, converted while the decoder still owns their buffers."""
    frames = []
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % step == 0:
                if gray:
                    small = frame.reformat(width=178, height=100, format="gray")
                    frames.append(np.asarray(small.to_ndarray()))
                else:
                    frames.append(to_bgr(frame))
            if len(frames) == count:
                break
    return frames


def people_found(detector: Detector, path: Path, count: int = 10) -> list[int]:
    found = []
    for image in sample(path, count, 17):
        height, width = image.shape[:2]
        detections = detector.detect(image, [(0, 0, width, height)])
        found.append(sum(1 for d in detections if d.label == "person" and d.score >= 0.5))
    return found


def test_hog_finds_people_on_the_walkway_and_none_in_the_car_park() -> None:
    hog = HogPeopleDetector()
    walkway = people_found(hog, footage("pedestrians-walkway.mp4"))
    assert sum(1 for n in walkway if n > 0) >= 8, walkway
    assert people_found(hog, footage("parking-cars-no-people.mp4")) == [0] * 10


def test_yolox_finds_people_and_vehicles() -> None:
    yolox = YoloxDetector(model())
    walkway = people_found(yolox, footage("pedestrians-walkway.mp4"), 5)
    assert all(n >= 3 for n in walkway), walkway
    assert people_found(yolox, footage("parking-cars-no-people.mp4"), 5) == [0] * 5
    image = sample(footage("pedestrians-walkway.mp4"), 1, 1)[0]
    labels = {d.label for d in yolox.detect(image, [(0, 0, image.shape[1], image.shape[0])])}
    assert "car" in labels


def test_motion_quiet_scene_is_still_and_walkway_moves() -> None:
    quiet = MotionDetector(MotionConfig())
    still = sample(footage("quiet-room-noise.mp4"), 60, 2, gray=True)
    assert all(not quiet.detect(image).boxes for image in still)
    walkway = MotionDetector(MotionConfig())
    frames = sample(footage("pedestrians-walkway-20s.mp4"), 20, 2, gray=True)
    moving = [bool(walkway.detect(image).boxes) for image in frames]
    assert sum(moving[1:]) >= 15


def test_motion_recalibrates_on_a_global_change() -> None:
    detector = MotionDetector(MotionConfig())
    frames = sample(footage("quiet-room-noise.mp4"), 5, 2, gray=True)
    for image in frames:
        detector.detect(image)
    # The infrared switch at dusk: everything changes at once, nothing entered.
    switched = [np.clip(255 - image.astype(np.int16), 0, 255).astype(np.uint8) for image in frames]
    first = detector.detect(switched[0])
    assert first.recalibrated and not first.boxes
    assert not detector.detect(switched[1]).boxes


def test_masked_area_never_moves() -> None:
    mask = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))
    detector = MotionDetector(MotionConfig(), masks=(mask,))
    frames = sample(footage("pedestrians-walkway-20s.mp4"), 20, 2, gray=True)
    assert all(not detector.detect(image).boxes for image in frames)


def test_regions_merge_and_fall_back_to_full_frame() -> None:
    regions = merge_regions([(0.1, 0.1, 0.12, 0.15), (0.13, 0.1, 0.15, 0.15)], 0.5, 0.05, 0.05)
    assert len(regions) == 1
    assert merge_regions([(0.0, 0.0, 0.9, 0.9)], 0.5, 0.1, 0.1) == [(0.0, 0.0, 1.0, 1.0)]


def test_pool_serves_several_callers_and_drops_when_full() -> None:
    pool = DetectorPool(HogPeopleDetector, threads=1, queue_size=1)
    try:
        image = sample(footage("pedestrians-walkway.mp4"), 1, 1)[0]
        futures = [pool.submit(image, [(0, 0, 768, 576)]) for _ in range(6)]
        accepted = [f for f in futures if f is not None]
        assert pool.dropped >= 1 and accepted
        assert all(any(d.label == "person" for d in f.result(timeout=60)) for f in accepted)
    finally:
        pool.close()
