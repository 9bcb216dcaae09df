"""Ingestion REST API of the camera workers, authenticated by worker token (OpenAPI).

Every post that creates something carries ``event_id``, a UUID chosen by the worker: the
first post is stored and answered 201, a repeat is answered 200 with ``created: false`` and
changes nothing. The heartbeat answers the cameras the worker holds with their full
configuration, in the worker's configuration format.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, exceptions, permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bouclier.audit.services import client_address
from bouclier.supervision import services
from bouclier.supervision.models import VideoWorker
from bouclier.supervision.services_judicial import worker_holds
from bouclier.supervision.workerconfig import worker_config
from videoworker.config import ConfigError

MAX_IMAGE_BYTES = 5 * 1024 * 1024


class WorkerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``, the token given once when the worker was created."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, VideoWorker] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization mal formé."))
        worker = services.authenticate_token(header[1])
        if worker is None:
            raise exceptions.AuthenticationFailed(_("Jeton de worker inconnu ou désactivé."))
        # The worker is the credential, not a user: it holds no role, sees no page.
        return AnonymousUser(), worker

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class WorkerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "bouclier.supervision.api.WorkerTokenAuthentication"
    name = "workerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}


class IsWorker(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, VideoWorker)


class HeartbeatIn(serializers.Serializer[Any]):
    version = serializers.CharField(required=False, allow_blank=True, max_length=100)
    stopping = serializers.BooleanField(required=False, default=False)


class HeartbeatOut(serializers.Serializer[Any]):
    worker = serializers.CharField()
    lease_seconds = serializers.FloatField()
    heartbeat_seconds = serializers.FloatField()
    cameras = serializers.ListField(
        child=serializers.JSONField(), help_text="Caméras au format de configuration du worker."
    )
    schedules = serializers.JSONField(help_text="Calendriers d'armement utilisés, par nom.")
    taken = serializers.ListField(child=serializers.CharField())
    released = serializers.ListField(child=serializers.CharField())
    holds = serializers.ListField(
        child=serializers.JSONField(),
        help_text="Gels judiciaires (reference, camera, from, to) : jamais purgés.",
    )


class Received(serializers.Serializer[Any]):
    event_id = serializers.UUIDField()
    created = serializers.BooleanField(help_text="false : déjà reçu, rien n'a été créé.")


class EventIn(serializers.Serializer[Any]):
    event_id = serializers.UUIDField(help_text="Identifiant choisi par le worker (UUID).")
    camera = serializers.CharField(max_length=63)


class SegmentIn(EventIn):
    path = serializers.CharField(max_length=500)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    size = serializers.IntegerField(min_value=0)
    sha256 = serializers.RegexField(r"^[0-9a-f]{64}$")
    codec = serializers.CharField(max_length=30)
    width = serializers.IntegerField(min_value=1)
    height = serializers.IntegerField(min_value=1)
    keyframe_start = serializers.BooleanField()
    bit_rate = serializers.IntegerField(min_value=0, required=False, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("La fin précède le début.")})
        return attrs


class AlarmIn(EventIn):
    rule = serializers.CharField(max_length=63)
    raised_at = serializers.DateTimeField()
    labels = serializers.JSONField(required=False, help_text="Classes d'objets détectées.")
    detections = serializers.JSONField(required=False, help_text="label, score, box (fractions).")
    clip_start = serializers.DateTimeField(required=False)
    clip_end = serializers.DateTimeField(required=False)
    segments = serializers.JSONField(required=False)
    snapshot = serializers.FileField(required=False, help_text="Instantané JPEG (cadres dessinés).")

    def validate_snapshot(self, value: Any) -> Any:
        if value is not None:
            if value.size > MAX_IMAGE_BYTES:
                raise serializers.ValidationError(_("Image trop grande (5 Mo au plus)."))
            head = value.read(3)
            value.seek(0)
            if head != b"\xff\xd8\xff":
                raise serializers.ValidationError(_("Une image JPEG est attendue."))
        return value


class TechnicalIn(serializers.Serializer[Any]):
    event_id = serializers.UUIDField()
    camera = serializers.CharField(max_length=63, required=False, allow_null=True, allow_blank=True)
    type = serializers.RegexField(r"^[a-z][a-z_]{0,39}$")
    time = serializers.DateTimeField()
    details = serializers.JSONField(required=False, help_text="Détails de l'événement.")


class PurgeIn(EventIn):
    type = serializers.ChoiceField(choices=["segment_deleted", "snapshot_deleted", "purge"])
    time = serializers.DateTimeField()
    details = serializers.JSONField(required=False, help_text="path, sha256, start, end, reason...")


class LiveIn(serializers.Serializer[Any]):
    camera = serializers.CharField(max_length=63)
    taken_at = serializers.DateTimeField()
    image = serializers.FileField(help_text="Image JPEG, masques déjà noircis.")

    def validate_image(self, value: Any) -> Any:
        return AlarmIn.validate_snapshot(self, value)  # type: ignore[arg-type]


class WorkerView(APIView):
    authentication_classes = [WorkerTokenAuthentication]
    permission_classes = [IsWorker]

    @property
    def worker(self) -> VideoWorker:
        assert isinstance(self.request.auth, VideoWorker)
        return self.request.auth

    def answer(self, event_id: Any, ingested: services.Ingested) -> Response:
        code = status.HTTP_201_CREATED if ingested.created else status.HTTP_200_OK
        return Response({"event_id": str(event_id), "created": ingested.created}, status=code)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            exc = serializers.ValidationError(detail)
        return super().handle_exception(exc)


class HeartbeatView(WorkerView):
    @extend_schema(
        request=HeartbeatIn,
        responses=HeartbeatOut,
        summary="Signe de vie : renouvelle les baux et renvoie les caméras du worker",
    )
    def post(self, request: Request) -> Response:
        data = HeartbeatIn(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.heartbeat(
            self.worker,
            address=client_address(request._request),
            version=data.validated_data.get("version", ""),
            stopping=data.validated_data["stopping"],
        )
        try:
            config = worker_config(assignment.cameras)
        except ConfigError as exc:  # pragma: no cover - the back office validated each part
            raise serializers.ValidationError(str(exc)) from exc
        return Response(
            {
                "worker": self.worker.name,
                "lease_seconds": services.lease_seconds(),
                "heartbeat_seconds": services.heartbeat_seconds(),
                "cameras": config["cameras"],
                "schedules": config["schedules"],
                "taken": assignment.taken,
                "released": assignment.released,
                "holds": worker_holds(self.worker),
            }
        )


class SegmentView(WorkerView):
    @extend_schema(
        request=SegmentIn, responses={201: Received, 200: Received}, summary="Segment enregistré"
    )
    def post(self, request: Request) -> Response:
        data = SegmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return self.answer(
            values["event_id"], services.ingest_segment(self.worker, values["event_id"], values)
        )


class AlarmView(WorkerView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": AlarmIn},
        responses={201: Received, 200: Received},
        summary="Alarme avec instantané JPEG",
    )
    def post(self, request: Request) -> Response:
        data = AlarmIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        upload = values.get("snapshot")
        snapshot = (upload.name, upload.read()) if upload is not None else None
        return self.answer(
            values["event_id"],
            services.ingest_alarm(self.worker, values["event_id"], values, snapshot),
        )


class TechnicalView(WorkerView):
    @extend_schema(
        request=TechnicalIn,
        responses={201: Received, 200: Received},
        summary="Événement technique (caméra hors ligne, lacune, image figée...)",
    )
    def post(self, request: Request) -> Response:
        data = TechnicalIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return self.answer(
            values["event_id"], services.ingest_event(self.worker, values["event_id"], values)
        )


class PurgeView(WorkerView):
    @extend_schema(
        request=PurgeIn,
        responses={201: Received, 200: Received},
        summary="Compte rendu de purge (chaque suppression est journalisée)",
    )
    def post(self, request: Request) -> Response:
        data = PurgeIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return self.answer(
            values["event_id"], services.ingest_purge(self.worker, values["event_id"], values)
        )


class LiveView(WorkerView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": LiveIn},
        responses={201: Received, 200: Received},
        summary="Dernière image en direct d'une caméra",
    )
    def post(self, request: Request) -> Response:
        data = LiveIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ingested = services.ingest_live_image(
            self.worker, values["camera"], values["taken_at"], values["image"].read()
        )
        code = status.HTTP_201_CREATED if ingested.created else status.HTTP_200_OK
        return Response({"camera": values["camera"], "created": ingested.created}, status=code)
