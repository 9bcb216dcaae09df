"""Sites, cameras and their analysis settings; camera workers, leases and what they report.

A camera is held by at most one worker at a time: its ``worker`` and ``lease_expires_at``
columns are the lease, renewed by the worker's heartbeats and taken over by another live
worker once it has expired (``services.heartbeat``). What workers post (segments, alarms,
technical events, purges, live images) is stored once per client-supplied event id
(``ReceivedEvent``), so a worker may resend anything it is not sure was received.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bouclier.territory.models import College, Commune, DepartmentalSite
from videoworker.config import DETECTABLE_CLASSES, MAX_RETENTION_DAYS

slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,62}$",
    _("Minuscules, chiffres, - et _ seulement, 63 caractères au plus."),
)


class Site(models.Model):
    """A place watched by cameras: a collège, a departmental site or a commune's own site."""

    class Kind(models.TextChoices):
        COLLEGE = "college", _("Collège")
        DEPARTMENTAL = "departmental", _("Site départemental")
        COMMUNE = "commune", _("Site communal")

    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=200)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="supervision_sites",
        verbose_name=_("commune"),
    )
    college = models.OneToOneField(
        College,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_site",
        verbose_name=_("collège"),
    )
    departmental_site = models.OneToOneField(
        DepartmentalSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_site",
        verbose_name=_("site départemental"),
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site supervisé")
        verbose_name_plural = _("sites supervisés")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.COLLEGE and self.college_id is None:
            raise ValidationError({"college": _("Un site de type collège désigne son collège.")})
        if self.kind == self.Kind.DEPARTMENTAL and self.departmental_site_id is None:
            raise ValidationError(
                {"departmental_site": _("Un site départemental désigne le site du territoire.")}
            )
        if self.kind != self.Kind.COLLEGE and self.college_id is not None:
            raise ValidationError(
                {"college": _("Seul un site de type collège désigne un collège.")}
            )
        if self.kind != self.Kind.DEPARTMENTAL and self.departmental_site_id is not None:
            raise ValidationError(
                {
                    "departmental_site": _(
                        "Seul un site départemental désigne un site du territoire."
                    )
                }
            )


class ArmingSchedule(models.Model):
    """Weekly arming hours plus dated exceptions, in the worker's own format."""

    name = models.CharField(
        _("identifiant"), max_length=63, unique=True, validators=[slug_validator]
    )
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    timezone = models.CharField(_("fuseau horaire"), max_length=60, default="Europe/Paris")
    weekly = models.JSONField(
        _("heures d'armement hebdomadaires"),
        default=dict,
        blank=True,
        help_text=_(
            'Par exemple {"monday": ["00:00-08:00", "18:00-24:00"], "saturday": ["00:00-24:00"]}'
        ),
    )
    exceptions = models.JSONField(
        _("exceptions datées"),
        default=list,
        blank=True,
        help_text=_(
            'Par exemple [{"from": "2026-12-19", "to": "2027-01-03", "hours": ["00:00-24:00"]}]'
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendrier d'armement")
        verbose_name_plural = _("calendriers d'armement")

    def __str__(self) -> str:
        return self.label or self.name

    def as_config(self) -> dict[str, Any]:
        return {"timezone": self.timezone, "weekly": self.weekly, "exceptions": self.exceptions}

    def clean(self) -> None:
        from bouclier.supervision.workerconfig import check_schedule

        check_schedule(self)


class VideoWorker(models.Model):
    """A camera worker process; it authenticates with a token of which only a hash is kept."""

    name = models.CharField(_("nom"), max_length=63, unique=True, validators=[slug_validator])
    token_hash = models.CharField(
        _("empreinte du jeton"), max_length=64, unique=True, editable=False
    )
    enabled = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    last_address = models.GenericIPAddressField(_("dernière adresse"), null=True, blank=True)
    version = models.CharField(_("version"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("worker caméras")
        verbose_name_plural = _("workers caméras")

    def __str__(self) -> str:
        return self.name


class Camera(models.Model):
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="cameras", verbose_name=_("site")
    )
    name = models.CharField(
        _("identifiant"),
        max_length=63,
        unique=True,
        validators=[slug_validator],
        help_text=_("Nom court et unique, repris dans les enregistrements (ex. college-x-entree)."),
    )
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    main_url = models.CharField(
        _("flux principal (enregistrement)"), max_length=500, help_text=_("Adresse rtsp://")
    )
    sub_url = models.CharField(
        _("flux secondaire (analyse)"),
        max_length=500,
        blank=True,
        help_text=_("Adresse rtsp://, facultative"),
    )
    narrow_field = models.BooleanField(
        _("champ étroit"),
        default=False,
        help_text=_("12 images/s au moins (arrêté du 3 août 2007)."),
    )
    enabled = models.BooleanField(_("active"), default=True)
    retention_days = models.PositiveSmallIntegerField(
        _("conservation (jours)"),
        default=MAX_RETENTION_DAYS,
        help_text=_("30 jours au plus (CSI L252-5), sauf réquisition judiciaire."),
    )
    segment_seconds = models.FloatField(
        _("durée des segments (s)"),
        default=60.0,
    )
    recording_enabled = models.BooleanField(_("enregistrement"), default=True)
    analysis_enabled = models.BooleanField(_("analyse"), default=True)
    analysis_rate = models.FloatField(
        _("cadence d'analyse (images/s)"),
        default=5.0,
    )
    offline_delay = models.FloatField(
        _("délai avant alarme « caméra hors ligne » (s)"),
        default=30.0,
    )
    reconnect_max = models.FloatField(
        _("délai maximal entre deux reconnexions (s)"),
        default=30.0,
    )
    live_image_seconds = models.FloatField(
        _("période de l'image en direct (s)"),
        default=5.0,
    )
    # The lease: which worker runs this camera, until when (renewed by its heartbeats).
    worker = models.ForeignKey(
        VideoWorker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cameras",
        verbose_name=_("worker"),
        editable=False,
    )
    lease_expires_at = models.DateTimeField(
        _("bail jusqu'au"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # The law, in the database too: footage is kept one month at most (CSI L252-5).
            models.CheckConstraint(
                condition=models.Q(retention_days__gte=1, retention_days__lte=MAX_RETENTION_DAYS),
                name="supervision_camera_retention_legal",
            )
        ]
        verbose_name = _("caméra")
        verbose_name_plural = _("caméras")

    def __str__(self) -> str:
        return self.label or self.name

    def clean(self) -> None:
        from bouclier.supervision.workerconfig import check_camera

        check_camera(self)


class Zone(models.Model):
    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="zones", verbose_name=_("caméra")
    )
    name = models.CharField(_("identifiant"), max_length=63, validators=[slug_validator])
    polygon = models.JSONField(
        _("polygone"), help_text=_("Points [x, y] en fraction de l'image (0 à 1), au moins 3.")
    )

    class Meta:
        ordering = ["camera", "name"]
        constraints = [
            models.UniqueConstraint(fields=["camera", "name"], name="supervision_zone_unique_name")
        ]
        verbose_name = _("zone de détection")
        verbose_name_plural = _("zones de détection")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from bouclier.supervision.workerconfig import check_polygon

        check_polygon(self.polygon, "polygon")


class Mask(models.Model):
    """A privacy mask (a view into a home): black in every image, ignored by the analysis."""

    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="masks", verbose_name=_("caméra")
    )
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    polygon = models.JSONField(
        _("polygone"), help_text=_("Points [x, y] en fraction de l'image (0 à 1), au moins 3.")
    )

    class Meta:
        ordering = ["camera", "pk"]
        verbose_name = _("masque de confidentialité")
        verbose_name_plural = _("masques de confidentialité")

    def __str__(self) -> str:
        return self.label or str(_("masque"))

    def clean(self) -> None:
        from bouclier.supervision.workerconfig import check_polygon

        check_polygon(self.polygon, "polygon")


def default_classes() -> list[str]:
    return ["person"]


def validate_classes(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Une liste d'au moins une classe d'objet est attendue."))
    for item in value:
        if item not in DETECTABLE_CLASSES:
            raise ValidationError(
                _("Classe « %(cls)s » inconnue (classes permises : %(allowed)s)."),
                params={"cls": item, "allowed": ", ".join(DETECTABLE_CLASSES)},
            )


class DetectionRule(models.Model):
    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="rules", verbose_name=_("caméra")
    )
    name = models.CharField(_("identifiant"), max_length=63, validators=[slug_validator])
    zone = models.ForeignKey(
        Zone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("zone"),
        help_text=_("Vide : toute l'image."),
    )
    classes = models.JSONField(
        _("classes d'objets"), default=default_classes, validators=[validate_classes]
    )
    score = models.FloatField(
        _("score minimal"),
        default=0.5,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
    )
    min_width = models.FloatField(
        _("largeur minimale"),
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    min_height = models.FloatField(
        _("hauteur minimale"),
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    persistence = models.FloatField(
        _("persistance (s)"),
        default=1.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(600.0)],
    )
    cooldown = models.FloatField(
        _("délai de carence (s)"),
        default=60.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(86400.0)],
    )
    schedule = models.ForeignKey(
        ArmingSchedule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("calendrier d'armement"),
        help_text=_("Vide : toujours armée."),
    )
    pre_seconds = models.FloatField(
        _("secondes avant"),
        default=5.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(300.0)],
    )
    post_seconds = models.FloatField(
        _("secondes après"),
        default=5.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(300.0)],
    )

    class Meta:
        ordering = ["camera", "name"]
        constraints = [
            models.UniqueConstraint(fields=["camera", "name"], name="supervision_rule_unique_name")
        ]
        verbose_name = _("règle de détection")
        verbose_name_plural = _("règles de détection")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.zone is not None and self.zone.camera_id != self.camera_id:
            raise ValidationError({"zone": _("Cette zone appartient à une autre caméra.")})


class LeaseHistory(models.Model):
    """Which workers have held which camera: only they may report on it.

    A worker that lost a camera still posts what it recorded before (from its spool), so the
    check is "has held", not "holds".
    """

    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="+", verbose_name=_("caméra")
    )
    worker = models.ForeignKey(
        VideoWorker, on_delete=models.CASCADE, related_name="+", verbose_name=_("worker")
    )
    first_taken_at = models.DateTimeField(_("premier bail le"))
    last_taken_at = models.DateTimeField(_("dernier bail le"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["camera", "worker"], name="supervision_lease_history_unique"
            )
        ]
        verbose_name = _("historique des baux")
        verbose_name_plural = _("historiques des baux")

    def __str__(self) -> str:
        return f"{self.camera_id} / {self.worker_id}"


