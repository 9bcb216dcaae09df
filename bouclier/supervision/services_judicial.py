"""State changes of judicial requisitions: registration, hold, extraction, hand-over, release.

Life cycle: submitted (by a requisitioning officer) -> registered (validated by a supervisor,
who names the cameras; the footage is then under judicial hold) -> extracted (signed files)
-> handed over. A submitted requisition may be refused. The hold is released by a supervisor
with a reason, at any time after registration. Every function checks who acts and from which
state, writes the audit trail and the access register, and refuses an invalid step with a
French message (``JudicialError``) without changing anything.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from bouclier.accounts.access import has_role
from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.services import record
from bouclier.supervision import signing
from bouclier.supervision.access import valid_approval
from bouclier.supervision.models import (
    AccessRecord,
    Camera,
    LeaseHistory,
    Requisition,
    Segment,
    VideoWorker,
)
from bouclier.supervision.remux import RemuxError, Source, reencode_masked, remux
from bouclier.supervision.services_console import register_access

MAX_RANGE = dt.timedelta(days=7)
PV_NAME = "proces-verbal-extraction.pdf"


class JudicialError(Exception):
    """A refused step; its message is shown to the user as is."""


def extraction_root() -> Path:
    return Path(getattr(settings, "SUPERVISION_EXTRACTION_ROOT", settings.VAR_DIR / "extractions"))


def _check_supervisor(user: User) -> None:
    if not has_role(user, Role.CSD_SUPERVISOR):
        raise JudicialError(
            _("Seul un superviseur du centre enregistre et traite les réquisitions.")
        )


def _check_range(start: dt.datetime, end: dt.datetime) -> None:
    if end <= start:
        raise JudicialError(_("La fin de la période précède son début."))
    if end - start > MAX_RANGE:
        raise JudicialError(_("Une réquisition couvre sept jours au plus : scindez-la."))
    if start > timezone.now():
        raise JudicialError(_("La période demandée commence dans le futur."))


def _audit(
    verb: str,
    requisition: Requisition,
    user: User | None,
    request: HttpRequest | None,
    reason: str = "",
    **data: Any,
) -> None:
    record(
        f"supervision.requisition.{verb}",
        request=request,
        actor=user,
        target=requisition,
        reason=reason,
        data={"reference": requisition.reference, "status": requisition.status, **data},
    )


def held_segments(requisition: Requisition) -> QuerySet[Segment]:
    """The recorded segments the requisition covers (those its hold keeps)."""
    return Segment.objects.filter(
        camera__in=requisition.cameras.all(),
        deleted_at__isnull=True,
        start__lt=requisition.range_end,
        end__gt=requisition.range_start,
    ).order_by("camera__name", "start")


def _register(
    user: User,
    action: str,
    requisition: Requisition,
    reason: str,
    cameras: Iterable[Camera],
    **details: Any,
) -> None:
    """One register line per camera: who, role, when, why, which camera and time range."""
    for camera in cameras:
        register_access(
            user,
            action,
            reason,
            camera=camera,
            range_start=requisition.range_start,
            range_end=requisition.range_end,
            details={"requisition": requisition.pk, "reference": requisition.reference, **details},
        )


def submit(user: User, request: HttpRequest | None = None, **fields: Any) -> Requisition:
    """A requisitioning officer files their requisition; a supervisor validates it."""
    if not has_role(user, Role.REQUISITIONING_OFFICER):
        raise JudicialError(_("Seul un officier requérant dépose une réquisition."))
    _check_range(fields["range_start"], fields["range_end"])
    fields.pop("cameras", None)  # the centre, not the officer, knows which cameras film where
    requisition = Requisition.objects.create(submitted_by=user, **fields)
    _audit("submitted", requisition, user, request)
    return requisition


def register(
    user: User,
    cameras: Iterable[Camera],
    request: HttpRequest | None = None,
    **fields: Any,
) -> Requisition:
    """A supervisor registers a requisition received on paper: footage held at once."""
    _check_supervisor(user)
    _check_range(fields["range_start"], fields["range_end"])
    cameras = list(cameras)
    if not cameras:
        raise JudicialError(_("Choisissez au moins une caméra."))
    with transaction.atomic():
        requisition = Requisition.objects.create(submitted_by=user, **fields)
        _audit("registered", requisition, user, request)
        _validate(user, requisition, cameras, request)
    return requisition


def validate(
    user: User,
    requisition: Requisition,
    cameras: Iterable[Camera],
    request: HttpRequest | None = None,
) -> Requisition:
    """Validate an officer's requisition, naming the cameras: the hold starts now."""
    _check_supervisor(user)
    cameras = list(cameras)
    if not cameras:
        raise JudicialError(_("Choisissez au moins une caméra."))
    with transaction.atomic():
        requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
        if requisition.status != Requisition.Status.SUBMITTED:
            raise JudicialError(_("Cette réquisition n'est plus à valider."))
        _validate(user, requisition, cameras, request)
    return requisition


