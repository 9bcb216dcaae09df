"""Judicial requisitions on PostgreSQL with real footage: registration and validation, the
hold (exposed to workers in the heartbeat), extraction by packet copy checked with PyAV, the
signed manifest (one changed byte detected), the package, the procès-verbal read back with
pypdf, the hand-over, the release, the register and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import threading
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.supervision import services, signing
from bouclier.supervision import services_judicial as judicial
from bouclier.supervision.models import (
    AccessRecord,
    Approval,
    Camera,
    Convention,
    Mask,
    Requisition,
    Segment,
    VideoWorker,
)
from bouclier.supervision.tests.helpers import make_camera
from bouclier.territory.models import Commune
from conftest import MakeUser
from videoworker.clock import RealClock
from videoworker.config import StreamSource
from videoworker.events import EventSink
from videoworker.recorder import Segment as RecordedSegment
from videoworker.recorder import SegmentIndex, SegmentRecorder
from videoworker.sources import StreamReader
from videoworker.tests.helpers import footage

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> list[RecordedSegment]:
    return record_footage(tmp_path_factory.mktemp("recording"))


def record_footage(directory: Path) -> list[RecordedSegment]:
    """Eight seconds of real footage recorded by the worker's recorder into 4 s segments."""
    clip = footage("indoor-people-one-by-one.mp4")  # a keyframe every second
    recorder = SegmentRecorder("cam", directory / "rec", 4.0, EventSink(directory / "ev.jsonl"))
    reader = StreamReader(
        StreamSource(file=clip, realtime=False, loop=False), RealClock(), threading.Event()
    )
    reader.open()
    assert reader.stream is not None
    first = reader.wall_time(0.0)
    for packet, wall in reader.packets():
        if packet.is_keyframe and wall - first >= 8.0:
            break
        recorder.feed(packet, wall, reader.stream)
    recorder.close()
    reader.close()
    segments = SegmentIndex(directory / "rec").entries()
    assert len(segments) == 2
    return segments


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Extractions and the signing key in this test's own folder."""
    settings.SUPERVISION_EXTRACTION_ROOT = tmp_path / "extractions"
    key = tmp_path / "key.pem"
    judicial_key(key)
    monkeypatch.setenv("BOUCLIER_SIGNING_KEY", str(key))
    yield


def judicial_key(path: Path) -> None:
    signing._generate(path)


BASE = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)


def setup_camera(name: str = "jx-parvis") -> Camera:
    camera = make_camera(name)
    Convention.objects.get_or_create(
        commune=Commune.objects.get(insee_code="77284"),
        reference="CSD-J",
        defaults={
            "starts_on": timezone.localdate() - dt.timedelta(days=30),
            "mayor_authority": "Sous l'autorité du maire.",
        },
    )
    return camera


def store_segments(
    camera: Camera, recording: list[RecordedSegment], worker: VideoWorker | None = None
) -> list[Segment]:
    if worker is None:
        worker, _token = services.create_worker(f"w-{uuid.uuid4().hex[:8]}")
    rows = []
    origin = recording[0].start
    for recorded in recording:
        rows.append(
            Segment.objects.create(
                camera=camera,
                worker=worker,
                path=recorded.path,
                start=BASE + dt.timedelta(seconds=recorded.start - origin),
                end=BASE + dt.timedelta(seconds=recorded.end - origin),
                size=recorded.size,
                sha256=recorded.sha256,
                codec=recorded.codec,
                width=recorded.width,
                height=recorded.height,
                keyframe_start=True,
            )
        )
    return rows


def supervisor(make_user: MakeUser) -> User:
    user = make_user(Role.CSD_SUPERVISOR, password=None)
    Approval.objects.create(
        user=user, reference="AG-J", granted_on=timezone.localdate() - dt.timedelta(days=5)
    )
    return user


