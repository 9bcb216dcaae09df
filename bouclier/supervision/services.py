"""State changes of the supervision context: worker tokens, camera leases, ingestion.

Leases. A worker's heartbeat renews the leases of the cameras it holds and claims cameras
that nobody holds or whose lease has expired (their worker stopped beating), up to its fair
share of the cameras among live workers. Claims lock the camera rows with ``SELECT ... FOR
UPDATE SKIP LOCKED``: two workers beating at the same moment never get the same camera, and
neither waits for the other. A dead worker's cameras therefore move within one lease
duration plus one heartbeat interval.

Ingestion. Every post carries an event id chosen by the worker; the first post with an id is
stored, any repeat is answered as already received and changes nothing, so a worker resends
whatever it is unsure about (after a timeout, a restart or a takeover).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bouclier.audit.services import record
from bouclier.supervision.models import (
    Alarm,
    Camera,
    LeaseHistory,
    LiveImage,
    ReceivedEvent,
    Segment,
    TechnicalEvent,
    VideoWorker,
)

T = TypeVar("T")

DEFAULT_LEASE_SECONDS = 30.0


def lease_seconds() -> float:
    """How long a lease lasts without a heartbeat (``SUPERVISION_LEASE_SECONDS``)."""
    return float(getattr(settings, "SUPERVISION_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def heartbeat_seconds() -> float:
    # Three heartbeats per lease: one lost request does not lose the cameras.
    return lease_seconds() / 3


def hash_token(token: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough (no dictionary to resist).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_worker(name: str) -> tuple[VideoWorker, str]:
    """Create a worker and return it with its token, shown once and never stored."""
    if VideoWorker.objects.filter(name=name).exists():
        raise ValidationError(_("Un worker porte déjà le nom « %(name)s ».") % {"name": name})
    token = secrets.token_urlsafe(32)
    worker = VideoWorker(name=name, token_hash=hash_token(token))
    worker.full_clean()
    worker.save()
    record("supervision.worker.created", target=worker, data={"name": name})
    return worker, token


def rotate_token(worker: VideoWorker) -> str:
    token = secrets.token_urlsafe(32)
    worker.token_hash = hash_token(token)
    worker.save(update_fields=["token_hash"])
    record("supervision.worker.token_rotated", target=worker)
    return token


def authenticate_token(token: str) -> VideoWorker | None:
    return VideoWorker.objects.filter(token_hash=hash_token(token), enabled=True).first()


# -- leases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    cameras: list[Camera]
    taken: list[str]
    released: list[str]


def heartbeat(
    worker: VideoWorker,
    *,
    now: dt.datetime | None = None,
    address: str | None = None,
    version: str = "",
    stopping: bool = False,
) -> Assignment:
    """Renew the worker's leases, claim its share of free cameras, return what it holds.

    A stopping worker releases its cameras at once, so that another takes them at its next
    heartbeat instead of after the lease expires.
    """
    now = now or timezone.now()
    lease = dt.timedelta(seconds=lease_seconds())
    with transaction.atomic():
        worker = VideoWorker.objects.select_for_update().get(pk=worker.pk)
        # A stopping worker no longer counts as live when the others compute their share.
        worker.last_seen_at = None if stopping else now
        worker.last_address = address
        worker.version = version[:100]
        worker.save(update_fields=["last_seen_at", "last_address", "version"])
        if stopping or not worker.enabled:
            released = list(Camera.objects.filter(worker=worker).values_list("name", flat=True))
            Camera.objects.filter(worker=worker).update(worker=None, lease_expires_at=None)
            for name in released:
                record(
                    "supervision.camera.lease_released",
                    data={"camera": name, "worker": worker.name},
                )
            return Assignment([], [], released)
        # Cameras disabled in the back office are dropped from their worker.
        dropped = list(
            Camera.objects.filter(worker=worker, enabled=False).values_list("name", flat=True)
        )
        Camera.objects.filter(worker=worker, enabled=False).update(
            worker=None, lease_expires_at=None
        )
        # Renew only leases still ours and still valid: an expired one may be taken already.
        Camera.objects.filter(worker=worker, lease_expires_at__gte=now).update(
            lease_expires_at=now + lease
        )
        held = Camera.objects.filter(worker=worker, lease_expires_at__gte=now).count()
        live = VideoWorker.objects.filter(enabled=True, last_seen_at__gte=now - lease).count()
        enabled = Camera.objects.filter(enabled=True).count()
        share = math.ceil(enabled / max(live, 1))
        taken: list[str] = []
        wanted = share - held
        if wanted < 0:
            # More than its share while other workers are live (one joined): hand the
            # excess back, the others take it at their next heartbeat.
            excess = list(
                Camera.objects.filter(worker=worker, lease_expires_at__gte=now)
                .order_by("-pk")
                .values_list("pk", "name")[:-wanted]
            )
            Camera.objects.filter(pk__in=[pk for pk, _name in excess]).update(
                worker=None, lease_expires_at=None
            )
            for _pk, name in excess:
                dropped.append(name)
                record(
                    "supervision.camera.lease_released",
                    reason="rééquilibrage entre workers",
                    data={"camera": name, "worker": worker.name},
                )
        if wanted > 0:
            free = (
                Camera.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(enabled=True)
                .filter(
                    Q(worker__isnull=True) | Q(lease_expires_at__lt=now) | Q(lease_expires_at=None)
                )
                .exclude(worker=worker, lease_expires_at__gte=now)
                .select_related("worker")
                .order_by("pk")[:wanted]
            )
            for camera in free:
                previous = camera.worker.name if camera.worker is not None else None
                camera.worker = worker
                camera.lease_expires_at = now + lease
                camera.save(update_fields=["worker", "lease_expires_at"])
                taken.append(camera.name)
                history, created = LeaseHistory.objects.get_or_create(
                    camera=camera,
                    worker=worker,
                    defaults={"first_taken_at": now, "last_taken_at": now},
                )
                if not created:
                    history.last_taken_at = now
                    history.save(update_fields=["last_taken_at"])
                record(
                    "supervision.camera.lease_taken",
                    target=camera,
                    data={"worker": worker.name, "previous_worker": previous},
                )
        cameras = list(
            Camera.objects.filter(worker=worker, lease_expires_at__gte=now)
            .select_related("site")
            .order_by("name")
        )
    return Assignment(cameras, taken, dropped)


# -- ingestion ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ingested:
    created: bool
    object_id: int | str | None


def camera_for(worker: VideoWorker, name: str | None) -> Camera | None:
    """The camera a worker reports on; unknown names are refused with a French message."""
    if name is None or name == "":
        return None
    # Only cameras this worker holds or has held: others are "unknown" to it.
    held = LeaseHistory.objects.filter(worker=worker).values("camera_id")
    camera = Camera.objects.filter(name=name, pk__in=held).first()
    if camera is None:
        raise ValidationError({"camera": _("Caméra « %(name)s » inconnue.") % {"name": name}})
    return camera


def _once(
    worker: VideoWorker, event_id: uuid.UUID, kind: str, store: Callable[[], T]
) -> tuple[bool, T | None]:
    """Run ``store`` only the first time ``event_id`` is seen, in the same transaction."""
    try:
        with transaction.atomic():
            _, created = ReceivedEvent.objects.get_or_create(
                event_id=event_id, defaults={"worker": worker, "kind": kind}
            )
            if not created:
                return False, None
            return True, store()
    except IntegrityError:
        # The same id posted twice at the same instant: the other request stored it.
        if ReceivedEvent.objects.filter(event_id=event_id).exists():
            return False, None
        raise


def ingest_segment(worker: VideoWorker, event_id: uuid.UUID, data: dict[str, Any]) -> Ingested:
    camera = camera_for(worker, data["camera"])
    assert camera is not None

    def store() -> Segment:
        return Segment.objects.create(
            event_id=event_id,
            camera=camera,
            worker=worker,
            path=data["path"],
            start=data["start"],
            end=data["end"],
            size=data["size"],
            sha256=data["sha256"],
            codec=data["codec"],
            width=data["width"],
            height=data["height"],
            keyframe_start=data["keyframe_start"],
            bit_rate=data.get("bit_rate") or 0,
        )

    created, segment = _once(worker, event_id, "segment", store)
    return Ingested(created, segment.pk if segment is not None else None)


def ingest_alarm(
    worker: VideoWorker,
    event_id: uuid.UUID,
    data: dict[str, Any],
    snapshot: tuple[str, bytes] | None,
) -> Ingested:
    camera = camera_for(worker, data["camera"])
    assert camera is not None

    def store() -> Alarm:
        alarm = Alarm(
            event_id=event_id,
            camera=camera,
            worker=worker,
            rule=data["rule"],
            raised_at=data["raised_at"],
            labels=data.get("labels") or [],
            detections=data.get("detections") or [],
            clip_start=data.get("clip_start"),
            clip_end=data.get("clip_end"),
            segments=data.get("segments") or [],
        )
        if snapshot is not None:
            alarm.snapshot.save(
                f"{camera.name}-{event_id}.jpg", ContentFile(snapshot[1]), save=False
            )
        alarm.save()
        # Grouped with its site's recent alarms into the incident operators handle.
        from bouclier.supervision.services_console import attach

        attach(alarm)
        return alarm

    created, alarm = _once(worker, event_id, "alarm", store)
    return Ingested(created, alarm.pk if alarm is not None else None)


def ingest_event(worker: VideoWorker, event_id: uuid.UUID, data: dict[str, Any]) -> Ingested:
    """A technical or health event; an ``alarm_clip`` completes its alarm's segment list."""
    camera = camera_for(worker, data.get("camera"))
    details = dict(data.get("details") or {})

    def store() -> TechnicalEvent:
        event = TechnicalEvent.objects.create(
            event_id=event_id,
            camera=camera,
            worker=worker,
            kind=data["type"],
            condition=str(details.get("condition") or "")[:40],
            occurred_at=data["time"],
            data=details,
        )
        if data["type"] == "alarm_clip" and details.get("alarm"):
            Alarm.objects.filter(event_id=details["alarm"]).update(
                segments=details.get("segments") or []
            )
        return event

    created, event = _once(worker, event_id, data["type"], store)
    return Ingested(created, event.pk if event is not None else None)