def _validate(
    user: User, requisition: Requisition, cameras: list[Camera], request: HttpRequest | None
) -> None:
    now = timezone.now()
    requisition.cameras.set(cameras)
    requisition.status = Requisition.Status.REGISTERED
    requisition.registered_by = user
    requisition.registered_at = now
    requisition.hold_placed_at = now
    requisition.save()
    segments = list(held_segments(requisition).values_list("pk", flat=True))
    reason = _("Réquisition judiciaire %(ref)s : images sous scellé") % {
        "ref": requisition.reference
    }
    _register(user, AccessRecord.Action.HOLD, requisition, reason, cameras, segments=segments)
    _audit(
        "hold_placed",
        requisition,
        user,
        request,
        cameras=[camera.name for camera in cameras],
        segments=segments,
        range=[requisition.range_start.isoformat(), requisition.range_end.isoformat()],
    )


def refuse(
    user: User, requisition: Requisition, reason: str, request: HttpRequest | None = None
) -> Requisition:
    _check_supervisor(user)
    if not reason.strip():
        raise JudicialError(_("Indiquez le motif du refus."))
    with transaction.atomic():
        requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
        if requisition.status != Requisition.Status.SUBMITTED:
            raise JudicialError(_("Cette réquisition n'est plus à valider."))
        requisition.status = Requisition.Status.REFUSED
        requisition.refusal_reason = reason.strip()
        requisition.save(update_fields=["status", "refusal_reason"])
        _audit("refused", requisition, user, request, reason=reason.strip())
    return requisition


def release_hold(
    user: User, requisition: Requisition, reason: str, request: HttpRequest | None = None
) -> Requisition:
    """End the hold: the footage then follows its camera's retention again."""
    _check_supervisor(user)
    if not reason.strip():
        raise JudicialError(_("Indiquez le motif de la levée du scellé."))
    with transaction.atomic():
        requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
        if not requisition.hold_active:
            raise JudicialError(_("Aucun scellé en cours sur cette réquisition."))
        requisition.hold_released_at = timezone.now()
        requisition.hold_released_by = user
        requisition.hold_release_reason = reason.strip()
        requisition.save(
            update_fields=["hold_released_at", "hold_released_by", "hold_release_reason"]
        )
        segments = list(held_segments(requisition).values_list("pk", flat=True))
        _register(
            user,
            AccessRecord.Action.RELEASE,
            requisition,
            reason.strip(),
            requisition.cameras.all(),
            segments=segments,
        )
        _audit("hold_released", requisition, user, request, reason=reason.strip())
    return requisition


