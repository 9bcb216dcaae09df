"""Alarm latency: from the first frame with a person in the zone to the alarm at the platform.

    .venv/bin/python bench/alarm_latency.py [--onnx] [--seconds 139]

A camera is played in real time by the loopback RTSP server (``videoworker/tests/
rtsp_server.py``), from ``indoor-people-one-by-one.mp4``, where people walk in one at a time
with empty stretches between. The worker runs in connected mode against a stub of the
platform's ingestion API on loopback (the same endpoints and payloads; it notes when each
alarm is received), so the figure is the worker's path: RTSP, decoding, queue, motion,
detection on motion regions at 5 images/s, rule, snapshot, spool and HTTP post.

Ground truth: the same detector runs on EVERY frame, on the whole frame; an "entry" is a
frame where a person is found after at least ``--gap`` seconds with nobody. Each entry's
frame left the RTSP server at a known time; the latency of an entry is the receipt of the
first alarm after that time. The rule has no persistence (persistence adds its own, chosen
delay) and a cooldown shorter than the gap, so every entry should raise one alarm.
Prints p50 and p95 with the entries missed and the alarms that match no entry.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from videoworker.config import DetectorConfig  # noqa: E402
from videoworker.connected import ConnectedWorker, Platform  # noqa: E402
from videoworker.detectors import make_detector  # noqa: E402
from videoworker.tests.rtsp_server import RtspServer, camera_clip  # noqa: E402

FOOTAGE = REPO.parent / "shared" / "data" / "footage"
MODEL = REPO.parent / "shared" / "data" / "models" / "yolox_nano.onnx"
WHOLE = [[0, 0], [1, 0], [1, 1], [0, 1]]


def ground_truth(path: Path, detector: DetectorConfig, score: float, gap: float) -> list[float]:
    """Stream times (seconds from the first frame) where a person enters an empty scene."""
    found = make_detector(detector)
    entries: list[float] = []
    last_seen: float | None = None
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        first: float | None = None
        for frame in container.decode(stream):
            if frame.time is None:
                continue
            first = frame.time if first is None else first
            t = frame.time - first
            image = np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
            h, w = image.shape[:2]
            people = [
                d
                for d in found.detect(image, [(0, 0, w, h)])
                if d.label == "person" and d.score >= score
            ]
            if people:
                if last_seen is None or t - last_seen >= gap:
                    entries.append(t)
                last_seen = t
    return entries


class Stub(BaseHTTPRequestHandler):
    """The ingestion API's endpoints, answering like the platform; alarms are timed."""

    camera: dict[str, Any] = {}
    alarms: list[float] = []

    def do_POST(self) -> None:
        received = time.time()
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        if self.path.endswith("/workers/heartbeat/"):
            body: dict[str, Any] = {
                "worker": "bench",
                "lease_seconds": 30,
                "heartbeat_seconds": 10,
                "cameras": [self.camera],
                "schedules": {},
                "taken": [],
                "released": [],
            }
        else:
            if self.path.endswith("/alarms/"):
                self.alarms.append(received)
            body = {"created": True}
        data = json.dumps(body).encode()
        self.send_response(201 if "heartbeat" not in self.path else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--onnx", action="store_true", help="YOLOX-Nano instead of HOG")
    parser.add_argument("--clip", default="indoor-people-one-by-one.mp4")
    parser.add_argument("--seconds", type=float, default=None, help="play only this long")
    parser.add_argument("--gap", type=float, default=4.0, help="empty seconds before an entry")
    parser.add_argument("--rate", type=float, default=5.0, help="analysed images per second")
    args = parser.parse_args()
    detector = DetectorConfig(type="onnx", model=MODEL) if args.onnx else DetectorConfig()
    score = 0.5
    with tempfile.TemporaryDirectory() as tmp:
        source = camera_clip(FOOTAGE / args.clip, Path(tmp) / "camera.mp4")
        print(f"vérité terrain ({detector.type}, chaque image)...", flush=True)
        entries = ground_truth(source, detector, score, args.gap)
        with av.open(str(source)) as container:
            duration = float(container.duration or 0) / 1_000_000
        duration = min(duration, args.seconds) if args.seconds else duration
        entries = [t for t in entries if t < duration - 2]
        rtsp = RtspServer({"cam": source})
        rtsp.start()
        Stub.camera = {
            "name": "cam",
            "source": {"main": {"url": rtsp.url("cam")}},
            "recording": {"enabled": False},
            "analysis": {"rate": args.rate},
            "zones": {"all": WHOLE},
            "rules": [
                {
                    "name": "intrusion",
                    "zones": ["all"],
                    "persistence": 0,
                    "cooldown": args.gap / 2,
                    "score": score,
                    "pre_seconds": 0,
                    "post_seconds": 0,
                }
            ],
            "live_image_seconds": 0,
        }
        http = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
        threading.Thread(target=http.serve_forever, daemon=True).start()
        worker = ConnectedWorker(
            Platform(f"http://127.0.0.1:{http.server_address[1]}", "bench"),
            Path(tmp) / "storage",
            detector,
        )
        worker.start()
        print(f"lecture en temps réel ({duration:.0f} s), {len(entries)} entrées...", flush=True)
        while not rtsp.plays:
            time.sleep(0.05)
        started = rtsp.plays[0]
        time.sleep(max(0.0, started + duration - time.time()) + 2)
        worker.stop()
        rtsp.stop()
        http.shutdown()
    latencies: list[float] = []
    alarms = sorted(Stub.alarms)
    used: set[int] = set()
    for t in entries:
        sent = started + t
        match = next((i for i, a in enumerate(alarms) if a >= sent and i not in used), None)
        # An alarm more than one gap later belongs to a later entry, not to this one.
        if match is None or alarms[match] - sent > args.gap:
            continue
        used.add(match)
        latencies.append(alarms[match] - sent)
    missed = len(entries) - len(latencies)
    print(f"détecteur {detector.type}, analyse à {args.rate:g} images/s, persistance 0")
    print(
        f"entrées : {len(entries)}, alarmes : {len(alarms)}, manquées : {missed}, "
        f"alarmes sans entrée : {len(alarms) - len(used)}"
    )
    if latencies:
        ordered = sorted(latencies)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"latence p50 : {statistics.median(ordered):.3f} s, p95 : {p95:.3f} s "
            f"(objectif p95 <= {1 + 1 / args.rate:.1f} s)"
        )


if __name__ == "__main__":
    main()
