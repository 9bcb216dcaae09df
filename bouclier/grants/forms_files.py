"""Forms of the application file: each step of the draft, uploads and the file's actions.

Every amount is bounded and every error is in French at its field. The expense, camera and
funder tables are formsets whose rows are all optional: a blank row is ignored, a half-filled
one is refused at the missing field, so that saved rows and new rows behave the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.models import Organisation
from bouclier.grants.forms import (
    MAX_FUNDER_AMOUNT,
    MAX_FUNDERS,
    MAX_LINES,
    MAX_PROJECT_COST,
    MAX_QUANTITY,
    MAX_UNIT_COST,
    AmountField,
    _amount_field,
    offer_categories,
)
from bouclier.grants.models import AidLine
from bouclier.grants.models_files import FunderStatus
from bouclier.grants.services.applications import CameraData, ExpenseData, FunderData
from bouclier.grants.services.rules import Rules

MAX_CAMERA_SITES = 30
TEXT = {"autocomplete": "off"}
NUMBER = {"inputmode": "numeric", "autocomplete": "off"}


class VersionForm(forms.Form):
    """The version of the file the person loaded: the optimistic lock travels with each form."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NewFileForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Demandeur"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Vous n'êtes pas rattaché(e) à ce demandeur.")},
    )
    aid_line = forms.ModelChoiceField(
        label=_("Dispositif"),
        queryset=AidLine.objects.all(),
        empty_label=None,
        error_messages={"invalid_choice": _("Dispositif inconnu.")},
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations


class ProjectForm(VersionForm):
    title = forms.CharField(
        label=_("Objet du projet"),
        max_length=200,
        error_messages={"required": _("Indiquez l'objet du projet.")},
    )
    description = forms.CharField(
        label=_("Description du projet"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    beneficiary = forms.ChoiceField(label=_("Vous êtes"))
    conditions = forms.MultipleChoiceField(
        label=_("Conditions remplies"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, rules: Rules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        beneficiary = self.fields["beneficiary"]
        assert isinstance(beneficiary, forms.ChoiceField)
        beneficiary.choices = [(b.code, b.label) for b in rules.beneficiaries]
        beneficiary.error_messages = {
            "required": _("Indiquez qui demande l'aide."),
            "invalid_choice": _("Bénéficiaire inconnu pour ce dispositif."),
        }
        conditions = self.fields["conditions"]
        assert isinstance(conditions, forms.MultipleChoiceField)
        conditions.choices = [(b.code, b.label) for b in rules.rate_bonuses] + [
            (c.code, c.label) for c in rules.exceptional_ceilings
        ]
        conditions.error_messages = {"invalid_choice": _("Condition inconnue.")}
        if not conditions.choices:
            del self.fields["conditions"]


def _optional_amount(label: Any, minimum: Decimal, maximum: Decimal, **errors: Any) -> Any:
    field = _amount_field(label, minimum, maximum, **errors)
    field.required = False
    return field


class ExpenseRowForm(forms.Form):
    category = forms.ChoiceField(label=_("Catégorie de dépense"), required=False)
    description = forms.CharField(
        label=_("Précision"), required=False, max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    quantity = forms.IntegerField(
        label=_("Quantité"),
        required=False,
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=forms.TextInput(attrs=NUMBER),
        error_messages={
            "invalid": _("Saisissez un nombre entier, par exemple 3."),
            "min_value": _("La quantité doit être d'au moins 1."),
            "max_value": _("Quantité manifestement excessive (%(limit_value)s au plus)."),
        },
    )
    unit_cost = _optional_amount(
        _("Coût unitaire HT (€)"),
        Decimal("0.01"),
        MAX_UNIT_COST,
        min_value=_("Le coût unitaire doit être supérieur à zéro."),
        max_value=_("Coût unitaire manifestement excessif (%(limit_value)s € au plus)."),
    )

    def __init__(self, *args: Any, rules: Rules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_categories(self.fields["category"], rules)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category"):
            if data.get("quantity") is None and "quantity" not in self.errors:
                self.add_error("quantity", _("Indiquez une quantité."))
            if data.get("unit_cost") is None and "unit_cost" not in self.errors:
                self.add_error("unit_cost", _("Indiquez un montant."))
        elif data.get("quantity") is not None or data.get("unit_cost") is not None:
            self.add_error("category", _("Choisissez une catégorie."))
        return data


if TYPE_CHECKING:
    ExpenseRowsBase = BaseFormSet[ExpenseRowForm]
    CameraRowsBase = BaseFormSet["CameraRowForm"]
    FunderRowsBase = BaseFormSet["FunderRowForm"]
else:
    ExpenseRowsBase = CameraRowsBase = FunderRowsBase = BaseFormSet


class ExpenseRows(ExpenseRowsBase):
    def clean(self) -> None:
        if any(self.errors):
            return
        total = sum(
            (line.quantity * line.unit_cost for line in self.lines()),
            Decimal(0),
        )
        if total > MAX_PROJECT_COST:
            raise forms.ValidationError(_("Coût total manifestement excessif."))

    def lines(self) -> list[ExpenseData]:
        return [
            ExpenseData(
                category=form.cleaned_data["category"],
                quantity=form.cleaned_data["quantity"],
                unit_cost=form.cleaned_data["unit_cost"],
                description=form.cleaned_data.get("description", ""),
            )
            for form in self.forms
            if form.cleaned_data.get("category")
        ]


class CameraRowForm(forms.Form):
    place = forms.CharField(
        label=_("Emplacement"), required=False, max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    count = forms.IntegerField(
        label=_("Nombre de caméras"),
        required=False,
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=forms.TextInput(attrs=NUMBER),
        error_messages={
            "invalid": _("Saisissez un nombre entier, par exemple 2."),
            "min_value": _("Au moins une caméra."),
            "max_value": _("Nombre manifestement excessif (%(limit_value)s au plus)."),
        },
    )
    bonus = forms.ChoiceField(label=_("Site couvert"), required=False)

    def __init__(self, *args: Any, rules: Rules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bonus"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Aucun site sensible"))] + [
            (b.code, b.label) for b in rules.unit_bonuses
        ]
        field.error_messages = {"invalid_choice": _("Choix inconnu.")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("place") and data.get("count") is None and "count" not in self.errors:
            self.add_error("count", _("Indiquez le nombre de caméras."))
        if not data.get("place") and (data.get("count") is not None or data.get("bonus")):
            self.add_error("place", _("Indiquez l'emplacement."))
        return data


class CameraRows(CameraRowsBase):
    def cameras(self) -> list[CameraData]:
        return [
            CameraData(f.cleaned_data["place"], f.cleaned_data["count"], f.cleaned_data["bonus"])
            for f in self.forms
            if f.cleaned_data.get("place")
        ]


class FunderRowForm(forms.Form):
    name = forms.CharField(
        label=_("Financeur"), required=False, max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    amount = _optional_amount(
        _("Montant (€)"),
        Decimal(0),
        MAX_FUNDER_AMOUNT,
        min_value=_("Le montant ne peut pas être négatif."),
        max_value=_("Montant manifestement excessif (%(limit_value)s € au plus)."),
    )
    is_public = forms.TypedChoiceField(
        label=_("Nature"),
        choices=[("1", _("public")), ("0", _("privé"))],
        coerce=lambda value: value == "1",
        initial="1",
    )
    status = forms.ChoiceField(
        label=_("Statut"), choices=FunderStatus.choices, initial=FunderStatus.REQUESTED
    )

    def has_changed(self) -> bool:
        # The selects always carry a value: a row counts once named or priced.
        return bool(self["name"].value() or self["amount"].value())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Indiquez un montant."))
        if not data.get("name") and data.get("amount") is not None:
            self.add_error("name", _("Nommez le financeur (Région, État…)."))
        return data


class FunderRows(FunderRowsBase):
    def funders(self) -> list[FunderData]:
        return [
            FunderData(
                f.cleaned_data["name"],
                f.cleaned_data["amount"],
                f.cleaned_data["is_public"],
                f.cleaned_data["status"],
            )
            for f in self.forms
            if f.cleaned_data.get("name")
        ]


def rows(form: type[forms.Form], base: type[Any], maximum: int, extra: int) -> Any:
    return formset_factory(
        form,
        formset=base,
        extra=extra,
        max_num=maximum,
        absolute_max=maximum,
        validate_max=True,
    )


def expense_rows(existing: int) -> type[ExpenseRows]:
    return rows(ExpenseRowForm, ExpenseRows, MAX_LINES, 3 if existing else 5)  # type: ignore[no-any-return]


def camera_rows(existing: int) -> type[CameraRows]:
    return rows(CameraRowForm, CameraRows, MAX_CAMERA_SITES, 3)  # type: ignore[no-any-return]


def funder_rows(existing: int) -> type[FunderRows]:
    return rows(FunderRowForm, FunderRows, MAX_FUNDERS, 3)  # type: ignore[no-any-return]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Pièce"))
    file = forms.FileField(
        label=_("Fichier (PDF, JPEG ou PNG)"),
        error_messages={
            "required": _("Choisissez un fichier."),
            "empty": _("Le fichier est vide."),
            "invalid": _("Aucun fichier reçu : recommencez."),
        },
    )

    def __init__(self, *args: Any, kinds: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(kinds)
        field.error_messages = {
            "required": _("Choisissez le type de pièce."),
            "invalid_choice": _("Type de pièce inconnu pour ce dossier."),
        }


class TextForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Écrivez le message.")},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif.")},
    )


class BalanceForm(forms.Form):
    declared_expenses = AmountField(
        label=_("Dépenses réalisées HT (€)"),
        min_value=Decimal("0.01"),
        max_value=MAX_PROJECT_COST,
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": _("Indiquez le montant des dépenses réalisées."),
            "invalid": _("Saisissez un nombre, par exemple 1250,50."),
            "min_value": _("Le montant doit être positif."),
            "max_value": _("Montant manifestement excessif."),
            "max_decimal_places": _("Deux décimales au plus (les centimes)."),
            "max_digits": _("Montant trop long."),
            "max_whole_digits": _("Montant trop long."),
        },
    )


class DocumentRequestForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Pièces demandées"), required=False, widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("Message au demandeur"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deadline = forms.DateField(
        label=_("À fournir avant le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Vide : le délai du règlement appliqué au dossier."),
        error_messages={"invalid": _("Saisissez une date, par exemple 31/12/2026.")},
    )

    def __init__(self, *args: Any, kinds: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kinds"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = list(kinds)
        field.error_messages = {"invalid_choice": _("Pièce inconnue.")}


class LinkSearchForm(forms.Form):
    q = forms.CharField(
        label=_("SIREN ou nom de la commune ou de l'intercommunalité"),
        max_length=100,
        required=False,
    )