def worker_holds(worker: VideoWorker) -> list[dict[str, str]]:
    """Holds on the cameras a worker holds or has held, in its retention's format."""
    held_cameras = LeaseHistory.objects.filter(worker=worker).values("camera_id")
    holds = []
    requisitions = Requisition.objects.filter(
        hold_placed_at__isnull=False,
        hold_released_at__isnull=True,
        cameras__in=held_cameras,
    ).distinct()
    for requisition in requisitions.prefetch_related("cameras"):
        for camera in requisition.cameras.all():
            holds.append(
                {
                    "reference": requisition.reference,
                    "camera": camera.name,
                    "from": requisition.range_start.isoformat(),
                    "to": requisition.range_end.isoformat(),
                }
            )
    return sorted(holds, key=lambda hold: (hold["camera"], hold["from"], hold["reference"]))


def segment_held(segment: Segment) -> bool:
    """Whether an active hold covers this segment (it must then never be purged)."""
    return Requisition.objects.filter(
        hold_placed_at__isnull=False,
        hold_released_at__isnull=True,
        cameras=segment.camera_id,
        range_start__lt=segment.end,
        range_end__gt=segment.start,
    ).exists()


# -- extraction -----------------------------------------------------------------------------


def _file_name(camera: Camera, start: dt.datetime) -> str:
    return f"{camera.name}_{timezone.localtime(start):%Y%m%d-%H%M%S}.mp4"


def extract(
    user: User, requisition: Requisition, request: HttpRequest | None = None
) -> Requisition:
    """Copy the footage into one MP4 per camera, write and sign the manifest."""
    _check_supervisor(user)
    if valid_approval(user) is None:
        raise JudicialError(
            _(
                "Vous n'avez pas d'agrément préfectoral en cours de validité : l'extraction "
                "des images vous est refusée (CSI L132-14-1)."
            )
        )
    with transaction.atomic():
        requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
        if requisition.status != Requisition.Status.REGISTERED:
            raise JudicialError(_("Seule une réquisition enregistrée et non extraite s'extrait."))
        cameras = list(requisition.cameras.prefetch_related("masks").order_by("name"))
        now = timezone.now()
        directory = extraction_root() / f"requisition-{requisition.pk}-{now:%Y%m%dT%H%M%S}"
        directory.mkdir(parents=True, exist_ok=False)
        try:
            entries = _export(requisition, cameras, directory)
        except JudicialError:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        reencoded = any(entry["reencoded"] for entry in entries)
        manifest = {
            "format": signing.MANIFEST_FORMAT,
            "platform": settings.BASE_URL,
            "requisition": {
                "reference": requisition.reference,
                "date": requisition.requisition_date.isoformat(),
                "officer": requisition.officer_name,
                "service": requisition.officer_service,
                "legal_framework": requisition.get_legal_framework_display(),
                "legal_framework_detail": requisition.legal_framework_detail,
                "recipient": requisition.recipient,
                "range_start": requisition.range_start.isoformat(),
                "range_end": requisition.range_end.isoformat(),
            },
            "extracted_at": now.isoformat(),
            "extracted_by": user.email,
            "reencoded": reencoded,
            "method": _(
                "Copie des paquets vidéo enregistrés, sans réencodage (fichiers MP4 standard), "
                "sauf pour les caméras ayant des masques de confidentialité : leurs images sont "
                "décodées, les masques incrustés en noir, puis réencodées en H.264 (voir "
                "« reencoded » par fichier)."
            )
            if reencoded
            else _("Copie des paquets vidéo enregistrés, sans réencodage (fichiers MP4 standard)."),
            "files": entries,
        }
        data = signing.manifest_bytes(manifest)
        (directory / signing.MANIFEST_NAME).write_bytes(data)
        (directory / signing.SIGNATURE_NAME).write_bytes(signing.sign(data))
        (directory / signing.PUBLIC_KEY_NAME).write_bytes(signing.public_key_pem())
        requisition.status = Requisition.Status.EXTRACTED
        requisition.extracted_at = now
        requisition.extracted_by = user
        requisition.extraction_dir = str(directory)
        requisition.manifest_sha256 = signing.sha256_file(directory / signing.MANIFEST_NAME)
        requisition.save()
        by_camera = {entry["camera"]: entry for entry in entries}
        reason = _("Extraction sur réquisition judiciaire %(ref)s") % {"ref": requisition.reference}
        for camera in cameras:
            entry = by_camera.get(camera.name)
            register_access(
                user,
                AccessRecord.Action.EXTRACTION,
                reason,
                camera=camera,
                range_start=requisition.range_start,
                range_end=requisition.range_end,
                details={
                    "requisition": requisition.pk,
                    "reference": requisition.reference,
                    "file": entry["name"] if entry else None,
                    "sha256": entry["sha256"] if entry else None,
                    "recipient": requisition.recipient,
                },
            )
        _audit(
            "extracted",
            requisition,
            user,
            request,
            manifest_sha256=requisition.manifest_sha256,
            files={entry["name"]: entry["sha256"] for entry in entries},
        )
    return requisition


