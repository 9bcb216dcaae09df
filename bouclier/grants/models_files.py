"""The application file ("dossier") and what hangs on it: lines, cameras, funders, documents.

A file belongs to an organisation (a commune or an EPCI). While it is a draft, the applicant
edits it freely; at submission the parameter set in force that day is frozen into
``parameters_snapshot`` together with the computed amount and its explanation, so that a later
change of the règlement never alters it silently. ``version`` is the optimistic lock: every
write through ``bouclier.grants.services.applications`` checks and increments it.

State changes happen only in ``bouclier.grants.services.applications``; the Département's
side (sessions, votes, envelopes, payments export) will hang on the fields kept here.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from bouclier.accounts.models import Organisation
from bouclier.grants.models import AidLine, ParameterSet


class State(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    INCOMPLETE = "incomplete", _("Incomplet (pièces demandées)")
    UNDER_INSTRUCTION = "under_instruction", _("En instruction")
    PROPOSED = "proposed", _("Proposé à une commission")
    GRANTED = "granted", _("Aide accordée")
    REFUSED = "refused", _("Aide refusée")
    WITHDRAWN = "withdrawn", _("Retiré par le demandeur")
    NOTIFIED = "notified", _("Notifié")
    ADVANCE_PAID = "advance_paid", _("Avance versée")
    BALANCE_PAID = "balance_paid", _("Solde versé (clos)")
    LAPSED = "lapsed", _("Caduc")


class LinkRequestStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REJECTED = "rejected", _("Refusée")


class LinkRequest(models.Model):
    """A person asks to act for a commune or an EPCI as an applicant."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grants_link_requests",
        verbose_name=_("demandeur"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="grants_link_requests",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=LinkRequestStatus.choices,
        default=LinkRequestStatus.PENDING,
    )
    note = models.CharField(_("fonction ou précision"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de rattachement")
        verbose_name_plural = _("demandes de rattachement")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(status="pending"),
                name="grants_one_pending_link_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


class Application(models.Model):
    """A request for aid by a commune or an EPCI, from draft to balance payment."""

    number = models.CharField(_("numéro"), max_length=20, blank=True, db_index=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="grant_applications",
        verbose_name=_("demandeur"),
    )
    aid_line = models.ForeignKey(
        AidLine, on_delete=models.PROTECT, related_name="applications", verbose_name=_("dispositif")
    )
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    beneficiary = models.CharField(_("type de bénéficiaire"), max_length=50, blank=True)
    conditions = models.JSONField(_("conditions déclarées"), default=list, blank=True)
    title = models.CharField(_("objet"), max_length=200, blank=True)
    description = models.TextField(_("description du projet"), blank=True)

    # Frozen at submission: the set in force that day, the amount and its explanation.
    parameter_set = models.ForeignKey(
        ParameterSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("jeu de paramètres appliqué"),
    )
    parameters_snapshot = models.JSONField(_("règlement appliqué (copie)"), null=True, blank=True)
    requested_amount = models.DecimalField(
        _("aide demandée (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    eligible_base = models.DecimalField(
        _("base éligible (€ HT)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    explanation = models.JSONField(_("explication du calcul"), default=list, blank=True)
    acknowledgement = models.FileField(_("accusé de réception"), upload_to="grants/ar/", blank=True)

    # Kept ready for the Département's side (sessions, votes, payments).
    proposed_amount = models.DecimalField(
        _("montant proposé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    granted_amount = models.DecimalField(
        _("montant accordé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deliberation_number = models.CharField(_("numéro de délibération"), max_length=50, blank=True)
    advance_paid = models.DecimalField(
        _("avance versée (€)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    balance_paid = models.DecimalField(
        _("solde versé (€)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    decision_reason = models.TextField(_("motif de la décision"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notifié le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dossier de demande d'aide")
        verbose_name_plural = _("dossiers de demande d'aide")
        indexes = [
            models.Index(fields=["organisation", "state"]),
            # The instructor's queue lists files by submission, 50 at a time: without this
            # index each page sorted every file (measured by bench/grants_pages.py).
            models.Index(fields=["submitted_at", "id"], name="grants_app_submitted_idx"),
        ]

    def __str__(self) -> str:
        return self.number or _("Brouillon n° %(pk)s") % {"pk": self.pk}

    @property
    def reference(self) -> str:
        return str(self)


class ExpenseItem(models.Model):
    """One expense line of a file: quantity x unit cost excluding VAT, with its quote."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="expense_items"
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    category = models.CharField(_("catégorie"), max_length=50)
    description = models.CharField(_("précision"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantité"), validators=[MinValueValidator(1)])
    unit_cost = models.DecimalField(
        _("coût unitaire HT (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    quote = models.ForeignKey(
        "grants.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("devis"),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("ligne de dépense")
        verbose_name_plural = _("lignes de dépense")

    def __str__(self) -> str:
        return f"{self.category} × {self.quantity}"


class CameraSite(models.Model):
    """Cameras planned at one place, and the per-unit bonus they may claim."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cameras")
    place = models.CharField(_("emplacement"), max_length=200)
    count = models.PositiveIntegerField(
        _("nombre de caméras"), validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    bonus = models.CharField(
        _("site couvert"),
        max_length=50,
        blank=True,
        help_text=_("Vide : la caméra ne couvre ni collège ni site départemental."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("emplacement de caméras")
        verbose_name_plural = _("emplacements de caméras")

    def __str__(self) -> str:
        return f"{self.place} ({self.count})"


class FunderStatus(models.TextChoices):
    PLANNED = "planned", _("À demander")
    REQUESTED = "requested", _("Demandé")
    OBTAINED = "obtained", _("Obtenu")


class Funder(models.Model):
    """Another funder of the project, as declared in the financing plan."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="funders")
    name = models.CharField(_("financeur"), max_length=200)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)
    is_public = models.BooleanField(_("financeur public"), default=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=FunderStatus.choices, default=FunderStatus.REQUESTED
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("autre financeur")
        verbose_name_plural = _("autres financeurs")

    def __str__(self) -> str:
        return self.name


# Documents that are not in a règlement's required list but that the chain needs.
EXTRA_DOCUMENT_KINDS: dict[str, StrOrPromise] = {
    "devis": _("Devis"),
    "debut_travaux": _("Justificatif de commencement des travaux"),
    "facture": _("Facture acquittée"),
    "etat_depenses": _("État récapitulatif des dépenses"),
    "autre": _("Autre pièce"),
}


class Document(models.Model):
    """One uploaded version of a document; a new upload of the same kind never replaces it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("pièce"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    file = models.FileField(_("fichier"), upload_to="grants/pieces/", max_length=300)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("pièce du dossier")
        verbose_name_plural = _("pièces du dossier")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "version"], name="grants_document_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"


class DocumentRequest(models.Model):
    """The instructor's request for missing documents, with its deadline."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="document_requests"
    )
    kinds = models.JSONField(_("pièces demandées"), default=list)
    message = models.TextField(_("message"), blank=True)
    deadline = models.DateField(_("à fournir avant le"))
    from_state = models.CharField(_("état d'origine"), max_length=20, choices=State.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    answer = models.TextField(_("réponse"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("demande de pièces")
        verbose_name_plural = _("demandes de pièces")

    def __str__(self) -> str:
        return f"{self.application} – {self.deadline}"


class Message(models.Model):
    """A message between the applicant and the instructors, visible to both sides."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_department = models.BooleanField(_("envoyé par le Département"), default=False)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.application} – {self.created_at:%d/%m/%Y}"


class Annotation(models.Model):
    """An instructor's private note: a separate model, so no applicant query can reach it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="annotations"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("annotation"), max_length=5000)
    created_at = models.DateTimeField(_("écrite le"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("annotation privée")
        verbose_name_plural = _("annotations privées")

    def __str__(self) -> str:
        return f"{self.application} – {self.created_at:%d/%m/%Y}"


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", _("Avance")
    BALANCE = "balance", _("Solde")


class PaymentRequest(models.Model):
    """The applicant's request for the advance or the balance, with its proofs."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="payment_requests"
    )
    kind = models.CharField(_("versement"), max_length=20, choices=PaymentKind.choices)
    declared_expenses = models.DecimalField(
        _("dépenses réalisées HT (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    documents = models.ManyToManyField(Document, related_name="+", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    paid_amount = models.DecimalField(
        _("montant versé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_at = models.DateTimeField(_("versé le"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("demande de versement")
        verbose_name_plural = _("demandes de versement")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"], name="grants_one_payment_request_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.get_kind_display()}"
