"""A small RTSP server for tests and benchmarks: serves MP4 files' H.264 as a live camera.

It plays each file in a loop at its real pace (or faster) and sends its H.264 packets
untouched as RTP over the RTSP connection itself (TCP-interleaved, RFC 2326 §10.12), with
FU-A fragmentation of large NAL units (RFC 6184 §5.8). No decoding or re-encoding happens, so
what a client records must be bit-for-bit the file's slices: tests check exactly that. It runs
in-process on loopback, needs no Debian package, starts in milliseconds and can be stopped and
restarted on the same port to simulate a camera going offline.

    server = RtspServer({"walk": Path("pedestrians-walkway.mp4")})
    server.start()            # rtsp://127.0.0.1:<port>/walk
    server.stop()             # every client connection is cut, the port closed
    server.start()            # same port again
"""

from __future__ import annotations

import base64
import contextlib
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

_RTP_PAYLOAD = 1400  # below a usual MTU, as a camera would send over UDP
_CLOCK = 90_000


@dataclass(frozen=True)
class _AccessUnit:
    dts: float  # seconds, decode order: when to send
    pts: float  # seconds: the RTP timestamp
    nals: tuple[bytes, ...]
    keyframe: bool


@dataclass(frozen=True)
class _Clip:
    sps: bytes
    pps: bytes
    units: tuple[_AccessUnit, ...]
    duration: float
    profile_level_id: str


def _split_avcc(data: bytes, size: int = 4) -> list[bytes]:
    nals: list[bytes] = []
    i = 0
    while i + size <= len(data):
        length = int.from_bytes(data[i : i + size], "big")
        i += size
        nals.append(data[i : i + length])
        i += length
    return nals


