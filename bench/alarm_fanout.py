"""Alarm fan-out: from a worker's post to every connected operator console receiving it.

    DATABASE_URL=postgres://USER:PASS@127.0.0.1:5432/DB .venv/bin/python bench/alarm_fanout.py \
        [--rate 10] [--seconds 30] [--consoles 10]

A throwaway PostgreSQL database is created next to the one ``DATABASE_URL`` names (the role
needs CREATEDB), migrated, given the communes, one commune site under a convention with one
camera, a worker holding it and ``--consoles`` operators, then dropped at the end. The
platform runs as ``manage.py runserver`` (threaded) in a subprocess on loopback. Each
console is a thread with its own HTTP connection reading the queue's Server-Sent Events
stream (``/supervision/console/flux/``) as the operator's browser does, reconnecting when
the server ends the stream. Alarms (multipart with a JPEG snapshot, as a worker sends them)
are posted to ``/supervision/api/alarms/`` at a steady ``--rate`` per second.

Measured, on one clock (every thread is in this process): from the start of each post to
each console's first queue event that includes that alarm (``last_alarm``). Baseline, in
the same run: the post's own round trip. Prints p50/p95 of both and their ratio. The queue
stream looks for changes every ``SUPERVISION_STREAM_POLL`` seconds (0.25 s by default), which
is most of the fan-out latency by design.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2000 + b"\xff\xd9"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def throwaway_database(base_url: str) -> tuple[str, str]:
    """Create an empty database beside the given one; return its URL and name."""
    import psycopg

    name = f"bench_fanout_{os.getpid()}"
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(consoles: int) -> tuple[str, str, list[str]]:
    """Migrate and fill the throwaway database; return the camera, the token, the sessions."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from bouclier.accounts.models import Membership, Organisation, User
    from bouclier.accounts.roles import Role, allowed_kinds
    from bouclier.supervision import services
    from bouclier.supervision.models import Camera, Convention, Site
    from bouclier.territory.importers import import_communes_and_epci
    from bouclier.territory.models import Commune

    call_command("migrate", verbosity=0)
    import_communes_and_epci()
    meaux = Commune.objects.get(insee_code="77284")
    site = Site.objects.create(kind=Site.Kind.COMMUNE, name="Mairie de Meaux", commune=meaux)
    Convention.objects.create(
        commune=meaux,
        reference="BENCH",
        starts_on=dt.date.today() - dt.timedelta(days=1),
        mayor_authority="Banc d'essai.",
    )
    camera = Camera.objects.create(site=site, name="bench-cam", main_url="rtsp://127.0.0.1:1/x")
    worker, token = services.create_worker("bench-worker")
    services.heartbeat(worker)  # takes the camera's lease: the worker may report on it
    organisation = Organisation.objects.create(
        kind=sorted(allowed_kinds(Role.CSD_OPERATOR))[0], name="Centre de supervision – banc"
    )
    sessions = []
    for number in range(consoles):
        user = User.objects.create_user(f"op{number}@bench.test", None, is_active=True)
        Membership.objects.create(user=user, organisation=organisation, role=Role.CSD_OPERATOR)
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    connections.close_all()
    return camera.name, token, sessions


