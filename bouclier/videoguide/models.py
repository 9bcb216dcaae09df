"""Studies of the video-protection guide, and the reference data the grants manager edits.

A ``Study`` is made without an account: whoever holds its unguessable token (the link to come
back to) may read and change it. It holds no personal data beyond, once an applicant saves it,
the applicant's account; anonymous studies expire after a year (``purge_expired_studies``).
``UnitCost`` and ``RegionRate`` are data, not code: the public orders of magnitude and the
Région's rates, each with its source, editable in the règlement's back office.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bouclier.territory.models import Commune
from bouclier.videoguide.services.sizing import (
    MAX_RETENTION_DAYS,
    Codec,
    Level,
    RecordingMode,
    RecordingPlace,
)

MAX_CAMERAS = 60  # a public form: a commune's plan, not a flood of rows


def new_token() -> str:
    """An unguessable token (256 bits), the only key to an anonymous study."""
    return secrets.token_urlsafe(32)


class Purpose(models.TextChoices):
    """The legal purposes of video-protection on public roads (CSI, art. L251-2)."""

    PUBLIC_BUILDINGS = (
        "batiments_publics",
        _("Protection des bâtiments et installations publics et de leurs abords"),
    )
    DEFENCE = "defense_nationale", _("Sauvegarde des installations utiles à la défense nationale")
    TRAFFIC_FLOW = "flux_transport", _("Régulation des flux de transport")
    TRAFFIC_OFFENCES = (
        "infractions_circulation",
        _("Constatation des infractions aux règles de la circulation"),
    )
    EXPOSED_PLACES = (
        "atteintes_personnes_biens",
        _(
            "Prévention des atteintes à la sécurité des personnes et des biens dans des lieux"
            " particulièrement exposés (agression, vol, trafic de stupéfiants)"
        ),
    )
    TERRORISM = "terrorisme", _("Prévention d'actes de terrorisme")
    NATURAL_RISKS = "risques", _("Prévention des risques naturels ou technologiques")
    RESCUE = "secours", _("Secours aux personnes et défense contre l'incendie")
    AMUSEMENT_PARKS = (
        "parcs_attraction",
        _("Sécurité des installations accueillant du public dans les parcs d'attraction"),
    )
    INSURANCE = (
        "assurance_vehicules",
        _("Respect de l'obligation d'assurance des véhicules terrestres à moteur"),
    )
    DUMPING = (
        "depots_sauvages",
        _("Prévention et constatation des abandons d'ordures, de déchets ou d'objets"),
    )


class PriorityZone(models.TextChoices):
    TOWN_ENTRANCES = "entrees_ville", _("Entrées de ville")
    MAIN_ROADS = "axes_principaux", _("Axes principaux")
    STATION = "gare", _("Gare et pôle d'échanges")
    PUBLIC_BUILDINGS = "batiments_publics", _("Bâtiments publics")
    SCHOOLS = "etablissements_scolaires", _("Établissements scolaires")
    CAR_PARKS = "parkings", _("Parcs de stationnement")
    DUMPING = "depots_sauvages", _("Lieux de dépôts sauvages")


class Supervision(models.TextChoices):
    LOCAL = "local", _("Locale (poste ou salle en mairie)")
    INTERCOMMUNAL = "intercommunal", _("Centre de supervision intercommunal")
    DEPARTMENTAL = "departmental", _("Centre de supervision départemental")


class Beneficiary(models.TextChoices):
    # The codes are the règlement's beneficiaries of the video-protection aid line.
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Intercommunalité (EPCI)")


class StudyQuerySet(models.QuerySet["Study"]):
    def active(self, on_date: datetime.date | None = None) -> StudyQuerySet:
        """Studies not expired: saved ones never expire, the others at their date."""
        today = on_date or timezone.localdate()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=today))


class Study(models.Model):
    token = models.CharField(_("jeton"), max_length=64, unique=True, default=new_token)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("nom du projet"), max_length=200, blank=True)
    beneficiary = models.CharField(
        _("maître d'ouvrage"),
        max_length=20,
        choices=Beneficiary.choices,
        default=Beneficiary.COMMUNE,
    )
    priority_zones = models.JSONField(_("zones prioritaires"), default=list, blank=True)
    zones_note = models.TextField(_("précisions sur le diagnostic"), max_length=1000, blank=True)
    retention_days = models.PositiveSmallIntegerField(
        _("durée de conservation (jours)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
    )
    supervision = models.CharField(
        _("supervision"), max_length=20, choices=Supervision.choices, default=Supervision.LOCAL
    )
    recording_place = models.CharField(
        _("lieu d'enregistrement"),
        max_length=20,
        choices=[
            (RecordingPlace.ON_SITE.value, _("Sur place (enregistreur local)")),
            (RecordingPlace.AT_CENTRE.value, _("Au centre de supervision")),
        ],
        default=RecordingPlace.ON_SITE.value,
    )
    first_installation = models.BooleanField(_("première installation"), default=True)
    priority_security_zone = models.BooleanField(
        _("en zone de sécurité prioritaire"), default=False
    )
    state_funding = models.DecimalField(
        _("aide de l'État (FIPD) attendue, HT"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    unit_costs = models.JSONField(
        _("coûts unitaires propres à l'étude"),
        default=dict,
        blank=True,
        help_text=_("Code du coût unitaire -> montant HT, quand un devis diffère des défauts."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateField(_("expire le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = StudyQuerySet.as_manager()

    class Meta:
        verbose_name = _("étude de vidéoprotection")
        verbose_name_plural = _("études de vidéoprotection")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name or f"{self.commune.name} – {self.pk}"


class Resolution(models.TextChoices):
    CIF = "352x288", _("352 × 288 (CIF)")
    D1 = "704x576", _("704 × 576 (4CIF / D1)")
    HD = "1280x720", _("1280 × 720 (HD)")
    FULL_HD = "1920x1080", _("1920 × 1080 (Full HD, 2 Mpx)")
    QHD = "2560x1440", _("2560 × 1440 (4 Mpx)")
    FIVE_MP = "2592x1944", _("2592 × 1944 (5 Mpx)")
    UHD = "3840x2160", _("3840 × 2160 (4K, 8 Mpx)")


class Camera(models.Model):
    study = models.ForeignKey(
        Study, verbose_name=_("étude"), on_delete=models.CASCADE, related_name="cameras"
    )
    place = models.CharField(_("emplacement"), max_length=200)
    purpose = models.CharField(_("finalité"), max_length=40, choices=Purpose.choices)
    level = models.CharField(
        _("niveau attendu"),
        max_length=20,
        choices=[
            (Level.DETECT.value, _("Détecter (25 px/m)")),
            (Level.OBSERVE.value, _("Observer (62,5 px/m)")),
            (Level.RECOGNISE.value, _("Reconnaître (125 px/m)")),
            (Level.IDENTIFY.value, _("Identifier (250 px/m)")),
        ],
    )
    distance_m = models.DecimalField(_("distance cible (m)"), max_digits=6, decimal_places=1)
    hfov_deg = models.DecimalField(_("champ horizontal (degrés)"), max_digits=4, decimal_places=1)
    resolution = models.CharField(_("résolution"), max_length=12, choices=Resolution.choices)
    fps = models.PositiveSmallIntegerField(_("images par seconde"))
    codec = models.CharField(
        _("codec"),
        max_length=10,
        choices=[(Codec.H264.value, "H.264"), (Codec.H265.value, "H.265")],
    )
    recording_mode = models.CharField(
        _("mode d'enregistrement"),
        max_length=20,
        choices=[
            (RecordingMode.CONTINUOUS.value, _("Continu")),
            (RecordingMode.MOTION.value, _("Sur détection de mouvement")),
        ],
    )
    motion_percent = models.PositiveSmallIntegerField(
        _("part du temps enregistrée sur mouvement (%)"), default=30
    )
    hours_per_day = models.PositiveSmallIntegerField(_("heures de fonctionnement par jour"))
    narrow_field = models.BooleanField(_("champ étroit (plan serré sur des personnes)"))
    fast_moving = models.BooleanField(_("personnes en mouvement rapide"))
    views_homes = models.BooleanField(_("vue vers des habitations"))
    films_college = models.BooleanField(_("filme un collège ou ses abords"))
    films_departmental_site = models.BooleanField(
        _("filme un autre site départemental (MDS, ENS, bâtiment)")
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("caméra")
        verbose_name_plural = _("caméras")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.place

    @property
    def width_px(self) -> int:
        return int(self.resolution.split("x")[0])

    @property
    def height_px(self) -> int:
        return int(self.resolution.split("x")[1])


class Origin(models.TextChoices):
    # The same words as the règlement's sources (bouclier.grants.services.rules.Origin).
    PUBLIC = "publique", _("Source publique")
    RECONSTRUCTION = "reconstruction", _("Reconstitution à vérifier")


class QuantityRule(models.TextChoices):
    PER_CAMERA = "per_camera", _("Par caméra")
    LOCAL_SUPERVISION = "local_supervision", _("Une fois, si la supervision est locale")
    REMOTE_SUPERVISION = "remote_supervision", _("Une fois, si la supervision est déportée")


class UnitCost(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("libellé"), max_length=200)
    amount = models.DecimalField(
        _("coût unitaire HT (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    quantity_rule = models.CharField(_("quantité"), max_length=30, choices=QuantityRule.choices)
    grants_category = models.SlugField(
        _("catégorie de dépense du règlement"),
        max_length=50,
        help_text=_("Code d'une catégorie du dispositif « vidéoprotection » (ex. camera)."),
    )
    origin = models.CharField(_("origine"), max_length=20, choices=Origin.choices)
    source = models.TextField(_("source"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)

    class Meta:
        verbose_name = _("coût unitaire du guide vidéoprotection")
        verbose_name_plural = _("coûts unitaires du guide vidéoprotection")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class RegionRate(models.Model):
    first_installation = models.BooleanField(_("première installation"))
    priority_security_zone = models.BooleanField(_("zone de sécurité prioritaire"))
    rate = models.DecimalField(
        _("taux (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    origin = models.CharField(_("origine"), max_length=20, choices=Origin.choices)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("taux de la Région (vidéoprotection)")
        verbose_name_plural = _("taux de la Région (vidéoprotection)")
        ordering = ["priority_security_zone", "first_installation"]
        constraints = [
            models.UniqueConstraint(
                fields=["first_installation", "priority_security_zone"],
                name="videoguide_region_rate_unique_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rate} %"
