"""Forms of the aid simulation: every amount bounded, every error in French at its field."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from bouclier.grants.services.computation import Application, ExpenseLine, OtherFunder
from bouclier.grants.services.rules import Rules

# Bounds beyond which a value is a typing error: they protect the page, not a policy.
MAX_QUANTITY = 10_000
MAX_UNIT_COST = Decimal("10000000")
MAX_FUNDER_AMOUNT = Decimal("100000000")
MAX_PROJECT_COST = Decimal("100000000")
MAX_LINES = 30
MAX_FUNDERS = 10

AMOUNT_ERRORS = {
    "required": _("Indiquez un montant."),
    "invalid": _("Saisissez un nombre, par exemple 1250,50."),
    "max_digits": _("Montant trop long."),
    "max_decimal_places": _("Deux décimales au plus (les centimes)."),
    "max_whole_digits": _("Montant trop long."),
}


class AmountField(forms.DecimalField):
    """A decimal as people write amounts in French: "30 000", "1 250,50 €"."""

    def to_python(self, value: Any) -> Any:  # the stubs type DecimalField as an int field
        if isinstance(value, str):
            for ignored in (" ", "\u00a0", "\u202f", "€"):
                value = value.replace(ignored, "")
        return super().to_python(value)


def _amount_field(label: Any, minimum: Decimal, maximum: Decimal, **errors: Any) -> Any:
    return AmountField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={**AMOUNT_ERRORS, **errors},
    )


def offer_categories(field: forms.Field, rules: Rules) -> None:
    """Offer the aid line's expense categories, eligible then not, after a blank choice.

    The blank choice keeps untouched rows of a formset unchanged, so they are ignored.
    """
    assert isinstance(field, forms.ChoiceField)
    field.choices = [
        ("", "—"),
        (_("Dépenses du dispositif"), [(c.code, c.label) for c in rules.expense_categories]),
        (_("Dépenses non éligibles"), [(c.code, c.label) for c in rules.ineligible_categories]),
    ]
    field.error_messages = {
        "required": _("Choisissez une catégorie."),
        "invalid_choice": _("Catégorie inconnue pour ce dispositif."),
    }


class ExpenseLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Catégorie de dépense"))
    quantity = forms.IntegerField(
        label=_("Quantité"),
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("Indiquez une quantité."),
            "invalid": _("Saisissez un nombre entier, par exemple 3."),
            "min_value": _("La quantité doit être d'au moins 1."),
            "max_value": _("Quantité manifestement excessive (%(limit_value)s au plus)."),
        },
    )
    unit_cost = _amount_field(
        _("Coût unitaire HT (€)"),
        Decimal("0.01"),
        MAX_UNIT_COST,
        min_value=_("Le coût unitaire doit être supérieur à zéro."),
        max_value=_("Coût unitaire manifestement excessif (%(limit_value)s € au plus)."),
    )

    def __init__(self, *args: Any, rules: Rules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_categories(self.fields["category"], rules)


if TYPE_CHECKING:
    # Subscripted only for the type checker: Django's BaseFormSet is not generic at run time.
    ExpenseFormSetBase = BaseFormSet[ExpenseLineForm]
    FunderFormSetBase = BaseFormSet["FunderForm"]
else:
    ExpenseFormSetBase = FunderFormSetBase = BaseFormSet


class BaseExpenseLineFormSet(ExpenseFormSetBase):
    def clean(self) -> None:
        if any(self.errors):
            return
        lines = [form.cleaned_data for form in self.forms if form.has_changed()]
        if not lines:
            raise forms.ValidationError(_("Saisissez au moins une ligne de dépense."))
        total = sum((line["quantity"] * line["unit_cost"] for line in lines), Decimal(0))
        if total > MAX_PROJECT_COST:
            raise forms.ValidationError(
                _("Coût total manifestement excessif (%(max)s € au plus).")
                % {"max": f"{MAX_PROJECT_COST:,}".replace(",", "\u202f")}
            )

    def expense_lines(self) -> tuple[ExpenseLine, ...]:
        return tuple(
            ExpenseLine(
                category=form.cleaned_data["category"],
                quantity=form.cleaned_data["quantity"],
                unit_cost=form.cleaned_data["unit_cost"],
            )
            for form in self.forms
            if form.has_changed()
        )


class FunderForm(forms.Form):
    PUBLIC, PRIVATE = "public", "prive"

    name = forms.CharField(
        label=_("Autre financeur"),
        max_length=200,
        error_messages={"required": _("Nommez le financeur (Région, État…).")},
    )
    amount = _amount_field(
        _("Montant (€)"),
        Decimal(0),
        MAX_FUNDER_AMOUNT,
        min_value=_("Le montant ne peut pas être négatif."),
        max_value=_("Montant manifestement excessif (%(limit_value)s € au plus)."),
    )
    nature = forms.ChoiceField(
        label=_("Nature"),
        choices=[(PUBLIC, _("public")), (PRIVATE, _("privé"))],
        initial=PUBLIC,
        error_messages={"invalid_choice": _("Choisissez public ou privé.")},
    )

    def has_changed(self) -> bool:
        # The nature select always carries a value: a row counts once named or priced, so a
        # blank row is skipped whatever its nature says.
        return bool(self["name"].value() or self["amount"].value())


class BaseFunderFormSet(FunderFormSetBase):
    def other_funders(self) -> tuple[OtherFunder, ...]:
        return tuple(
            OtherFunder(
                name=form.cleaned_data["name"],
                amount=form.cleaned_data["amount"],
                is_public=form.cleaned_data["nature"] == FunderForm.PUBLIC,
            )
            for form in self.forms
            if form.has_changed()
        )


def expense_formset(rows: int) -> type[BaseExpenseLineFormSet]:
    return formset_factory(  # type: ignore[return-value]  # the stubs lose the subclass
        ExpenseLineForm,
        formset=BaseExpenseLineFormSet,
        extra=rows,
        max_num=MAX_LINES,
        absolute_max=MAX_LINES,
        validate_max=True,
    )


FunderFormSet: type[BaseFunderFormSet] = formset_factory(  # type: ignore[assignment]
    FunderForm,
    formset=BaseFunderFormSet,
    extra=3,
    max_num=MAX_FUNDERS,
    absolute_max=MAX_FUNDERS,
    validate_max=True,
)


class SimulationForm(forms.Form):
    beneficiary = forms.ChoiceField(label=_("Vous êtes"))
    conditions = forms.MultipleChoiceField(
        label=_("Conditions remplies"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, rules: Rules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules
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
        for bonus in rules.unit_bonuses:
            self.fields[f"bonus_{bonus.code}"] = forms.IntegerField(
                label=_("Nombre de %(unit)ss : %(label)s")
                % {"unit": bonus.unit_label, "label": bonus.label},
                required=False,
                min_value=0,
                max_value=MAX_QUANTITY,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                error_messages={
                    "invalid": _("Saisissez un nombre entier, par exemple 2."),
                    "min_value": _("Le nombre ne peut pas être négatif."),
                    "max_value": _("Nombre manifestement excessif (%(limit_value)s au plus)."),
                },
            )

    def bonus_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("bonus_")]

    def application(self, lines: BaseExpenseLineFormSet, funders: BaseFunderFormSet) -> Application:
        """The computation's input, from this form and its two valid formsets."""
        data = self.cleaned_data
        return Application(
            beneficiary=data["beneficiary"],
            expense_lines=lines.expense_lines(),
            conditions=frozenset(data.get("conditions", [])),
            bonus_units={
                bonus.code: data.get(f"bonus_{bonus.code}") or 0
                for bonus in self.rules.unit_bonuses
            },
            other_funders=funders.other_funders(),
        )