class Console(threading.Thread):
    """One operator's browser: reads the queue stream, notes when each ``last_alarm`` came."""

    def __init__(self, port: int, session: str, cookie_name: str) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.cookie = f"{cookie_name}={session}"
        self.received: list[tuple[float, int]] = []
        self.ready = threading.Event()
        self.stopping = threading.Event()
        self.connection: http.client.HTTPConnection | None = None

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.read_stream()
            except (OSError, http.client.HTTPException):
                if not self.stopping.is_set():
                    time.sleep(0.2)

    def read_stream(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.connection.request(
            "GET",
            "/supervision/console/flux/",
            headers={"Cookie": self.cookie, "Accept": "text/event-stream"},
        )
        response = self.connection.getresponse()
        if response.status != 200:
            raise http.client.HTTPException(f"flux : {response.status}")
        event = ""
        while True:
            line = response.fp.readline()
            if not line:
                return  # the server ended the stream; the browser reconnects
            text = line.decode().rstrip("\n")
            if text.startswith("event: "):
                event = text[7:]
            elif text.startswith("data: ") and event == "queue":
                self.received.append((time.perf_counter(), int(json.loads(text[6:])["last_alarm"])))
                self.ready.set()
            elif not text:
                event = ""

    def stop(self) -> None:
        self.stopping.set()
        if self.connection is not None and self.connection.sock is not None:
            with contextlib.suppress(OSError):  # already closed by the server
                self.connection.sock.shutdown(socket.SHUT_RDWR)


def post_alarm(port: int, token: str, camera: str, event_id: uuid.UUID) -> tuple[float, float]:
    """Post one alarm as a worker does; return its start time and its round trip."""
    boundary = uuid.uuid4().hex
    fields = {
        "event_id": str(event_id),
        "camera": camera,
        "rule": "intrusion",
        "raised_at": dt.datetime.now(dt.UTC).isoformat(),
        "labels": json.dumps(["person"]),
    }
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="snapshot"; '
            f'filename="snap.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        + JPEG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    connection.request(
        "POST",
        "/supervision/api/alarms/",
        body=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    if response.status != 201:
        raise RuntimeError(f"alarme refusée : {response.status}")
    return start, elapsed


def wait_for_server(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("le serveur s'est arrêté au démarrage")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("le serveur ne répond pas")


def measure(args: argparse.Namespace, port: int, env: dict[str, str]) -> None:
    camera, token, sessions = prepare(args.consoles)
    from django.conf import settings

    server = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    consoles = [Console(port, session, settings.SESSION_COOKIE_NAME) for session in sessions]
    try:
        wait_for_server(port, server)
        for console in consoles:
            console.start()
        for console in consoles:
            if not console.ready.wait(30):
                raise RuntimeError("une console n'a pas reçu la file")
        posts: dict[uuid.UUID, tuple[float, float]] = {}
        total = int(args.rate * args.seconds)
        begin = time.perf_counter()
        for number in range(total):
            # A steady rate: each post leaves at its own slot, whatever the previous took.
            delay = begin + number / args.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            event_id = uuid.uuid4()
            posts[event_id] = post_alarm(port, token, camera, event_id)
        achieved = total / (time.perf_counter() - begin)
        time.sleep(3 * float(getattr(settings, "SUPERVISION_STREAM_POLL", 0.25)) + 1)
    finally:
        for console in consoles:
            console.stop()
        server.terminate()
        server.wait(10)

    from django.db import connections

    from bouclier.supervision.models import Alarm

    ids = dict(Alarm.objects.filter(event_id__in=posts).values_list("event_id", "pk"))
    connections.close_all()
    latencies: list[float] = []
    missed = 0
    for console in consoles:
        for event_id, (start, _elapsed) in posts.items():
            pk = ids[event_id]
            seen = next((at for at, last in console.received if last >= pk), None)
            if seen is None:
                missed += 1
            else:
                latencies.append(seen - start)
    round_trips = [elapsed for _start, elapsed in posts.values()]
    fan_p50, fan_p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    rt_p50, rt_p95 = percentile(round_trips, 0.5), percentile(round_trips, 0.95)
    print(
        f"{total} alarmes à {achieved:.1f}/s (demandé {args.rate}/s), {len(consoles)} consoles, "
        f"{len(latencies)} réceptions, {missed} manquées"
    )
    print(f"post -> console : p50 {1000 * fan_p50:.0f} ms, p95 {1000 * fan_p95:.0f} ms")
    print(f"base (aller-retour du post) : p50 {1000 * rt_p50:.0f} ms, p95 {1000 * rt_p95:.0f} ms")
    print(f"rapport : p50 x{fan_p50 / rt_p50:.1f}, p95 x{fan_p95 / rt_p95:.1f}")
    print(f"(moyenne post -> console {1000 * statistics.fmean(latencies):.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=10.0, help="alarmes par seconde")
    parser.add_argument("--seconds", type=float, default=30.0, help="durée de l'envoi")
    parser.add_argument("--consoles", type=int, default=10, help="consoles connectées")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("DATABASE_URL doit désigner une base PostgreSQL (rôle avec CREATEDB).")
    url, name = throwaway_database(base)
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "BOUCLIER_SECRET_KEY": os.environ.get(
                "BOUCLIER_SECRET_KEY", "bench-" + uuid.uuid4().hex
            ),
            "BOUCLIER_VAR_DIR": scratch,
            "BOUCLIER_MEDIA_ROOT": str(Path(scratch) / "media"),
            "DJANGO_SETTINGS_MODULE": "bouclier.settings",
        }
        os.environ.update(env)
        try:
            measure(args, free_port(), env)
        finally:
            drop_database(base, name)


if __name__ == "__main__":
    main()
