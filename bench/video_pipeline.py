"""Benchmark of the camera worker's analysis and recording, against baselines in the same run.

    .venv/bin/python bench/video_pipeline.py [--onnx]

CPU time (all threads of the process) on the shared footage, one decoder thread, one
detector thread:
  (a) decoding the analysis stream alone with PyAV: the floor;
  (b) the whole analysis pipeline (decode + thumbnail + motion + motion-gated detection on
      regions + rules) at 5 analysed images/s from a 10 images/s stream;
  (c) the same but detecting on the full frame of every analysed image (no motion gating):
      the naive baseline;
  (d) recording by packet copy vs demuxing alone (the part any recorder pays), and vs the
      ``ffmpeg -c copy`` command line (segment muxer) on the same camera stream (one keyframe
      a second): c/ffmpeg; skipped with a message when ffmpeg is not installed;
  (e) detector throughput on CPU, HOG and YOLOX-Nano: whole frames and motion regions per
      second (wall clock), with a pool of 1 and 2 threads;
  (f) detection quality on the footage: share of sampled walkway frames (1-8 people in every
      frame) where a person is found, and false person detections on the car-park clip.
Prints ratios, not absolute verdicts; timings vary between machines, the ratios much less.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import av
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from typing import Any  # noqa: E402

from videoworker.analysis import _MIN_REGION as MIN_REGION  # noqa: E402
from videoworker.analysis import CameraAnalyzer, to_bgr  # noqa: E402
from videoworker.clock import RealClock  # noqa: E402
from videoworker.config import DetectorConfig, parse_config  # noqa: E402
from videoworker.detectors import DetectorPool, PixelBox, make_detector  # noqa: E402
from videoworker.events import EventSink  # noqa: E402
from videoworker.motion import MotionDetector, merge_regions  # noqa: E402
from videoworker.recorder import SegmentRecorder  # noqa: E402
from videoworker.sources import StreamReader  # noqa: E402
from videoworker.tests.rtsp_server import camera_clip  # noqa: E402

FOOTAGE = REPO.parent / "shared" / "data" / "footage"
MODEL = REPO.parent / "shared" / "data" / "models" / "yolox_nano.onnx"


def decode_only(path: Path) -> tuple[float, int, float]:
    start = time.process_time()
    frames = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "SLICE"
        stream.codec_context.thread_count = 1
        for _ in container.decode(stream):
            frames += 1
        duration = float(container.duration or 0) / 1_000_000
    return time.process_time() - start, frames, duration


def pipeline(path: Path, pool: DetectorPool, gated: bool, storage: Path) -> tuple[float, int, int]:
    config = parse_config(
        {
            "storage": str(storage),
            "cameras": [
                {
                    "name": "bench",
                    "source": {"main": {"file": str(path)}},
                    "analysis": {"rate": 5},
                    "live_image_seconds": 0,
                    "rules": [{"name": "intrusion", "cooldown": 86_400}],
                }
            ],
        },
        storage,
    )
    analyzer = CameraAnalyzer(config.cameras[0], {}, pool, EventSink(None), storage)
    if not gated:
        # The naive baseline: every analysed image goes to the detector, whole.
        original = analyzer.motion.detect

        def everything(gray):  # type: ignore[no-untyped-def]
            result = original(gray)
            result.boxes = [(0.0, 0.0, 1.0, 1.0)]
            return result

        analyzer.motion.detect = everything  # type: ignore[method-assign]
    start = time.process_time()
    analysed = 0
    next_at = 0.0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "SLICE"
        stream.codec_context.thread_count = 1
        for frame in container.decode(stream):
            if frame.time is None or frame.time + 1e-6 < next_at:
                continue
            next_at = frame.time + 0.2 * 0.95
            analyzer.process(frame, frame.time)
            analysed += 1
    return time.process_time() - start, analysed, analyzer.stats["motion"]


def recording(path: Path, storage: Path) -> tuple[float, float]:
    def run(record: bool) -> float:
        reader = StreamReader(av_source(path), RealClock(), threading.Event())
        recorder = SegmentRecorder("bench", storage / "rec", 10.0, EventSink(None))
        start = time.process_time()
        for _ in range(5):
            reader.open()
            assert reader.stream is not None
            for packet, wall in reader.packets():
                if record:
                    recorder.feed(packet, wall, reader.stream)
            recorder.cut()
            reader.close()
        return time.process_time() - start

    return run(False), run(True)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def recording_vs_ffmpeg(
    path: Path, storage: Path, loops: int = 10
) -> tuple[float, float, float] | None:
    """CPU of our recorder and of ``ffmpeg -c copy`` into 10 s segments, same stream x loops.

    ffmpeg reads the stream ``loops`` times in one process (``-stream_loop``), so that its
    start-up (also returned, measured alone) does not weigh on the comparison. Ours includes
    what ffmpeg does not do: checking each segment (MP4 box walk) and its SHA-256.
    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    reader = StreamReader(av_source(path), RealClock(), threading.Event())
    recorder = SegmentRecorder("bench", storage / "rec-ours", 10.0, EventSink(None))
    start = time.process_time()
    for _ in range(loops):
        reader.open()
        assert reader.stream is not None
        for packet, wall in reader.packets():
            recorder.feed(packet, wall, reader.stream)
        recorder.cut()  # as the worker does when a looped file restarts its timestamps
        reader.close()
    ours = time.process_time() - start
    out = storage / "rec-ffmpeg"
    out.mkdir(exist_ok=True)
    common = [ffmpeg, "-nostdin", "-loglevel", "error", "-y"]
    before = children_cpu()
    subprocess.run(  # noqa: S603 - the benchmark's own fixed command line
        [
            *common,
            *("-stream_loop", str(loops - 1), "-i", str(path), "-map", "0:v:0", "-c", "copy"),
            *("-f", "segment", "-segment_time", "10", "-reset_timestamps", "1"),
            str(out / "%03d.mp4"),
        ],
        check=True,
    )
    total = children_cpu() - before
    before = children_cpu()
    subprocess.run(  # noqa: S603 - the same, stopping before the first packet
        [*common, "-i", str(path), "-t", "0", "-f", "null", "-"], check=True
    )
    return ours, total, children_cpu() - before


