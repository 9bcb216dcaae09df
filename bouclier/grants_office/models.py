"""What the Département adds around an application file: opinions, adjustments, sessions,
agenda items and votes, budget envelopes and sent reminders.

The file itself (``bouclier.grants.models_files.Application``) keeps its state and amounts;
these models hold the Département's work on it. Amounts committed and paid on an envelope are
never stored: they are computed from the votes and the files' states, so that a lapsed or
withdrawn file releases its unused amount without any counter to keep in step.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bouclier.grants.models import AidLine
from bouclier.grants.models_files import Application


class Opinion(models.Model):
    """An opinion asked of someone outside the instruction (e.g. the référent sûreté)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="opinions")
    requested_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="grant_opinions",
        verbose_name=_("avis demandé à"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    question = models.TextField(_("question"), max_length=2000)
    deadline = models.DateField(_("à rendre avant le"))
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    answer = models.TextField(_("avis"), max_length=5000, blank=True)
    favourable = models.BooleanField(_("avis favorable"), null=True)
    answered_at = models.DateTimeField(_("rendu le"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("avis")
        verbose_name_plural = _("avis")

    def __str__(self) -> str:
        return f"{self.application} – {self.requested_from}"


class Adjustment(models.Model):
    """An instructor's justified change of the eligible base, and the aid it gives."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="adjustments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    previous_base = models.DecimalField(_("base éligible avant"), max_digits=14, decimal_places=2)
    retained_base = models.DecimalField(
        _("base éligible retenue (€ HT)"), max_digits=14, decimal_places=2
    )
    previous_amount = models.DecimalField(_("aide avant"), max_digits=12, decimal_places=2)
    adjusted_amount = models.DecimalField(_("aide après"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("justification"), max_length=2000)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ajustement de la base éligible")
        verbose_name_plural = _("ajustements de la base éligible")

    def __str__(self) -> str:
        return f"{self.application} – {self.retained_base}"


class Session(models.Model):
    """A sitting of the Commission permanente that votes on aids."""

    date = models.DateField(_("date de la séance"), unique=True)
    proposal_deadline = models.DateField(_("date limite des propositions"))
    title = models.CharField(_("intitulé"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("séance de la Commission permanente")
        verbose_name_plural = _("séances de la Commission permanente")

    def __str__(self) -> str:
        return self.title or str(_("Commission permanente du %(date)s")) % {
            "date": self.date.strftime("%d/%m/%Y")
        }


class Outcome(models.TextChoices):
    PENDING = "pending", _("À voter")
    GRANTED = "granted", _("Accordée")
    REFUSED = "refused", _("Refusée")
    POSTPONED = "postponed", _("Ajournée")


class AgendaItem(models.Model):
    """A file on a session's agenda, with the amount proposed and the vote."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="items")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="agenda_items"
    )
    proposed_amount = models.DecimalField(_("montant proposé (€)"), max_digits=12, decimal_places=2)
    outcome = models.CharField(
        _("vote"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    granted_amount = models.DecimalField(
        _("montant voté (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deliberation_number = models.CharField(_("numéro de délibération"), max_length=50, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    voted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    voted_at = models.DateTimeField(_("voté le"), null=True, blank=True)
    letter = models.FileField(_("lettre de notification"), upload_to="grants/lettres/", blank=True)

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("dossier à l'ordre du jour")
        verbose_name_plural = _("dossiers à l'ordre du jour")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "application"], name="grants_office_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} – {self.application}"


class Envelope(models.Model):
    """The year's authorisation of commitment for one aid line."""

    year = models.PositiveSmallIntegerField(_("exercice"), validators=[MinValueValidator(2000)])
    aid_line = models.ForeignKey(
        AidLine, on_delete=models.PROTECT, related_name="envelopes", verbose_name=_("dispositif")
    )
    amount = models.DecimalField(
        _("autorisation d'engagement (€)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["-year", "aid_line"]
        verbose_name = _("enveloppe budgétaire")
        verbose_name_plural = _("enveloppes budgétaires")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "aid_line"], name="grants_office_one_envelope_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.aid_line} {self.year}"


class Reminder(models.Model):
    """A reminder sent before a deadline: its row makes the job send it once only."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("échéance"), max_length=30)
    deadline = models.DateField(_("date limite"))
    recipients = models.JSONField(_("destinataires"), default=list)
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("rappel d'échéance")
        verbose_name_plural = _("rappels d'échéance")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "deadline"], name="grants_office_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.kind} {self.deadline}"


class UserQueuePreference(models.Model):
    """The columns an instructor chose to see in the queue (kept across sessions and devices).

    Column keys are those of ``bouclier.grants_office.columns.COLUMNS``; an unknown key (a
    column removed since) is ignored when read.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants_queue_preference"
    )
    columns = models.JSONField(_("colonnes affichées"), default=list)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("colonnes de la file d'instruction")
        verbose_name_plural = _("colonnes de la file d'instruction")

    def __str__(self) -> str:
        return f"{self.user} – {', '.join(self.columns)}"


class DashboardSummary(models.Model):
    """The dashboard's figures of one year × aid line × EPCI, kept in step with the files.

    A derived table: ``bouclier.grants_office.summary`` recomputes a row inside the transaction
    that changes one of its files, and ``manage.py rebuild_grants_summary`` (also a scheduled
    job) rebuilds it all from the files. Reading it keeps the dashboard's cost independent of
    the number of files.
    """

    year = models.PositiveIntegerField(_("année de dépôt"))
    aid_line = models.ForeignKey(AidLine, on_delete=models.CASCADE, related_name="+")
    # NULL: an applicant in no EPCI (shown as "—").
    epci = models.ForeignKey(
        "territory.Epci", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    files = models.PositiveIntegerField(_("dossiers déposés"), default=0)
    requested = models.DecimalField(
        _("montant demandé"), max_digits=14, decimal_places=2, default=0
    )
    granted = models.DecimalField(_("montant accordé"), max_digits=14, decimal_places=2, default=0)
    paid = models.DecimalField(_("montant versé"), max_digits=14, decimal_places=2, default=0)
    cameras = models.PositiveIntegerField(_("caméras financées"), default=0)
    decided = models.PositiveIntegerField(_("dossiers votés"), default=0)
    # Summed exactly (microseconds) so that the mean matches a direct computation.
    vote_seconds = models.DecimalField(
        _("durées du dépôt au vote (secondes)"), max_digits=20, decimal_places=6, default=0
    )

    class Meta:
        verbose_name = _("synthèse du tableau de bord des aides")
        verbose_name_plural = _("synthèses du tableau de bord des aides")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "aid_line", "epci"],
                name="grants_office_summary_once",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} – {self.aid_line_id} – {self.epci_id}"


class DashboardReach(models.Model):
    """How many funded files one commune, or one EPCI as a whole, holds in a year.

    Kept beside ``DashboardSummary`` because "communes reached" is a union (a commune reached
    by two aid lines counts once): it cannot be summed from the summary's rows.
    """

    year = models.PositiveIntegerField(_("année de dépôt"))
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    epci = models.ForeignKey(
        "territory.Epci", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    funded = models.PositiveIntegerField(_("dossiers financés"), default=0)

    class Meta:
        verbose_name = _("communes aidées du tableau de bord")
        verbose_name_plural = _("communes aidées du tableau de bord")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "commune", "epci"],
                name="grants_office_reach_once",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} – {self.commune_id or self.epci_id}"