class ReceivedEvent(models.Model):
    """One post of a worker, by its client-supplied id: a repeated post is recognised here."""

    event_id = models.UUIDField(_("identifiant d'événement"), primary_key=True)
    worker = models.ForeignKey(
        VideoWorker, on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    kind = models.CharField(_("type"), max_length=40)
    received_at = models.DateTimeField(_("reçu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("événement reçu")
        verbose_name_plural = _("événements reçus")

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


class Segment(models.Model):
    event_id = models.UUIDField(_("identifiant d'événement"), unique=True, default=uuid.uuid4)
    camera = models.ForeignKey(
        Camera, on_delete=models.PROTECT, related_name="segments", verbose_name=_("caméra")
    )
    worker = models.ForeignKey(
        VideoWorker, on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    path = models.CharField(_("fichier"), max_length=500)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    size = models.BigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    codec = models.CharField(_("codec"), max_length=30)
    width = models.PositiveIntegerField(_("largeur"))
    height = models.PositiveIntegerField(_("hauteur"))
    keyframe_start = models.BooleanField(_("commence sur une image clé"))
    bit_rate = models.PositiveIntegerField(_("débit source (bit/s)"), default=0)
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)

    class Meta:
        ordering = ["camera", "start"]
        indexes = [models.Index(fields=["camera", "start"])]
        verbose_name = _("segment enregistré")
        verbose_name_plural = _("segments enregistrés")

    def __str__(self) -> str:
        return f"{self.camera.name} {self.start:%Y-%m-%d %H:%M:%S}"


class Alarm(models.Model):
    event_id = models.UUIDField(_("identifiant d'événement"), unique=True, default=uuid.uuid4)
    camera = models.ForeignKey(
        Camera, on_delete=models.PROTECT, related_name="alarms", verbose_name=_("caméra")
    )
    worker = models.ForeignKey(
        VideoWorker, on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    rule = models.CharField(_("règle"), max_length=63)
    raised_at = models.DateTimeField(_("levée le"))
    received_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    labels = models.JSONField(_("objets"), default=list)
    detections = models.JSONField(_("détections"), default=list)
    snapshot = models.FileField(
        _("instantané"), upload_to="supervision/snapshots/%Y/%m/%d/", blank=True
    )
    clip_start = models.DateTimeField(_("début de l'extrait"), null=True, blank=True)
    clip_end = models.DateTimeField(_("fin de l'extrait"), null=True, blank=True)
    segments = models.JSONField(_("segments de l'extrait"), default=list)
    # Correlated alarms of a site are handled together (``services_console.attach``).
    incident = models.ForeignKey(
        "supervision.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alarms",
        verbose_name=_("incident"),
    )

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("alarme")
        verbose_name_plural = _("alarmes")

    def __str__(self) -> str:
        return f"{self.camera.name} {self.rule} {self.raised_at:%Y-%m-%d %H:%M:%S}"


class TechnicalEvent(models.Model):
    """Health and life-cycle events: camera offline and back, recording gaps, restarts..."""

    event_id = models.UUIDField(_("identifiant d'événement"), unique=True, default=uuid.uuid4)
    camera = models.ForeignKey(
        Camera,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="technical_events",
        verbose_name=_("caméra"),
    )
    worker = models.ForeignKey(
        VideoWorker, on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    kind = models.CharField(_("type"), max_length=40)
    condition = models.CharField(_("condition"), max_length=40, blank=True)
    occurred_at = models.DateTimeField(_("survenu le"))
    data = models.JSONField(_("détails"), default=dict)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("événement technique")
        verbose_name_plural = _("événements techniques")

    def __str__(self) -> str:
        return f"{self.kind} {self.condition}".strip()


class LiveImage(models.Model):
    """The latest image of a camera (privacy masks already blacked out by the worker)."""

    camera = models.OneToOneField(
        Camera,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="live_image",
        verbose_name=_("caméra"),
    )
    worker = models.ForeignKey(
        VideoWorker, on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    image = models.BinaryField(_("image JPEG"))
    taken_at = models.DateTimeField(_("prise le"))

    class Meta:
        verbose_name = _("image en direct")
        verbose_name_plural = _("images en direct")

    def __str__(self) -> str:
        return f"{self.camera.name} {self.taken_at:%H:%M:%S}"


# The console's models live in their own module; Django discovers models here only.
from bouclier.supervision.models_console import AccessRecord as AccessRecord  # noqa: E402
from bouclier.supervision.models_console import Approval as Approval  # noqa: E402
from bouclier.supervision.models_console import Convention as Convention  # noqa: E402
from bouclier.supervision.models_console import Incident as Incident  # noqa: E402
from bouclier.supervision.models_console import IncidentAction as IncidentAction  # noqa: E402
from bouclier.supervision.models_console import LogbookEntry as LogbookEntry  # noqa: E402
from bouclier.supervision.models_console import SiteInstruction as SiteInstruction  # noqa: E402
from bouclier.supervision.models_judicial import Requisition as Requisition  # noqa: E402