def ingest_purge(worker: VideoWorker, event_id: uuid.UUID, data: dict[str, Any]) -> Ingested:
    """A purge report: each deletion is written to the audit trail (kept 3 years)."""
    camera = camera_for(worker, data["camera"])
    assert camera is not None
    details = dict(data.get("details") or {})

    def store() -> TechnicalEvent:
        event = TechnicalEvent.objects.create(
            event_id=event_id,
            camera=camera,
            worker=worker,
            kind=data["type"],
            occurred_at=data["time"],
            data=details,
        )
        if data["type"] in ("segment_deleted", "snapshot_deleted"):
            segment = None
            if data["type"] == "segment_deleted":
                segment = Segment.objects.filter(camera=camera, path=details.get("path")).first()
                if segment is not None:
                    segment.deleted_at = data["time"]
                    segment.save(update_fields=["deleted_at"])
            what = "segment" if data["type"] == "segment_deleted" else "snapshot"
            # The access register lists every deletion too, automatic purges included.
            from bouclier.supervision.services_console import register_access

            register_access(
                None,
                "deletion",
                str(details.get("reason") or _("purge automatique")),
                camera=camera,
                who=f"worker {worker.name}",
                role="worker",
                range_start=segment.start if segment is not None else None,
                range_end=segment.end if segment is not None else None,
                details={"type": data["type"], "path": str(details.get("path") or "")},
            )
            record(
                f"supervision.{what}.deleted",
                target=segment or camera,
                reason=str(details.get("reason") or ""),
                data={
                    "worker": worker.name,
                    "camera": camera.name,
                    "event_id": str(event_id),
                    **details,
                },
            )
        return event

    created, event = _once(worker, event_id, data["type"], store)
    return Ingested(created, event.pk if event is not None else None)


def ingest_live_image(
    worker: VideoWorker, camera_name: str, taken_at: dt.datetime, image: bytes
) -> Ingested:
    """Keep the latest image only; idempotent by its time (no ledger entry every 5 s)."""
    camera = camera_for(worker, camera_name)
    assert camera is not None
    with transaction.atomic():
        current = LiveImage.objects.select_for_update().filter(camera=camera).first()
        # A repeated or late post (from the spool) never replaces a newer image.
        if current is not None and current.taken_at >= taken_at:
            return Ingested(False, camera.name)
        LiveImage.objects.update_or_create(
            camera=camera, defaults={"worker": worker, "image": image, "taken_at": taken_at}
        )
    return Ingested(True, camera.name)
