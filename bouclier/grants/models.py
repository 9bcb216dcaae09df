"""The règlement as dated data: aid lines and their parameter sets.

A parameter set holds every rule of one aid line from its validity start date until the next
set of that line starts (OpenFisca-style dated parameters). Scalar rules are columns; rules
that are naturally lists of structured entries (categories, bonuses, documents...) are JSON,
validated strictly by ``bouclier.grants.services.rules`` whenever the set is saved through a
form, so the grants manager edits them in the back office and never needs a code change.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bouclier.grants.services.rules import (
    JSON_READERS,
    MAX_DAYS,
    MAX_MONTHS,
    RuleError,
    Rules,
    parse_rules,
)

RATE_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class AidLine(models.Model):
    """An aid line ("dispositif") of the programme, e.g. video-protection."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("dispositif d'aide")
        verbose_name_plural = _("dispositifs d'aide")

    def __str__(self) -> str:
        return self.name


class ParameterSetQuerySet(models.QuerySet["ParameterSet"]):
    def published(self) -> ParameterSetQuerySet:
        return self.filter(is_published=True)

    def in_force(self, on_date: datetime.date) -> ParameterSetQuerySet:
        """Sets started on or before ``on_date``, the one in force first."""
        return self.published().filter(valid_from__lte=on_date).order_by("-valid_from")