def sample_images(path: Path, count: int, step: int) -> list[np.ndarray[Any, np.dtype[np.uint8]]]:
    images = []
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % step == 0:
                images.append(to_bgr(frame))
            if len(images) == count:
                break
    return images


def motion_regions(path: Path, count: int) -> list[tuple[Any, list[PixelBox]]]:
    """Analysed frames of a busy clip with the regions motion gating would send (5 images/s)."""
    camera = parse_config(
        {
            "storage": str(path.parent),
            "cameras": [{"name": "r", "source": {"main": {"file": str(path)}}}],
        },
        Path("/"),
    ).cameras[0]
    motion = MotionDetector(camera.analysis.motion)
    found: list[tuple[Any, list[PixelBox]]] = []
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % 2:
                continue
            gray = np.asarray(
                frame.reformat(width=134, height=100, format="gray").to_ndarray(), dtype=np.uint8
            )
            boxes = motion.detect(gray).boxes
            if not boxes or i == 0:
                continue
            image = to_bgr(frame)
            height, width = image.shape[:2]
            regions = [
                (int(x0 * width), int(y0 * height), int(x1 * width), int(y1 * height))
                for x0, y0, x1, y1 in merge_regions(
                    boxes, camera.analysis.region_padding, *MIN_REGION
                )
            ]
            found.append((image, regions))
            if len(found) == count:
                break
    return found


def throughput(
    det: DetectorConfig, threads: int, jobs: list[tuple[Any, list[PixelBox]]]
) -> tuple[float, float]:
    """Wall-clock images/s and regions/s of a pool of ``threads`` detectors."""
    pool = DetectorPool(lambda: make_detector(det), threads, len(jobs) + 1)
    try:
        warm = pool.submit(jobs[0][0], jobs[0][1])
        assert warm is not None
        warm.result()
        start = time.perf_counter()
        futures = [pool.submit(image, regions) for image, regions in jobs]
        for future in futures:
            assert future is not None
            future.result()
        elapsed = time.perf_counter() - start
    finally:
        pool.close()
    return len(jobs) / elapsed, sum(len(r) for _, r in jobs) / elapsed


def quality(det: DetectorConfig) -> tuple[int, int, int, int]:
    """Walkway frames with a person found / sampled; person detections / car-park frames."""
    detector = make_detector(det)

    def persons(image: np.ndarray[Any, np.dtype[np.uint8]]) -> int:
        height, width = image.shape[:2]
        found = detector.detect(image, [(0, 0, width, height)])
        return sum(1 for d in found if d.label == "person" and d.score >= 0.5)

    walkway = sample_images(FOOTAGE / "pedestrians-walkway.mp4", 40, 19)
    parking = sample_images(FOOTAGE / "parking-cars-no-people.mp4", 40, 9)
    hits = sum(1 for image in walkway if persons(image) > 0)
    false = sum(persons(image) for image in parking)
    return hits, len(walkway), false, len(parking)


