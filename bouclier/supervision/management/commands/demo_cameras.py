"""``manage.py demo_cameras``: serve the demo's footage as live RTSP cameras on loopback.

Each clip is encoded once as an IP camera would send it (H.264 without B-frames, one keyframe
a second; kept under ``var/demo-cameras/``), then served in a loop at its real pace by the
RTSP server the tests use, at ``rtsp://127.0.0.1:PORT/<camera>``. Runs until interrupted;
``bin/demo`` starts it in the background and stops it with the platform.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from bouclier.supervision.demo import demo_cameras, rtsp_port
from videoworker.tests.rtsp_server import RtspServer, camera_clip


class Command(BaseCommand):
    help = "Sert les séquences de démonstration comme des caméras RTSP sur la boucle locale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=None, help="port RTSP (8554 par défaut)")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or rtsp_port()
        cache = Path(settings.VAR_DIR) / "demo-cameras"
        files = {
            spec.name: camera_clip(spec.footage, cache / f"{spec.name}.mp4")
            for spec in demo_cameras()
        }
        server = RtspServer(files, port=port)
        server.start()
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        for name in files:
            self.stdout.write(f"Caméra de démonstration : {server.url(name)}")
        self.stdout.flush()
        stop.wait()
        server.stop()