def fields(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "officer_name": "Capitaine Martin",
        "officer_service": "Commissariat de Meaux",
        "reference": "PV 2026/001234",
        "requisition_date": dt.date(2026, 11, 21),
        "legal_framework": Requisition.Framework.FLAGRANCE,
        "recipient": "Capitaine Martin, commissariat de Meaux",
        "range_start": BASE - dt.timedelta(minutes=5),
        "range_end": BASE + dt.timedelta(minutes=5),
    }
    values.update(changes)
    return values


def packet_hashes(paths: list[Path]) -> list[str]:
    hashes = []
    for path in paths:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            for packet in container.demux(stream):
                if packet.dts is not None:
                    hashes.append(hashlib.sha256(bytes(packet)).hexdigest())
    return hashes


def test_officer_submits_supervisor_validates_hold_reaches_worker(
    make_user: MakeUser, recording: list[RecordedSegment]
) -> None:
    camera = setup_camera()
    worker, _token = services.create_worker("w-judicial")
    services.heartbeat(worker)  # takes the camera: it is then in the worker's lease history
    segments = store_segments(camera, recording, worker)
    officer = make_user(Role.REQUISITIONING_OFFICER, password=None)
    boss = supervisor(make_user)

    with pytest.raises(judicial.JudicialError, match="officier requérant"):
        judicial.submit(boss, **fields())
    requisition = judicial.submit(officer, **fields(requested_places="Parvis de la mairie"))
    assert requisition.status == Requisition.Status.SUBMITTED
    assert not requisition.hold_active
    assert judicial.worker_holds(worker) == []

    with pytest.raises(judicial.JudicialError, match="superviseur"):
        judicial.validate(officer, requisition, [camera])
    with pytest.raises(judicial.JudicialError, match="au moins une caméra"):
        judicial.validate(boss, requisition, [])
    requisition = judicial.validate(boss, requisition, [camera])
    assert requisition.status == Requisition.Status.REGISTERED and requisition.hold_active
    assert all(judicial.segment_held(segment) for segment in segments)
    with pytest.raises(judicial.JudicialError, match="plus à valider"):
        judicial.validate(boss, requisition, [camera])

    # The heartbeat tells the worker, in its retention's holds format.
    client = Client()
    answer = client.post(
        "/supervision/api/workers/heartbeat/",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_token}",
    ).json()
    assert answer["holds"] == [
        {
            "reference": "PV 2026/001234",
            "camera": camera.name,
            "from": requisition.range_start.isoformat(),
            "to": requisition.range_end.isoformat(),
        }
    ]
    hold = AccessRecord.objects.get(action=AccessRecord.Action.HOLD)
    assert hold.camera == camera and hold.range_start == requisition.range_start
    assert sorted(hold.details["segments"]) == sorted(s.pk for s in segments)
    actions = set(
        AuditEntry.objects.filter(action__startswith="supervision.requisition.").values_list(
            "action", flat=True
        )
    )
    assert {"supervision.requisition.submitted", "supervision.requisition.hold_placed"} <= actions

    # Release: supervisor only, with a reason; then the worker is told nothing is held.
    with pytest.raises(judicial.JudicialError, match="motif"):
        judicial.release_hold(boss, requisition, "  ")
    judicial.release_hold(boss, requisition, "Classement sans suite notifié le 25/11")
    assert judicial.worker_holds(worker) == []
    assert not judicial.segment_held(segments[0])
    with pytest.raises(judicial.JudicialError, match="Aucun scellé"):
        judicial.release_hold(boss, requisition, "encore")
    release = AccessRecord.objects.get(action=AccessRecord.Action.RELEASE)
    assert release.reason == "Classement sans suite notifié le 25/11"
    assert AuditEntry.objects.filter(action="supervision.requisition.hold_released").exists()


