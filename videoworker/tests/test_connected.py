"""Connected mode without the platform: the spool keeps events while the platform is down.

A stub of the ingestion API on loopback (stdlib HTTP server) stands for the platform; the
platform itself is exercised end to end in bouclier/supervision/tests.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from videoworker.connected import Platform, Spool, Uploader, to_request
from videoworker.events import EventSink
from videoworker.tests.helpers import free_port


class Stub(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body.get("camera") == "refused":
            self.send_response(400)
            self.end_headers()
            self.wfile.write(b'{"camera": ["inconnue"]}')
            return
        created = body["event_id"] not in self.seen
        self.seen.add(body["event_id"])
        self.received.append((self.path, body))
        data = json.dumps({"event_id": body["event_id"], "created": created}).encode()
        self.send_response(201 if created else 200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def stub() -> Iterator[str]:
    Stub.received, Stub.seen = [], set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_events_wait_in_the_spool_until_the_platform_answers(tmp_path: Path, stub: str) -> None:
    spool = Spool(tmp_path / "spool")
    sink = EventSink(tmp_path / "events.jsonl")
    sink.subscribe(spool.put)
    sink.emit("technical_alarm", "cam", 1000.0, condition="camera_offline")
    sink.emit("segment_deleted", "cam", 1001.0, path="/x.mp4", reason="durée échue")
    sink.emit("technical_alarm", "refused", 1002.0, condition="camera_offline")

    down = Uploader(Platform(f"http://127.0.0.1:{free_port()}", "t"), spool, threading.Event())
    assert not down.flush_once()
    assert len(spool.pending()) == 3  # nothing lost while the platform is unreachable

    up = Uploader(Platform(stub, "t"), spool, threading.Event())
    assert up.flush_once()
    assert spool.pending() == []
    assert [path for path, _ in Stub.received] == [
        "/supervision/api/events/",
        "/supervision/api/purges/",
    ]
    assert Stub.received[1][1]["details"]["reason"] == "durée échue"
    # Refused (4xx): set aside with its reason, never retried in a loop.
    assert up.stats.rejected == 1 and len(list(spool.rejected.glob("*.json"))) == 1

    # The same event again (a post whose answer was lost): the platform says "already had it".
    event = json.loads((tmp_path / "events.jsonl").read_text().splitlines()[0])
    spool.put(event)
    assert up.flush_once() and up.stats.duplicates == 1


def test_alarm_goes_as_multipart_with_its_snapshot(tmp_path: Path) -> None:
    snapshot = tmp_path / "s.jpg"
    snapshot.write_bytes(b"\xff\xd8\xff\xd9")
    event = {
        "id": "e1",
        "type": "alarm",
        "camera": "cam",
        "time": "2026-11-26T22:00:00+00:00",
        "ts": 1.0,
        "rule": "intrusion",
        "snapshot": str(snapshot),
    }
    call = to_request(event)
    assert call is not None
    endpoint, fields, files = call
    assert endpoint == "alarms/" and files == {"snapshot": snapshot}
    assert fields["raised_at"] == event["time"] and fields["event_id"] == "e1"


def test_platform_holds_reach_the_purge(tmp_path: Path) -> None:
    from videoworker.connected import ConnectedWorker
    from videoworker.retention import load_holds

    worker = ConnectedWorker(Platform("http://127.0.0.1:9", "jeton"), tmp_path)
    assert load_holds(worker.worker.config.holds_file) == []
    hold = {
        "reference": "PV-2026-042",
        "camera": "parvis",
        "from": "2026-11-20T10:00:00+01:00",
        "to": "2026-11-20T11:00:00+01:00",
    }
    worker.apply({"cameras": [], "holds": [hold]})
    (loaded,) = load_holds(worker.worker.config.holds_file)
    assert (loaded.reference, loaded.camera) == ("PV-2026-042", "parvis")
    # An answer without holds (an older platform) leaves the known holds in force.
    worker.apply({"cameras": []})
    assert len(load_holds(worker.worker.config.holds_file)) == 1