def load_clip(path: Path) -> _Clip:
    """Read a file's H.264 access units once (MP4 stores them length-prefixed, AVCC)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        extradata = bytes(stream.codec_context.extradata or b"")
        if stream.codec_context.name != "h264" or not extradata or extradata[0] != 1:
            raise ValueError(f"{path} : H.264 en MP4 (avcC) attendu")
        length_size = (extradata[4] & 0x03) + 1
        count = extradata[5] & 0x1F
        i = 6
        sps_list: list[bytes] = []
        for _ in range(count):
            n = int.from_bytes(extradata[i : i + 2], "big")
            sps_list.append(extradata[i + 2 : i + 2 + n])
            i += 2 + n
        pps_count = extradata[i]
        i += 1
        pps_list: list[bytes] = []
        for _ in range(pps_count):
            n = int.from_bytes(extradata[i : i + 2], "big")
            pps_list.append(extradata[i + 2 : i + 2 + n])
            i += 2 + n
        base = stream.time_base
        assert base is not None
        units: list[_AccessUnit] = []
        for packet in container.demux(stream):
            if packet.pts is None or packet.dts is None:
                continue
            units.append(
                _AccessUnit(
                    dts=float(packet.dts * base),
                    pts=float(packet.pts * base),
                    nals=tuple(_split_avcc(bytes(packet), length_size)),
                    keyframe=bool(packet.is_keyframe),
                )
            )
    rate = 1.0 / 10
    if len(units) > 1:
        rate = (units[-1].dts - units[0].dts) / (len(units) - 1)
    duration = units[-1].dts - units[0].dts + rate
    sps = sps_list[0]
    return _Clip(sps, pps_list[0], tuple(units), duration, sps[1:4].hex())


def camera_clip(source: Path, dest: Path, gop: int = 10, bit_rate: int = 1_000_000) -> Path:
    """Turn a clip into what an IP camera sends: H.264 without B-frames, a keyframe per second.

    The shared footage has one keyframe every 25 s, which no camera uses; this encodes it once
    (the "camera's" own encoder) so that segments can be short. What the worker records from
    the RTSP stream is then compared with this file, packet for packet.
    """
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp.mp4")
    with av.open(str(source)) as src, av.open(str(tmp), "w") as out:
        video = src.streams.video[0]
        rate = video.average_rate or Fraction(10)
        stream = out.add_stream("libx264", rate=rate)
        stream.width = video.codec_context.width
        stream.height = video.codec_context.height
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = bit_rate
        stream.options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "g": str(gop),
            "keyint_min": str(gop),
            "sc_threshold": "0",
            "bframes": "0",
        }
        for n, frame in enumerate(src.decode(video)):
            frame.pts = n
            frame.time_base = 1 / rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    tmp.replace(dest)
    return dest


def rtp_packets(
    nals: tuple[bytes, ...], seq: int, timestamp: int, ssrc: int
) -> tuple[list[bytes], int]:
    """One access unit as RTP packets (single NAL or FU-A), marker bit on the last one."""
    payloads: list[bytes] = []
    for nal in nals:
        if len(nal) <= _RTP_PAYLOAD:
            payloads.append(nal)
            continue
        header = nal[0]
        indicator = (header & 0xE0) | 28
        kind = header & 0x1F
        body = nal[1:]
        chunks = [body[i : i + _RTP_PAYLOAD] for i in range(0, len(body), _RTP_PAYLOAD)]
        for n, chunk in enumerate(chunks):
            start = 0x80 if n == 0 else 0
            end = 0x40 if n == len(chunks) - 1 else 0
            payloads.append(bytes([indicator, start | end | kind]) + chunk)
    packets: list[bytes] = []
    for n, payload in enumerate(payloads):
        marker = 0x80 if n == len(payloads) - 1 else 0
        rtp_header = struct.pack(
            "!BBHII", 0x80, marker | 96, seq & 0xFFFF, timestamp & 0xFFFFFFFF, ssrc
        )
        packets.append(rtp_header + payload)
        seq += 1
    return packets, seq


class _Session(threading.Thread):
    """One client connection: RTSP requests, then the interleaved RTP stream after PLAY."""

    def __init__(self, server: RtspServer, conn: socket.socket) -> None:
        super().__init__(daemon=True, name="rtsp-session")
        self.server = server
        self.conn = conn
        self.closed = threading.Event()
        self.write_lock = threading.Lock()
        self.clip: _Clip | None = None
        self.player: threading.Thread | None = None
        self.path = ""
        self.seq = random.randint(0, 0xFFFF)
        self.base_ts = random.randint(0, 0xFFFFFF)

    def close(self) -> None:
        self.closed.set()
        with contextlib.suppress(OSError):
            self.conn.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.conn.close()

    def send(self, data: bytes) -> None:
        with self.write_lock:
            self.conn.sendall(data)

    def run(self) -> None:
        buffer = b""
        try:
            while not self.closed.is_set():
                chunk = self.conn.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                while buffer:
                    if buffer[0:1] == b"$":
                        # An interleaved RTCP report from the client: skip it.
                        if len(buffer) < 4:
                            break
                        size = int.from_bytes(buffer[2:4], "big")
                        if len(buffer) < 4 + size:
                            break
                        buffer = buffer[4 + size :]
                        continue
                    end = buffer.find(b"\r\n\r\n")
                    if end < 0:
                        break
                    head = buffer[:end].decode("latin-1")
                    buffer = buffer[end + 4 :]
                    length = 0
                    for line in head.split("\r\n")[1:]:
                        name, _, value = line.partition(":")
                        if name.strip().lower() == "content-length":
                            length = int(value.strip())
                    buffer = buffer[length:]
                    self.handle(head)
        except OSError:
            pass
        finally:
            self.close()

    def handle(self, head: str) -> None:
        lines = head.split("\r\n")
        method, url, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        cseq = headers.get("cseq", "0")
        path = url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url.lstrip("/")
        name = path.split("/", 1)[0]
        extra: dict[str, str] = {}
        body = ""
        status = "200 OK"
        if method == "OPTIONS":
            extra["Public"] = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN"
        elif method == "DESCRIBE":
            clip = self.server.clip(name)
            self.path = name
            if clip is None:
                status = "404 Not Found"
            else:
                self.clip = clip
                sprop = ",".join(base64.b64encode(p).decode() for p in (clip.sps, clip.pps))
                body = (
                    "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=Bouclier test camera\r\n"
                    "c=IN IP4 0.0.0.0\r\nt=0 0\r\na=control:*\r\n"
                    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                    f"a=fmtp:96 packetization-mode=1;profile-level-id={clip.profile_level_id};"
                    f"sprop-parameter-sets={sprop}\r\na=control:trackID=0\r\n"
                )
                extra["Content-Type"] = "application/sdp"
                extra["Content-Base"] = f"rtsp://127.0.0.1:{self.server.port}/{name}/"
        elif method == "SETUP":
            transport = headers.get("transport", "")
            if "TCP" not in transport.upper():
                status = "461 Unsupported Transport"
            else:
                extra["Transport"] = "RTP/AVP/TCP;unicast;interleaved=0-1"
                extra["Session"] = "4f2d77;timeout=60"
        elif method == "PLAY":
            extra["Session"] = "4f2d77"
            extra["Range"] = "npt=0.000-"
            # Where the stream starts, as cameras say: clients time the first packet from it.
            first = self.clip.units[0].pts if self.clip is not None else 0.0
            extra["RTP-Info"] = (
                f"url=rtsp://127.0.0.1:{self.server.port}/{self.path}/trackID=0;"
                f"seq={self.seq};rtptime={self.base_ts + round(first * _CLOCK)}"
            )
            self.reply(cseq, status, extra, body)
            # Only after the reply: a client drops interleaved data that precedes it.
            if self.clip is not None and self.player is None:
                self.player = threading.Thread(target=self.play, args=(self.clip,), daemon=True)
                self.player.start()
            return
        elif method == "TEARDOWN":
            self.reply(cseq, status, extra, body)
            self.close()
            return
        self.reply(cseq, status, extra, body)

    def reply(self, cseq: str, status: str, extra: dict[str, str], body: str) -> None:
        lines = [f"RTSP/1.0 {status}", f"CSeq: {cseq}", "Server: bouclier-test-rtsp"]
        lines += [f"{k}: {v}" for k, v in extra.items()]
        data = body.encode()
        if data:
            lines.append(f"Content-Length: {len(data)}")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + data)

    def play(self, clip: _Clip) -> None:
        speed = self.server.speed
        seq = self.seq
        base_ts = self.base_ts
        ssrc = random.randint(1, 0xFFFFFFFF)
        start = time.monotonic()
        # When the first access unit left, for measures of latency (bench/alarm_latency.py).
        self.server.plays.append(time.time())
        offset = 0.0  # seconds added at each loop, so the time line keeps going forward
        first = clip.units[0].dts
        try:
            while not self.closed.is_set():
                for unit in clip.units:
                    due = start + (offset + unit.dts - first) / speed
                    delay = due - time.monotonic()
                    if delay > 0 and self.closed.wait(delay):
                        return
                    nals = unit.nals
                    if unit.keyframe:
                        # In-band parameter sets before each keyframe, as cameras send them.
                        nals = (clip.sps, clip.pps, *nals)
                    timestamp = base_ts + round((offset + unit.pts) * _CLOCK)
                    packets, seq = rtp_packets(nals, seq, timestamp, ssrc)
                    data = b"".join(b"$\x00" + struct.pack("!H", len(p)) + p for p in packets)
                    self.send(data)
                offset += clip.duration
        except OSError:
            pass
        finally:
            self.close()


class RtspServer:
    """Serves `{name: mp4}` at rtsp://127.0.0.1:port/name, looping at `speed` x real time."""

    def __init__(self, files: dict[str, Path], port: int = 0, speed: float = 1.0) -> None:
        self.files = files
        self.speed = speed
        self.port = port
        self._clips: dict[str, _Clip] = {}
        self._sock: socket.socket | None = None
        self._sessions: list[_Session] = []
        self.plays: list[float] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def clip(self, name: str) -> _Clip | None:
        path = self.files.get(name)
        if path is None:
            return None
        with self._lock:
            if name not in self._clips:
                self._clips[name] = load_clip(path)
            return self._clips[name]

    def url(self, name: str) -> str:
        return f"rtsp://127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(16)
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._thread = threading.Thread(target=self._accept, args=(sock,), daemon=True)
        self._thread.start()

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = _Session(self, conn)
            with self._lock:
                self._sessions.append(session)
            session.start()

    def stop(self) -> None:
        """Close the port and cut every client, like a camera losing power."""
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
            self._sock = None
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def __enter__(self) -> RtspServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # pragma: no cover - a manual check: serve a file for ffplay/VLC
    import sys

    server = RtspServer(
        {"camera": Path(sys.argv[1])}, port=int(sys.argv[2]) if len(sys.argv) > 2 else 8554
    )
    server.start()
    print(server.url("camera"), flush=True)
    threading.Event().wait()