def test_extraction_copies_packets_signs_and_detects_one_changed_byte(
    make_user: MakeUser, recording: list[RecordedSegment], tmp_path: Path
) -> None:
    camera = setup_camera()
    segments = store_segments(camera, recording)
    boss = supervisor(make_user)
    requisition = judicial.register(boss, [camera], **fields())
    requisition = judicial.extract(boss, requisition)
    assert requisition.status == Requisition.Status.EXTRACTED

    files = judicial.extraction_files(requisition)
    videos = [path for name, path in files.items() if name.endswith(".mp4")]
    assert len(videos) == 1
    # A standard MP4, same codec, every packet copied as it was recorded.
    with av.open(str(videos[0])) as container:
        assert container.format.name.startswith("mov,mp4")
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (768, 432)
        assert container.duration is not None and container.duration / 1e6 == pytest.approx(
            8.0, abs=0.3
        )
    assert packet_hashes(videos) == packet_hashes([Path(s.path) for s in segments])

    result = judicial.read_directory(Path(requisition.extraction_dir))
    assert result.ok, result.errors
    manifest = result.manifest
    assert manifest["reencoded"] is False
    assert manifest["files"][0]["sha256"] == signing.sha256_file(videos[0])
    assert [s["sha256"] for s in manifest["files"][0]["source_segments"]] == [
        s.sha256 for s in segments
    ]

    # One byte of a video changed: detected, the signature still holds.
    changed = tmp_path / "changed"
    changed.mkdir()
    for name, path in files.items():
        (changed / name).write_bytes(path.read_bytes())
    video = changed / videos[0].name
    data = bytearray(video.read_bytes())
    data[len(data) // 2] ^= 0x01
    video.write_bytes(bytes(data))
    result = judicial.read_directory(changed)
    assert result.signature_ok and not result.ok
    assert [ok for _name, ok, _message in result.files] == [False]
    with pytest.raises(CommandError):
        call_command("verify_extraction", str(changed), stdout=io.StringIO())

    # One byte of the manifest changed: the signature fails.
    video.write_bytes(videos[0].read_bytes())
    manifest_path = changed / signing.MANIFEST_NAME
    text = manifest_path.read_bytes().replace(b"Capitaine Martin", b"Capitaine Mertin", 1)
    manifest_path.write_bytes(text)
    result = judicial.read_directory(changed)
    assert not result.signature_ok and not result.ok

    # A forger's key in the package is refused even with a matching signature.
    forger = Ed25519PrivateKey.generate()
    forger_public = forger.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (changed / signing.SIGNATURE_NAME).write_bytes(forger.sign(text))
    (changed / signing.PUBLIC_KEY_NAME).write_bytes(forger_public)
    result = judicial.read_directory(changed)
    assert not result.signature_ok and not result.key_is_platform

    out = io.StringIO()
    call_command("verify_extraction", requisition.extraction_dir, stdout=out)
    assert "authentique et intègre" in out.getvalue()

    extraction = AccessRecord.objects.get(action=AccessRecord.Action.EXTRACTION)
    assert extraction.details["sha256"] == manifest["files"][0]["sha256"]
    assert extraction.details["recipient"] == requisition.recipient
    assert AuditEntry.objects.filter(action="supervision.requisition.extracted").exists()
    with pytest.raises(judicial.JudicialError, match="non extraite"):
        judicial.extract(boss, requisition)


def test_package_verification_page_proces_verbal_and_hand_over(
    make_user: MakeUser, recording: list[RecordedSegment], client: Client
) -> None:
    camera = setup_camera()
    store_segments(camera, recording)
    boss = supervisor(make_user)
    client.force_login(boss)
    answer = client.post(
        "/supervision/requisitions/nouvelle/",
        {
            **{k: v for k, v in fields().items() if not k.startswith("range")},
            "range_start": "2026-11-20T21:55",
            "range_end": "2026-11-20T21:50",
            "cameras": [camera.pk],
        },
    )
    assert answer.status_code == 200
    assert "La fin de la période précède son début." in answer.content.decode()
    answer = client.post(
        "/supervision/requisitions/nouvelle/",
        {
            **{k: v for k, v in fields().items() if not k.startswith("range")},
            "range_start": "2026-11-20T21:55",
            "range_end": "2026-11-20T22:05",
            "cameras": [camera.pk],
        },
    )
    requisition = Requisition.objects.get()
    assert answer.status_code == 302 and requisition.hold_active
    assert client.get(f"/supervision/requisitions/{requisition.pk}/").status_code == 200
    client.post(f"/supervision/requisitions/{requisition.pk}/extraire/")
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.EXTRACTED

    package = client.get(f"/supervision/requisitions/{requisition.pk}/paquet.zip")
    assert package.status_code == 200 and package["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        names = set(archive.namelist())
        pdf = archive.read(judicial.PV_NAME)
    assert {signing.MANIFEST_NAME, signing.SIGNATURE_NAME, signing.PUBLIC_KEY_NAME} <= names
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Procès-verbal d'extraction" in text and "PV 2026/001234" in text
    video_hash = next(
        entry["sha256"] for entry in judicial.read_package(package.content).manifest["files"]
    )
    assert video_hash[:16] in text.replace("\n", "")
    assert requisition.recipient in text

    # The verification page: the package as handed over, then with one byte changed.
    page = client.post(
        "/supervision/requisitions/verifier/",
        {"package": _upload("extraction.zip", package.content)},
    )
    assert "Extraction authentique et intègre" in page.content.decode()
    rebuilt = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package.content)) as source,
        zipfile.ZipFile(rebuilt, "w") as target,
    ):
        video_name = next(name for name in source.namelist() if name.endswith(".mp4"))
        for name in source.namelist():
            content = bytearray(source.read(name))
            if name == video_name:
                content[len(content) // 2] ^= 0xFF
            target.writestr(name, bytes(content))
    page = client.post(
        "/supervision/requisitions/verifier/",
        {"package": _upload("extraction.zip", rebuilt.getvalue())},
    )
    body = page.content.decode()
    assert "Vérification en échec" in body and "empreinte différente" in body

    # The separate pieces: manifest, signature and files.
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        page = client.post(
            "/supervision/requisitions/verifier/",
            {
                "manifest": _upload(signing.MANIFEST_NAME, archive.read(signing.MANIFEST_NAME)),
                "signature": _upload(signing.SIGNATURE_NAME, archive.read(signing.SIGNATURE_NAME)),
                "videos": [_upload(video_name, archive.read(video_name))],
            },
        )
    assert "Extraction authentique et intègre" in page.content.decode()
    page = client.post("/supervision/requisitions/verifier/", {})
    assert "Joignez le paquet zip" in page.content.decode()

    # The hand-over, recorded with whom and on what.
    client.post(
        f"/supervision/requisitions/{requisition.pk}/remise/",
        {"handover-handed_to": "", "handover-medium": "clé USB"},
    )
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.EXTRACTED
    client.post(
        f"/supervision/requisitions/{requisition.pk}/remise/",
        {"handover-handed_to": "Capitaine Martin", "handover-medium": "Clé USB scellée n° 12"},
    )
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.HANDED_OVER
    assert requisition.handed_over_to == "Capitaine Martin"
    pv = client.get(f"/supervision/requisitions/{requisition.pk}/proces-verbal.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pv.content)).pages)
    assert "Clé USB scellée n° 12" in text
    hand_over = AccessRecord.objects.filter(details__step="hand_over").get()
    assert hand_over.details["handed_to"] == "Capitaine Martin"
    assert AuditEntry.objects.filter(action="supervision.requisition.handed_over").exists()


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_refusals_masks_approval_scope_and_missing_footage(
    make_user: MakeUser, recording: list[RecordedSegment], client: Client
) -> None:
    camera = setup_camera()
    store_segments(camera, recording)
    boss = supervisor(make_user)

    # No valid approval: no extraction.
    requisition = judicial.register(boss, [camera], **fields())
    other = make_user(Role.CSD_SUPERVISOR, password=None)
    with pytest.raises(judicial.JudicialError, match="agrément"):
        judicial.extract(other, requisition)
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.REGISTERED
    assert not AccessRecord.objects.filter(action=AccessRecord.Action.EXTRACTION).exists()

    # No footage in the range.
    empty = judicial.register(
        boss,
        [camera],
        **fields(range_start=BASE - dt.timedelta(hours=3), range_end=BASE - dt.timedelta(hours=2)),
    )
    with pytest.raises(judicial.JudicialError, match="Aucun enregistrement"):
        judicial.extract(boss, empty)
    assert not list(Path(judicial.extraction_root()).glob(f"requisition-{empty.pk}-*"))

    # Ranges and the future.
    with pytest.raises(judicial.JudicialError, match="sept jours"):
        judicial.register(boss, [camera], **fields(range_end=BASE + dt.timedelta(days=8)))

    # Officers see only their own requisitions; operators cannot act.
    officer = make_user(Role.REQUISITIONING_OFFICER, password=None)
    colleague = make_user(Role.REQUISITIONING_OFFICER, password=None)
    mine = judicial.submit(officer, **fields(reference="PV-A"))
    judicial.submit(colleague, **fields(reference="PV-B"))
    client.force_login(officer)
    listing = client.get("/supervision/requisitions/").content.decode()
    assert "PV-A" in listing and "PV-B" not in listing
    assert client.get(f"/supervision/requisitions/{mine.pk}/").status_code == 200
    assert client.get(f"/supervision/requisitions/{requisition.pk}/").status_code == 404
    operator = make_user(Role.CSD_OPERATOR, password=None)
    client.force_login(operator)
    assert client.get(f"/supervision/requisitions/{mine.pk}/").status_code == 200
    assert client.post(f"/supervision/requisitions/{mine.pk}/refuser/").status_code == 403
    with pytest.raises(judicial.JudicialError, match="superviseur"):
        judicial.refuse(operator, mine, "non")
    with pytest.raises(judicial.JudicialError, match="motif"):
        judicial.refuse(boss, mine, "")
    judicial.refuse(boss, mine, "Réquisition incomplète")
    mine.refresh_from_db()
    assert mine.status == Requisition.Status.REFUSED


def test_dev_signing_key_generated_once(settings: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("BOUCLIER_SIGNING_KEY")
    settings.VAR_DIR = tmp_path / "var"
    first = signing.public_key_pem()
    assert (tmp_path / "var" / "signing_key.pem").stat().st_mode & 0o777 == 0o600
    assert signing.public_key_pem() == first
    monkeypatch.setenv("BOUCLIER_SIGNING_KEY", str(tmp_path / "absent.pem"))
    with pytest.raises(FileNotFoundError):
        signing.private_key()


def test_masked_camera_reencoded_with_masks_burnt_in_and_said_so(
    make_user: MakeUser, recording: list[RecordedSegment]
) -> None:
    plain = setup_camera()
    masked = setup_camera("jx-masque")
    plain_segments = store_segments(plain, recording)
    store_segments(masked, recording)
    Mask.objects.create(camera=masked, polygon=[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]])
    boss = supervisor(make_user)
    requisition = judicial.extract(boss, judicial.register(boss, [plain, masked], **fields()))

    result = judicial.read_directory(Path(requisition.extraction_dir))
    assert result.ok, result.errors
    by_camera = {entry["camera"]: entry for entry in result.manifest["files"]}
    assert result.manifest["reencoded"] is True
    assert by_camera["jx-masque"]["reencoded"] is True
    assert by_camera["jx-masque"]["reencoding_reason"] == "masques de confidentialité incrustés"
    assert by_camera["jx-parvis"]["reencoded"] is False
    files = judicial.extraction_files(requisition)
    plain_file = files[by_camera["jx-parvis"]["name"]]
    assert packet_hashes([plain_file]) == packet_hashes([Path(s.path) for s in plain_segments])
    with av.open(str(files[by_camera["jx-masque"]["name"]])) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.frames == sum(segment.packets for segment in recording)
        for frame in itertools.islice(container.decode(stream), 0, 80, 20):
            image = frame.to_ndarray(format="bgr24")
            assert image[: 432 // 2 - 4, : 768 // 2 - 4].max() <= 16  # black (YUV rounding)
            assert image[432 // 2 + 4 :, 768 // 2 + 4 :].mean() > 30  # the rest is untouched
