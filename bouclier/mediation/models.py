"""The brigade's data: assignments, protocols, programme, requests, situations, prevention.

Pupils never appear by name: a situation lists them as pseudonymous codes with a class level,
a role and at most initials. Free text is minimised and removed when a situation is
anonymised, two years after its closure; counts used by the statistics survive.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bouclier.territory.models import College, District


class Category(models.TextChoices):
    HARASSMENT = "harassment", _("Harcèlement")
    CYBER_HARASSMENT = "cyber_harassment", _("Cyberharcèlement")
    SEXISM = "sexism", _("Sexisme")
    DISABILITY = "disability", _("Harcèlement lié au handicap")
    HOMOPHOBIA = "homophobia", _("Homophobie")
    RACISM = "racism", _("Racisme et discriminations")
    PHYSICAL_VIOLENCE = "physical_violence", _("Violence physique")
    CONFLICT = "conflict", _("Conflit entre élèves")
    GROUP_FIGHTS = "group_fights", _("Rixes entre groupes")
    OTHER = "other", _("Autre")


class Severity(models.IntegerChoices):
    # The three levels of "Faits établissement".
    LOCAL = 1, _("Niveau 1 – préoccupation locale")
    SERIOUS = 2, _("Niveau 2 – fait grave")
    EXTREME = 3, _("Niveau 3 – fait extrêmement grave")


class Level(models.TextChoices):
    SIXTH = "6e", _("6e")
    FIFTH = "5e", _("5e")
    FOURTH = "4e", _("4e")
    THIRD = "3e", _("3e")
    SEGPA = "segpa", _("SEGPA")
    ULIS = "ulis", _("ULIS")


class Assignment(models.Model):
    """A mediator's assignment to a district, or to one collège of it.

    Without a collège, the mediator covers every collège of the district; with one, that
    collège only (a diagnostic period usually opens the work in a new collège).
    """

    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("médiateur"),
        on_delete=models.CASCADE,
        related_name="mediation_assignments",
    )
    district = models.ForeignKey(
        District, verbose_name=_("secteur"), on_delete=models.PROTECT, related_name="+"
    )
    college = models.ForeignKey(
        College,
        verbose_name=_("collège"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediation_assignments",
        help_text=_("Vide : tous les collèges du secteur."),
    )
    diagnostic_start = models.DateField(
        _("début de la période de diagnostic"), null=True, blank=True
    )
    valid_from = models.DateField(_("depuis le"), default=timezone.localdate)
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("affectation d'un médiateur")
        verbose_name_plural = _("affectations des médiateurs")
        ordering = ["district__name", "college__name"]

    def __str__(self) -> str:
        place = self.college.name if self.college else self.district.name
        return f"{self.mediator} – {place}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.college is not None
            and self.district_id
            and self.college.district_id != self.district_id
        ):
            raise ValidationError({"college": _("Ce collège n'appartient pas à ce secteur.")})
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("La fin précède le début.")})


class Protocol(models.Model):
    """The convention signed with a collège's head: how the brigade works in that collège."""

    college = models.OneToOneField(
        College, verbose_name=_("collège"), on_delete=models.PROTECT, related_name="protocol"
    )
    head_name = models.CharField(_("chef d'établissement signataire"), max_length=200)
    signed_on = models.DateField(_("signé le"), null=True, blank=True)
    contacts = models.TextField(
        _("contacts"), blank=True, help_text=_("Équipe ressource pHARe, CPE, référent.")
    )
    scope = models.TextField(_("périmètre convenu"), blank=True)

    class Meta:
        verbose_name = _("protocole avec un collège")
        verbose_name_plural = _("protocoles avec les collèges")
        ordering = ["college__name"]

    def __str__(self) -> str:
        return str(self.college.name)


class Programme(models.Model):
    """The departmental anti-harassment programme of one school year."""

    year = models.PositiveIntegerField(
        _("année scolaire (année de la rentrée)"), unique=True, validators=[MinValueValidator(2020)]
    )
    title = models.CharField(_("intitulé"), max_length=200)
    summary = models.TextField(_("orientations"), blank=True)

    class Meta:
        verbose_name = _("programme contre le harcèlement")
        verbose_name_plural = _("programmes contre le harcèlement")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year}-{self.year + 1})"


class Objective(models.Model):
    class Indicator(models.TextChoices):
        PUPILS_REACHED = "pupils_reached", _("Élèves sensibilisés")
        PREVENTION_ACTIONS = "prevention_actions", _("Actions de prévention")
        COLLEGES_COVERED = "colleges_covered", _("Collèges couverts")
        SITUATIONS_CLOSED = "situations_closed", _("Situations closes")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="objectives"
    )
    indicator = models.CharField(_("indicateur"), max_length=30, choices=Indicator.choices)
    target = models.PositiveIntegerField(_("cible"))

    class Meta:
        verbose_name = _("objectif annuel")
        verbose_name_plural = _("objectifs annuels")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "indicator"], name="unique_objective_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} : {self.target}"


