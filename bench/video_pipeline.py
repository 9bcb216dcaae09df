"""Benchmark of the camera worker's analysis and recording, against baselines in the same run.

    .venv/bin/python bench/video_pipeline.py [--onnx]

CPU time (all threads of the process) on the shared footage, one decoder thread, one
detector thread:
  (a) decoding the analysis stream alone with PyAV: the floor;
  (b) the whole analysis pipeline (decode + thumbnail + motion + motion-gated detection on
      regions + rules) at 5 analysed images/s from a 10 images/s stream;
  (c) the same but detecting on the full frame of every analysed image (no motion gating):
      the naive baseline;
  (d) recording by packet copy vs demuxing alone (ffmpeg's command line is not installed here,
      so demuxing, the part any recorder pays, is the baseline).
Prints ratios, not absolute verdicts; timings vary between machines, the ratios much less.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import av

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from videoworker.analysis import CameraAnalyzer  # noqa: E402
from videoworker.clock import RealClock  # noqa: E402
from videoworker.config import DetectorConfig, parse_config  # noqa: E402
from videoworker.detectors import DetectorPool, make_detector  # noqa: E402
from videoworker.events import EventSink  # noqa: E402
from videoworker.recorder import SegmentRecorder  # noqa: E402
from videoworker.sources import StreamReader  # noqa: E402

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


if __name__ == "__main__":
    main()