def av_source(path: Path):  # type: ignore[no-untyped-def]
    from videoworker.config import StreamSource

    return StreamSource(file=path, realtime=False, loop=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--onnx", action="store_true", help="also measure YOLOX-Nano")
    args = parser.parse_args()
    quiet = FOOTAGE / "quiet-room-noise.mp4"
    busy = FOOTAGE / "pedestrians-walkway-20s.mp4"
    detectors = [DetectorConfig()]
    if args.onnx and MODEL.exists():
        detectors.append(DetectorConfig(type="onnx", model=MODEL))
    with tempfile.TemporaryDirectory() as tmp:
        storage = Path(tmp)
        print(f"PyAV {av.__version__}; CPU time of the whole process, one decoder thread")
        decode = {p.name: decode_only(p) for p in (quiet, busy)}
        for name, (cpu, frames, seconds) in decode.items():
            print(
                f"(a) decode only   {name:32s} {frames / cpu:8.0f} frames/CPU-s "
                f"({seconds:.0f} s clip)"
            )
        for det in detectors:
            pool = DetectorPool(lambda det=det: make_detector(det), 1, 64)  # type: ignore[misc]
            print(f"--- detector: {det.type}")
            per_second = {}
            for clip in (quiet, busy):
                a_cpu, _, seconds = decode[clip.name]
                b_cpu, analysed, moving = pipeline(clip, pool, True, storage)
                per_second[clip.name] = b_cpu / seconds
                print(
                    f"(b) pipeline      {clip.name:32s} b/a = {b_cpu / a_cpu:5.2f}  "
                    f"{analysed} analysed, {moving} with motion, "
                    f"{1000 * (b_cpu - a_cpu) / analysed:6.2f} ms CPU per analysed frame"
                )
            c_cpu, analysed, _ = pipeline(busy, pool, False, storage)
            b_cpu, _, _ = pipeline(busy, pool, True, storage)
            print(
                f"(c) full-frame    {busy.name:32s} c/b = {c_cpu / b_cpu:5.2f}  "
                f"(motion-gated regions vs whole frame on every analysed image)"
            )
            c_quiet, _, _ = pipeline(quiet, pool, False, storage)
            b_quiet, _, _ = pipeline(quiet, pool, True, storage)
            print(f"(c) full-frame    {quiet.name:32s} c/b = {c_quiet / b_quiet:5.2f}")
            mix = 0.9 * per_second[quiet.name] + 0.1 * per_second[busy.name]
            print(
                f"    cameras per core, 1 in 10 busy, 5 analysed images/s: {1 / mix:5.1f} "
                "(quiet 640x360, busy 768x576 at 10 images/s)"
            )
            pool.close()
        demux, remux = recording(busy, storage)
        print(
            f"(d) recording by packet copy / demux only ({busy.name} x5): {remux / demux:5.2f}; "
            f"{100 * remux / (5 * decode[busy.name][2]):.2f} % of a core per camera"
        )
        # A camera's stream (a keyframe a second) of the 80 s clip: start-up costs amortised.
        long_clip = FOOTAGE / "pedestrians-walkway.mp4"
        camera = camera_clip(long_clip, storage / "camera.mp4")
        versus = recording_vs_ffmpeg(camera, storage)
        if versus is None:
            print("(d) c/ffmpeg: SKIPPED, ffmpeg is not installed (apt-get install ffmpeg)")
        else:
            ours, ffmpeg_cpu, startup = versus
            print(
                f"(d) c/ffmpeg: recorder {ours:.3f} CPU-s vs ffmpeg -c copy -f segment "
                f"{ffmpeg_cpu:.3f} CPU-s ({long_clip.name} as a camera stream, read 10 times, "
                f"10 s segments): c/ffmpeg = {ours / ffmpeg_cpu:5.2f} "
                f"(ffmpeg's start-up alone: {startup:.3f} CPU-s)"
            )
        jobs = motion_regions(busy, 40)
        full = [(image, [(0, 0, image.shape[1], image.shape[0])]) for image, _ in jobs]
        per_frame = sum(len(r) for _, r in jobs) / len(jobs)
        print(
            f"(e) detector throughput, wall clock, {len(jobs)} busy frames "
            f"({per_frame:.1f} regions each)"
        )
        for det in detectors:
            for threads in (1, 2):
                frames_s, _ = throughput(det, threads, full)
                images_s, regions_s = throughput(det, threads, jobs)
                print(
                    f"    {det.type:4s} {threads} thread(s): {frames_s:6.1f} full frames/s, "
                    f"{regions_s:6.1f} regions/s ({images_s:5.1f} gated frames/s)"
                )
        print("(f) detection quality, whole frames, person score >= 0.5")
        for det in detectors:
            hits, sampled, false, parked = quality(det)
            print(
                f"    {det.type:4s} walkway: person found in {hits}/{sampled} sampled frames "
                f"({100 * hits / sampled:.0f} %); car park: {false} false person detection(s) "
                f"in {parked} frames"
            )


if __name__ == "__main__":
    main()
