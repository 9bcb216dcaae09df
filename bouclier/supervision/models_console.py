"""The operator console's data: conventions, approvals, procedures, incidents, logbook, register.

- A commune's sites are supervised only under a **convention** in force (CSI, loi « sécurité
  globale » art. 42: operators act under each mayor's authority); collèges and departmental
  sites are the Département's own and need none.
- An operator views images only while holding a valid prefectoral **approval** (agrément,
  CSI L132-14-1, 5 years).
- Alarms posted by the workers are grouped into **incidents** (same site within a few
  minutes); the incident carries the workflow: new, in progress, on hold, closed.
- The **logbook** (main courante) and the **access register** are written by services only;
  neither is ever edited in place (a logbook correction is a new entry referring to the old).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bouclier.territory.models import Commune

APPROVAL_YEARS = 5
REGISTER_RETENTION_DAYS = 3 * 366  # three years, leap days included


class Convention(models.Model):
    """A commune's agreement: which of its sites the centre supervises, from when to when."""

    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="supervision_conventions",
        verbose_name=_("commune"),
    )
    reference = models.CharField(_("référence"), max_length=100)
    starts_on = models.DateField(_("en vigueur du"))
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    sites = models.ManyToManyField(
        "supervision.Site",
        blank=True,
        related_name="conventions",
        verbose_name=_("sites couverts"),
        help_text=_("Vide : tous les sites de la commune."),
    )
    mayor_authority = models.TextField(
        _("autorité du maire"),
        help_text=_("Ce que le maire délègue aux opérateurs et comment il est joint."),
    )
    signed_on = models.DateField(_("signée le"), null=True, blank=True)

    class Meta:
        ordering = ["commune__name", "-starts_on"]
        verbose_name = _("convention de supervision")
        verbose_name_plural = _("conventions de supervision")

    def __str__(self) -> str:
        return f"{self.commune} – {self.reference}"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("La fin précède le début.")})

    def in_force(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Approval(models.Model):
    """An operator's prefectoral approval (agrément), valid five years from its date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervision_approvals",
        verbose_name=_("opérateur"),
    )
    reference = models.CharField(_("numéro d'agrément"), max_length=100)
    prefecture = models.CharField(_("préfecture"), max_length=100, default="Seine-et-Marne")
    granted_on = models.DateField(_("accordé le"))
    expires_on = models.DateField(_("expire le"), blank=True)
    revoked_on = models.DateField(_("retiré le"), null=True, blank=True)

    class Meta:
        ordering = ["user", "-granted_on"]
        verbose_name = _("agrément préfectoral")
        verbose_name_plural = _("agréments préfectoraux")

    def __str__(self) -> str:
        return f"{self.user} – {self.reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.expires_on:
            self.expires_on = expiry_of(self.granted_on)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.granted_on and self.expires_on and self.expires_on > expiry_of(self.granted_on):
            raise ValidationError(
                {"expires_on": _("Un agrément vaut cinq ans au plus (CSI L132-14-1).")}
            )

    def valid_on(self, day: dt.date) -> bool:
        return self.granted_on <= day <= self.expires_on and (
            self.revoked_on is None or day < self.revoked_on
        )


def expiry_of(granted_on: dt.date) -> dt.date:
    """Five years after the grant, the day before its anniversary."""
    try:
        anniversary = granted_on.replace(year=granted_on.year + APPROVAL_YEARS)
    except ValueError:  # 29 February
        anniversary = granted_on.replace(year=granted_on.year + APPROVAL_YEARS, day=28)
    return anniversary - dt.timedelta(days=1)


class SiteInstruction(models.Model):
    """The procedure an operator follows for an alarm type at a site (or at every site)."""

    site = models.ForeignKey(
        "supervision.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("site"),
        help_text=_("Vide : procédure par défaut de tous les sites."),
    )
    rule = models.CharField(
        _("type d'alarme (règle)"),
        max_length=63,
        blank=True,
        help_text=_("Nom de la règle de détection ; vide : toutes."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priorité"),
        default=2,
        choices=[(1, _("1 – haute")), (2, _("2 – normale")), (3, _("3 – basse"))],
    )
    text = models.TextField(_("consignes"))
    contact_email = models.EmailField(
        _("e-mail du responsable du site"), blank=True, help_text=_("Informé sur demande.")
    )

    class Meta:
        ordering = ["site", "rule"]
        verbose_name = _("consigne de site")
        verbose_name_plural = _("consignes de site")

    def __str__(self) -> str:
        return f"{self.site or _('tous les sites')} / {self.rule or _('toutes les alarmes')}"


class Incident(models.Model):
    """Correlated alarms of one site, handled as one: the operator's unit of work."""

    class Status(models.TextChoices):
        NEW = "new", _("Nouveau")
        IN_PROGRESS = "in_progress", _("En cours")
        ON_HOLD = "on_hold", _("En attente")
        CLOSED = "closed", _("Clos")

    class Qualification(models.TextChoices):
        FALSE_ALARM = "false", _("Fausse alarme")
        REAL = "real", _("Alarme réelle")

    class Cause(models.TextChoices):
        ANIMAL = "animal", _("Animal")
        AUTHORISED_PERSON = "authorised_person", _("Personne autorisée")
        WEATHER = "weather", _("Météo")
        TECHNICAL = "technical", _("Cause technique")
        OTHER_FALSE = "other_false", _("Autre fausse alarme")
        INTRUSION = "intrusion", _("Intrusion")
        DAMAGE = "damage", _("Dégradation")
        FIRE = "fire", _("Incendie")
        ASSAULT = "assault", _("Atteinte aux personnes")
        OTHER_REAL = "other_real", _("Autre fait réel")

    site = models.ForeignKey(
        "supervision.Site",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("site"),
    )
    status = models.CharField(
        _("état"), max_length=15, choices=Status.choices, default=Status.NEW, db_index=True
    )
    priority = models.PositiveSmallIntegerField(_("priorité"), default=2)
    opened_at = models.DateTimeField(_("première alarme"))
    last_alarm_at = models.DateTimeField(_("dernière alarme"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opérateur"),
    )
    taken_at = models.DateTimeField(_("prise le"), null=True, blank=True)
    qualification = models.CharField(
        _("qualification"), max_length=5, choices=Qualification.choices, blank=True
    )
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    qualification_note = models.TextField(_("description"), blank=True)
    qualified_at = models.DateTimeField(_("qualifiée le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["priority", "opened_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return str(_("Incident n° %(pk)s – %(site)s") % {"pk": self.pk, "site": self.site})


FALSE_CAUSES = frozenset(
    {
        Incident.Cause.ANIMAL,
        Incident.Cause.AUTHORISED_PERSON,
        Incident.Cause.WEATHER,
        Incident.Cause.TECHNICAL,
        Incident.Cause.OTHER_FALSE,
    }
)


class IncidentAction(models.Model):
    """What the operator did, with its time: doubt removal, calls, information, call-back."""

    class Kind(models.TextChoices):
        DOUBT_REMOVAL = "doubt_removal", _("Levée de doute")
        POLICE_CALL = "police_call", _("Appel à la police")
        GENDARMERIE_CALL = "gendarmerie_call", _("Appel à la gendarmerie")
        FIRE_CALL = "fire_call", _("Appel aux pompiers")
        INFORM_EMAIL = "inform_email", _("Information par e-mail")
        CALLBACK = "callback", _("Rappel")
        HOLD = "hold", _("Mise en attente")
        NOTE = "note", _("Observation")

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="actions", verbose_name=_("incident")
    )
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("heure"))
    recorded_at = models.DateTimeField(_("saisie le"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opérateur"),
    )
    service = models.CharField(_("service appelé"), max_length=200, blank=True)
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    recipient = models.CharField(_("destinataire"), max_length=300, blank=True)
    note = models.TextField(_("observation"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("action sur incident")
        verbose_name_plural = _("actions sur incident")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%H:%M}"


class AppendOnly(models.Model):
    """A row written once: saving it again is refused (corrections are new rows)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Écriture unique : une correction est une nouvelle entrée.")
        super().save(*args, **kwargs)


class LogbookEntry(AppendOnly):
    """One line of the main courante; a correction is a new entry referring to the old one."""

    written_at = models.DateTimeField(_("écrite le"), default=timezone.now, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("auteur"),
    )
    text = models.TextField(_("texte"))
    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logbook",
        verbose_name=_("incident"),
    )
    alarm = models.ForeignKey(
        "supervision.Alarm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("alarme"),
    )
    camera = models.ForeignKey(
        "supervision.Camera",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caméra"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrige l'entrée"),
    )

    class Meta:
        ordering = ["-written_at", "-pk"]
        verbose_name = _("entrée de main courante")
        verbose_name_plural = _("main courante")

    def __str__(self) -> str:
        return f"{self.written_at:%d/%m/%Y %H:%M} {self.text[:60]}"


class AccessRecord(AppendOnly):
    """One line of the access register (who saw or handled which footage, why); kept 3 years."""

    class Action(models.TextChoices):
        LIVE_VIEW = "live_view", _("Visionnage en direct")
        PLAYBACK = "playback", _("Relecture d'enregistrement")
        SNAPSHOT_VIEW = "snapshot_view", _("Consultation d'instantané")
        EXTRACTION = "extraction", _("Extraction")
        HOLD = "hold", _("Mise sous scellé judiciaire")
        RELEASE = "release", _("Levée du scellé")
        DELETION = "deletion", _("Suppression")

    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utilisateur"),
    )
    # Kept as text too: the register outlives accounts and role changes.
    who = models.CharField(_("qui"), max_length=300)
    role = models.CharField(_("rôle"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    reason = models.TextField(_("motif"))
    camera = models.ForeignKey(
        "supervision.Camera",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caméra"),
    )
    camera_name = models.CharField(_("caméra (nom)"), max_length=63, blank=True)
    range_start = models.DateTimeField(_("début de la période"), null=True, blank=True)
    range_end = models.DateTimeField(_("fin de la période"), null=True, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("entrée du registre des accès")
        verbose_name_plural = _("registre des accès")

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.who} {self.get_action_display()}"