class Request(models.Model):
    """A request (saisine) from a collège's head to the brigade."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçue")
        TAKEN = "taken", _("Prise en charge")
        PLANNED = "planned", _("Intervention planifiée")
        DONE = "done", _("Intervention réalisée")

    college = models.ForeignKey(
        College, verbose_name=_("collège"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandeur"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    urgent = models.BooleanField(
        _("urgente"), default=False, help_text=_("Une réponse de la brigade dans la journée.")
    )
    kind = models.CharField(_("nature de la situation"), max_length=30, choices=Category.choices)
    description = models.TextField(_("description"))
    preferred_slots = models.CharField(_("créneaux souhaités"), max_length=300, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prise en charge par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("prise en charge le"), null=True, blank=True)
    planned_for = models.DateTimeField(_("intervention prévue le"), null=True, blank=True)
    done_at = models.DateTimeField(_("réalisée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("saisine")
        verbose_name_plural = _("saisines")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Saisine n° {self.pk}"

    @property
    def urgent_overdue(self) -> bool:
        """An urgent request still unanswered after the day it came: shown in red to all."""
        return (
            self.urgent
            and self.taken_at is None
            and timezone.localdate(self.created_at) < timezone.localdate()
        )

    @property
    def answered_within_the_day(self) -> bool | None:
        """For an urgent request: was it taken the day it came? None while unanswered."""
        if self.taken_at is None:
            return None
        return timezone.localdate(self.taken_at) == timezone.localdate(self.created_at)


class Situation(models.Model):
    """A case followed by the brigade, modelled on pHARe's protocol and Primero's workflow."""

    class Status(models.TextChoices):
        NEW = "new", _("Nouvelle")
        ASSESSMENT = "assessment", _("Évaluation")
        INTERVENTION = "intervention", _("Intervention")
        FOLLOW_UP = "follow_up", _("Suivi")
        CLOSURE_PENDING = "closure_pending", _("Clôture à valider")
        CLOSED = "closed", _("Clôturée")

    class Method(models.TextChoices):
        SHARED_CONCERN = "shared_concern", _("Entretiens de préoccupation partagée")
        PEER_MEDIATION = "peer_mediation", _("Médiation par les pairs")
        CONFLICT = "conflict", _("Gestion de conflit")
        URGENT = "urgent", _("Intervention d'urgence")
        FAMILY = "family", _("Contact avec la famille")
        TEAM_MEETING = "team_meeting", _("Réunion d'équipe")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Résolue")
        REFERRED = "referred", _("Orientée vers un partenaire")
        NO_FOLLOW_UP = "no_follow_up", _("Sans suite")

    college = models.ForeignKey(
        College, verbose_name=_("collège"), on_delete=models.PROTECT, related_name="+"
    )
    request = models.OneToOneField(
        Request,
        verbose_name=_("saisine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="situation",
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("médiateur référent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ouverte par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_on = models.DateField(_("ouverte le"), default=timezone.localdate)
    category = models.CharField(_("catégorie"), max_length=30, choices=Category.choices)
    severity = models.PositiveSmallIntegerField(
        _("gravité"), choices=Severity.choices, default=Severity.LOCAL
    )
    summary = models.TextField(_("faits constatés"), blank=True)
    assessment = models.TextField(_("évaluation"), blank=True)
    status = models.CharField(_("étape"), max_length=20, choices=Status.choices, default="new")
    method = models.CharField(_("méthode"), max_length=20, choices=Method.choices, blank=True)
    intervention_on = models.DateField(_("intervention le"), null=True, blank=True)
    outcome = models.CharField(_("issue"), max_length=20, choices=Outcome.choices, blank=True)
    closure_note = models.TextField(_("bilan de clôture"), blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clôture proposée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clôture validée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_count = models.PositiveSmallIntegerField(_("réouvertures"), default=0)
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)
    # Optimistic locking: every change checks and bumps it, so that two mediators editing
    # the same situation cannot overwrite each other silently.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["status", "closed_at"])]

    def __str__(self) -> str:
        return f"Situation n° {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class Pupil(models.Model):
    """A pupil involved in a situation, by pseudonymous code only."""

    class Part(models.TextChoices):
        TARGET = "target", _("Élève ciblé")
        AUTHOR = "author", _("Auteur présumé")
        WITNESS = "witness", _("Témoin")

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), on_delete=models.CASCADE, related_name="pupils"
    )
    code = models.CharField(
        _("code pseudonyme"),
        max_length=20,
        blank=True,
        db_index=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9-]{3,20}$",
                _("Un code de 3 à 20 caractères : majuscules, chiffres et tirets."),
            )
        ],
    )
    initials = models.CharField(
        _("initiales"),
        max_length=5,
        blank=True,
        validators=[
            RegexValidator(
                r"^([A-Z]\.?){1,3}$", _("Des initiales seulement (au plus trois lettres).")
            )
        ],
    )
    level = models.CharField(_("niveau"), max_length=5, choices=Level.choices)
    role = models.CharField(_("rôle"), max_length=10, choices=Part.choices)

    class Meta:
        verbose_name = _("élève concerné")
        verbose_name_plural = _("élèves concernés")
        ordering = ["role", "pk"]

    def __str__(self) -> str:
        return self.code or "–"


class FollowUp(models.Model):
    """A follow-up interview: due on a date (a task), done on another, with its notes."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    due_on = models.DateField(_("prévu le"))
    done_on = models.DateField(_("réalisé le"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saisi par"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("entretien de suivi")
        verbose_name_plural = _("entretiens de suivi")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Suivi du {self.due_on:%d/%m/%Y}"

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()


class Referral(models.Model):
    """A referral of a situation to a partner, with the ground that allows sharing."""

    class Partner(models.TextChoices):
        NATIONAL_EDUCATION = "education", _("Éducation nationale (CPE, référent harcèlement)")
        POLICE = "police", _("Police ou gendarmerie")
        STREET_EDUCATORS = "street", _("Prévention spécialisée")
        CRIP = "crip", _("CRIP du Département (information préoccupante)")
        HELPLINE = "3018", _("3018")

    class Status(models.TextChoices):
        SENT = "sent", _("Transmise")
        ACCEPTED = "accepted", _("Acceptée")
        DECLINED = "declined", _("Refusée")
        CLOSED = "closed", _("Terminée")

    class Ground(models.TextChoices):
        FAMILY_CONSENT = "family_consent", _("Accord des représentants légaux")
        PUPIL_CONSENT = "pupil_consent", _("Accord de l'élève et information de la famille")
        CHILD_IN_DANGER = (
            "child_in_danger",
            _("Enfant en danger : information préoccupante (art. L226-2-1 CASF)"),
        )
        OFFENCE = "offence", _("Crime ou délit : signalement (art. 40 du code de procédure pénale)")
        SCHOOL_MISSION = "school_mission", _("Mission de service public de l'Éducation nationale")

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), on_delete=models.CASCADE, related_name="referrals"
    )
    partner = models.CharField(_("partenaire"), max_length=20, choices=Partner.choices)
    referred_on = models.DateField(_("date"), default=timezone.localdate)
    reason = models.TextField(_("motif"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default="sent")
    ground = models.CharField(_("accord ou base légale"), max_length=20, choices=Ground.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saisi par"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("orientation vers un partenaire")
        verbose_name_plural = _("orientations vers les partenaires")
        ordering = ["-referred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_partner_display()} ({self.referred_on:%d/%m/%Y})"


class PreventionAction(models.Model):
    """A workshop, awareness or training session given in a collège."""

    class Theme(models.TextChoices):
        HARASSMENT = "harassment", _("Harcèlement")
        CYBER_HARASSMENT = "cyber_harassment", _("Cyberharcèlement")
        SEXISM = "sexism", _("Sexisme")
        DISABILITY = "disability", _("Handiphobie")
        HOMOPHOBIA = "homophobia", _("Homophobie")
        DISCRIMINATION = "discrimination", _("Discriminations")
        SOCIAL_NETWORKS = "social_networks", _("Réseaux sociaux")
        RELATIONSHIPS = "relationships", _("Relations filles-garçons")
        VAPES = "vapes", _("Vapoteuses (puffs)")

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Atelier")
        AWARENESS = "awareness", _("Sensibilisation")
        TRAINING = "training", _("Formation (adultes, élèves ambassadeurs)")

    college = models.ForeignKey(
        College, verbose_name=_("collège"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default="awareness")
    theme = models.CharField(_("thème"), max_length=20, choices=Theme.choices)
    classes = models.CharField(
        _("classes"), max_length=200, help_text=_("Par exemple : 5e A, 5e B")
    )
    levels = models.JSONField(_("niveaux"), default=list)
    pupils_reached = models.PositiveIntegerField(
        _("élèves touchés"), validators=[MaxValueValidator(2000)]
    )
    duration_minutes = models.PositiveIntegerField(
        _("durée (minutes)"), validators=[MinValueValidator(10), MaxValueValidator(600)]
    )
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("médiateurs"), related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saisie par"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("action de prévention")
        verbose_name_plural = _("actions de prévention")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_theme_display()} – {self.date:%d/%m/%Y}"


class Presence(models.Model):
    """A mediator's presence time in a collège (playground, Wednesday workshop...)."""

    class Kind(models.TextChoices):
        PLAYGROUND = "playground", _("Présence dans la cour")
        WEDNESDAY = "wednesday", _("Atelier du mercredi")
        PERMANENCE = "permanence", _("Permanence")
        DIAGNOSTIC = "diagnostic", _("Diagnostic")

    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("médiateur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    college = models.ForeignKey(
        College, verbose_name=_("collège"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    start = models.TimeField(_("début"))
    end = models.TimeField(_("fin"))

    class Meta:
        verbose_name = _("temps de présence")
        verbose_name_plural = _("temps de présence")
        ordering = ["date", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="presence_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.date:%d/%m/%Y}"

    @property
    def minutes(self) -> int:
        start = datetime.datetime.combine(self.date, self.start)
        return int((datetime.datetime.combine(self.date, self.end) - start).seconds // 60)