class ParameterSet(models.Model):
    """Every rule of one aid line, in force from ``valid_from`` until the next set starts."""

    aid_line = models.ForeignKey(
        AidLine,
        on_delete=models.PROTECT,
        related_name="parameter_sets",
        verbose_name=_("dispositif"),
    )
    valid_from = models.DateField(_("en vigueur à partir du"))
    title = models.CharField(
        _("intitulé"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple « Règlement du 23 juin 2023 »."),
    )
    is_published = models.BooleanField(
        _("publié"),
        default=True,
        help_text=_(
            "Un jeu non publié est un brouillon : il ne s'applique à aucun dossier "
            "et n'apparaît pas sur la page du règlement."
        ),
    )
    base_rate = models.DecimalField(
        _("taux de base (%)"), max_digits=5, decimal_places=2, validators=RATE_VALIDATORS
    )
    per_file_ceiling = models.DecimalField(
        _("plafond de l'aide par dossier (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Vide : pas de plafond par dossier."),
    )
    public_funding_cap_rate = models.DecimalField(
        _("plafond des financements publics cumulés (% du coût HT)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        validators=RATE_VALIDATORS,
    )
    advance_share = models.DecimalField(
        _("part versée en avance (%)"),
        max_digits=5,
        decimal_places=2,
        validators=RATE_VALIDATORS,
    )
    completeness_deadline_days = models.PositiveSmallIntegerField(
        _("délai pour compléter le dossier (jours)"),
        validators=[MaxValueValidator(MAX_DAYS)],
    )
    works_start_deadline_months = models.PositiveSmallIntegerField(
        _("délai de commencement des travaux après notification (mois)"),
        validators=[MaxValueValidator(MAX_MONTHS)],
    )
    balance_request_deadline_months = models.PositiveSmallIntegerField(
        _("délai de demande du solde après notification (mois)"),
        validators=[MaxValueValidator(MAX_MONTHS)],
    )
    beneficiaries = models.JSONField(
        _("bénéficiaires éligibles"),
        default=list,
        help_text=_(
            'Liste de {"code", "libelle", "source": {"origine": "publique|loi|reconstruction",'
            ' "note"}}.'
        ),
    )
    expense_categories = models.JSONField(
        _("catégories de dépenses éligibles"),
        default=list,
        help_text=_(
            'Liste de {"code", "libelle", "unite", "plafond_unitaire" (€ HT ou null),'
            ' "beneficiaires" (codes, vide : tous), "bonifiable" (true/false), "source"}.'
        ),
    )
    ineligible_categories = models.JSONField(
        _("catégories de dépenses non éligibles"),
        default=list,
        blank=True,
        help_text=_('Liste de {"code", "libelle", "motif", "source"}.'),
    )
    rate_bonuses = models.JSONField(
        _("bonifications de taux sous condition"),
        default=list,
        blank=True,
        help_text=_(
            'Liste de {"code", "libelle", "points" (points de pourcentage ajoutés au taux),'
            ' "source"} ; elles s\'appliquent aux catégories « bonifiables ».'
        ),
    )
    unit_bonuses = models.JSONField(
        _("bonifications par unité"),
        default=list,
        blank=True,
        help_text=_(
            'Liste de {"code", "libelle", "unite", "montant_par_unite", "mode" ("aide" :'
            ' ajoutée à l\'aide au-delà du plafond par dossier ; "plafond" : majore seulement'
            ' le plafond), "categories_comptees" (codes), "source"}.'
        ),
    )
    exceptional_ceilings = models.JSONField(
        _("plafonds exceptionnels par dossier"),
        default=list,
        blank=True,
        help_text=_('Liste de {"code", "libelle", "plafond" (€), "source"}.'),
    )
    required_documents = models.JSONField(
        _("pièces requises"),
        default=list,
        blank=True,
        help_text=_(
            'Liste de {"code", "libelle", "si_categories" (codes, facultatif),'
            ' "si_conditions" (codes, facultatif), "source"}.'
        ),
    )
    rule_sources = models.JSONField(
        _("sources des règles chiffrées"),
        default=dict,
        blank=True,
        help_text=_(
            'Objet {"base_rate": {"origine", "note"}, ...} : d\'où vient chaque valeur'
            " (taux, plafonds, délais, avance)."
        ),
    )
    remarks = models.JSONField(
        _("remarques"),
        default=list,
        blank=True,
        help_text=_('Liste de {"texte", "source"} : règles connues non modélisées, réserves.'),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ParameterSetQuerySet.as_manager()

    class Meta:
        ordering = ["aid_line__position", "-valid_from"]
        verbose_name = _("jeu de paramètres du règlement")
        verbose_name_plural = _("jeux de paramètres du règlement")
        constraints = [
            models.UniqueConstraint(
                fields=["aid_line", "valid_from"],
                name="grants_one_parameter_set_per_line_and_date",
                violation_error_message=_(
                    "Ce dispositif a déjà un jeu de paramètres commençant à cette date."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.aid_line} – {self.valid_from:%d/%m/%Y}"

    def snapshot(self) -> dict[str, Any]:
        """Every rule as plain JSON: what a file keeps of the set it was computed with."""
        return {
            "aid_line_code": self.aid_line.code,
            "aid_line_name": self.aid_line.name,
            "title": self.title,
            "valid_from": self.valid_from.isoformat(),
            "base_rate": str(self.base_rate),
            "per_file_ceiling": (
                None if self.per_file_ceiling is None else str(self.per_file_ceiling)
            ),
            "public_funding_cap_rate": str(self.public_funding_cap_rate),
            "advance_share": str(self.advance_share),
            "completeness_deadline_days": self.completeness_deadline_days,
            "works_start_deadline_months": self.works_start_deadline_months,
            "balance_request_deadline_months": self.balance_request_deadline_months,
            **{name: getattr(self, name) for name in JSON_READERS},
        }

    def rules(self) -> Rules:
        """The typed rules of this set (raises ``RuleError`` if its JSON is invalid)."""
        return parse_rules(self.snapshot())

    def clean(self) -> None:
        """Validate each JSON rule at its field, then the references between rules."""
        errors: dict[str, list[str]] = {}
        for name, reader in JSON_READERS.items():
            label = str(getattr(self._meta.get_field(name), "verbose_name", name))
            try:
                reader(getattr(self, name), label)
            except RuleError as error:
                errors.setdefault(name, []).append(str(error))
        if errors:
            raise ValidationError(errors)
        if self.aid_line_id is None or self.valid_from is None:
            return  # the form reports the missing field itself
        scalars = (
            "base_rate",
            "advance_share",
            "public_funding_cap_rate",
            "completeness_deadline_days",
            "works_start_deadline_months",
            "balance_request_deadline_months",
        )
        if any(getattr(self, name) is None for name in scalars):
            return  # idem: a missing number is reported at its field
        try:
            self.rules()
        except RuleError as error:
            raise ValidationError(str(error)) from None


# The application file's models live in their own module; importing them here registers them
# with the app (Django looks for models in ``models``) without a circular import at the top.
from bouclier.grants.models_files import (  # noqa: E402
    Annotation,
    Application,
    CameraSite,
    Document,
    DocumentRequest,
    ExpenseItem,
    Funder,
    LinkRequest,
    Message,
    PaymentRequest,
)

__all__ = [
    "AidLine",
    "Annotation",
    "Application",
    "CameraSite",
    "Document",
    "DocumentRequest",
    "ExpenseItem",
    "Funder",
    "LinkRequest",
    "Message",
    "ParameterSet",
    "PaymentRequest",
]