def _export(
    requisition: Requisition, cameras: list[Camera], directory: Path
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for camera in cameras:
        segments = list(held_segments(requisition).filter(camera=camera))
        if not segments:
            continue
        for segment in segments:
            path = Path(segment.path)
            if not path.is_file():
                raise JudicialError(
                    _("Le segment %(name)s est introuvable sur le stockage : extraction annulée.")
                    % {"name": path.name}
                )
            # The source must still be what the worker recorded and reported.
            if signing.sha256_file(path) != segment.sha256:
                raise JudicialError(
                    _(
                        "Le segment %(name)s ne correspond plus à l'empreinte enregistrée : "
                        "extraction annulée."
                    )
                    % {"name": path.name}
                )
        name = _file_name(camera, segments[0].start)
        target = directory / name
        sources = [Source(Path(s.path), s.start) for s in segments]
        # The recording is the camera's raw stream (masks are applied to what is shown):
        # a view into a home leaves the centre only blacked out, hence re-encoded.
        masks = tuple(
            tuple((float(x), float(y)) for x, y in mask.polygon) for mask in camera.masks.all()
        )
        try:
            result = reencode_masked(sources, target, masks) if masks else remux(sources, target)
        except (RemuxError, OSError) as exc:
            raise JudicialError(
                _("Lecture des segments de %(camera)s impossible : %(error)s")
                % {"camera": camera.name, "error": exc}
            ) from exc
        entries.append(
            {
                "name": name,
                "camera": camera.name,
                "camera_label": str(camera),
                "site": camera.site.name,
                "start": segments[0].start.isoformat(),
                "end": segments[-1].end.isoformat(),
                "codec": result.codec,
                "width": result.width,
                "height": result.height,
                "packets": result.packets,
                "reencoded": bool(masks),
                "reencoding_reason": _("masques de confidentialité incrustés") if masks else "",
                "size": target.stat().st_size,
                "sha256": signing.sha256_file(target),
                "source_segments": [
                    {
                        "file": Path(s.path).name,
                        "start": s.start.isoformat(),
                        "end": s.end.isoformat(),
                        "sha256": s.sha256,
                    }
                    for s in segments
                ],
            }
        )
    if not entries:
        raise JudicialError(
            _("Aucun enregistrement ne couvre cette période sur les caméras de la réquisition.")
        )
    return entries


def extraction_files(requisition: Requisition) -> dict[str, Path]:
    """The extraction's files on disk, by name (what the package holds)."""
    if not requisition.extraction_dir:
        return {}
    directory = Path(requisition.extraction_dir)
    return {path.name: path for path in sorted(directory.iterdir()) if path.is_file()}


def proces_verbal_pdf(requisition: Requisition) -> bytes:
    """The « procès-verbal d'extraction »: who, what, when, hashes, recipient, hand-over."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # no type hints shipped

    files = extraction_files(requisition)
    manifest: dict[str, Any] = {}
    if signing.MANIFEST_NAME in files:
        manifest = json.loads(files[signing.MANIFEST_NAME].read_bytes())
    public_pem = files[signing.PUBLIC_KEY_NAME].read_bytes() if files else b""
    html = render_to_string(
        "supervision/judicial/proces_verbal.html",
        {
            "requisition": requisition,
            "manifest": manifest,
            "key_fingerprint": signing.fingerprint(public_pem) if public_pem else "",
            "generated_at": timezone.localtime(),
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def package(requisition: Requisition, user: User, request: HttpRequest | None = None) -> bytes:
    """The zip handed over: files, manifest, signature, public key and the procès-verbal."""
    _check_supervisor(user)
    if requisition.status not in (Requisition.Status.EXTRACTED, Requisition.Status.HANDED_OVER):
        raise JudicialError(_("Cette réquisition n'a pas encore été extraite."))
    buffer = io.BytesIO()
    # Stored, not deflated: video does not compress, and the files stay byte-identical.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, path in extraction_files(requisition).items():
            archive.write(path, name)
        archive.writestr(PV_NAME, proces_verbal_pdf(requisition))
    _audit("package_downloaded", requisition, user, request)
    return buffer.getvalue()


def hand_over(
    user: User,
    requisition: Requisition,
    handed_to: str,
    medium: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Requisition:
    """Record the hand-over, against signature: to whom, on which medium."""
    _check_supervisor(user)
    if not handed_to.strip():
        raise JudicialError(_("Indiquez à qui les images sont remises."))
    if not medium.strip():
        raise JudicialError(_("Indiquez le support de la remise."))
    with transaction.atomic():
        requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
        if requisition.status != Requisition.Status.EXTRACTED:
            raise JudicialError(_("Seule une extraction non encore remise peut être remise."))
        requisition.status = Requisition.Status.HANDED_OVER
        requisition.handed_over_at = timezone.now()
        requisition.handed_over_by = user
        requisition.handed_over_to = handed_to.strip()
        requisition.medium = medium.strip()
        requisition.hand_over_note = note.strip()
        requisition.save()
        _register(
            user,
            AccessRecord.Action.EXTRACTION,
            requisition,
            _("Remise des images de la réquisition %(ref)s à %(to)s")
            % {"ref": requisition.reference, "to": requisition.handed_over_to},
            requisition.cameras.all(),
            step="hand_over",
            handed_to=requisition.handed_over_to,
            medium=requisition.medium,
            manifest_sha256=requisition.manifest_sha256,
        )
        _audit(
            "handed_over",
            requisition,
            user,
            request,
            handed_to=requisition.handed_over_to,
            medium=requisition.medium,
        )
    return requisition


def read_package(data: bytes) -> signing.Verification:
    """Verify a package (zip) as downloaded: signature, key, every file's hash."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        result = signing.Verification()
        result.errors.append(_("Ce fichier n'est pas une archive zip."))
        return result
    with archive:
        names = set(archive.namelist())
        missing = {signing.MANIFEST_NAME, signing.SIGNATURE_NAME} - names
        if missing:
            result = signing.Verification()
            result.errors.append(
                _("Il manque à l'archive : %(names)s.") % {"names": ", ".join(sorted(missing))}
            )
            return result
        files: dict[str, bytes | Path] = {
            name: archive.read(name)
            for name in names
            if name not in (signing.MANIFEST_NAME, signing.SIGNATURE_NAME)
        }
        key = archive.read(signing.PUBLIC_KEY_NAME) if signing.PUBLIC_KEY_NAME in names else None
        return signing.verify(
            archive.read(signing.MANIFEST_NAME),
            archive.read(signing.SIGNATURE_NAME),
            files,
            package_public_key=key,
        )


def read_directory(directory: Path) -> signing.Verification:
    files: dict[str, bytes | Path] = {
        path.name: path for path in directory.iterdir() if path.is_file()
    }
    key = directory / signing.PUBLIC_KEY_NAME
    return signing.verify(
        (directory / signing.MANIFEST_NAME).read_bytes(),
        (directory / signing.SIGNATURE_NAME).read_bytes(),
        files,
        package_public_key=key.read_bytes() if key.exists() else None,
    )
