"""Forms of the Département's side; every bad input gets a French message at its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.models import User
from bouclier.grants.forms import AMOUNT_ERRORS, AmountField
from bouclier.grants.models import AidLine
from bouclier.grants.models_files import State
from bouclier.grants_office.models import Outcome, Session
from bouclier.territory.models import Epci

MAX_AMOUNT = Decimal("100000000")
DATE_ERRORS = {
    "invalid": _("Saisissez une date, par exemple 31/12/2026."),
    "required": _("Indiquez la date."),
}


def amount(label: Any, *, required: bool = True, help_text: Any = "") -> AmountField:
    return AmountField(
        label=label,
        required=required,
        help_text=help_text,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            **AMOUNT_ERRORS,
            "required": _("Indiquez le montant."),
            "min_value": _("Le montant doit être positif."),
            "max_value": _("Montant manifestement excessif."),
        },
    )


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )


class QueueForm(forms.Form):
    etat = forms.ChoiceField(label=_("État"), required=False)
    dispositif = forms.ChoiceField(label=_("Dispositif"), required=False)
    epci = forms.ChoiceField(label=_("Intercommunalité"), required=False)
    echeance = date_field(_("Échéance au plus tard le"), required=False)
    tri = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[
            ("depot", _("date de dépôt (plus ancien d'abord)")),
            ("-depot", _("date de dépôt (plus récent d'abord)")),
            ("echeance", _("échéance la plus proche")),
            ("montant", _("aide demandée croissante")),
            ("-montant", _("aide demandée décroissante")),
            ("demandeur", _("demandeur")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(
            "etat", [(v, label) for v, label in State.choices if v != State.DRAFT], _("Tous")
        )
        self._choices("dispositif", list(AidLine.objects.values_list("code", "name")), _("Tous"))
        self._choices(
            "epci",
            [(str(pk), name) for pk, name in Epci.objects.values_list("pk", "name")],
            _("Toutes"),
        )

    def _field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def _choices(self, name: str, choices: list[tuple[str, Any]], empty: Any) -> None:
        field = self._field(name)
        field.choices = [("", empty), *choices]
        field.error_messages = {"invalid_choice": _("Choix inconnu.")}


class OpinionRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail de la personne consultée"),
        help_text=_("Par exemple le référent sûreté de la police ou de la gendarmerie."),
        error_messages={"invalid": _("Saisissez une adresse e-mail valide.")},
    )
    question = forms.CharField(
        label=_("Question posée"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = date_field(_("Avis attendu avant le"))

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Aucun compte actif ne porte cette adresse."))
        return user


class AdjustmentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    retained_base = amount(_("Base éligible retenue (€ HT)"))
    reason = forms.CharField(
        label=_("Justification"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Justifiez l'ajustement.")},
    )


class ProposeForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("Séance de la Commission permanente"),
        queryset=Session.objects.none(),
        error_messages={
            "required": _("Choisissez une séance."),
            "invalid_choice": _("Séance inconnue."),
        },
    )
    amount = amount(
        _("Montant proposé (€)"),
        required=False,
        help_text=_("Vide : l'aide calculée (ou ajustée)."),
    )

    def __init__(self, *args: Any, sessions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sessions


class SessionForm(forms.Form):
    date = date_field(_("Date de la séance"))
    proposal_deadline = date_field(_("Date limite des propositions"))
    title = forms.CharField(label=_("Intitulé (facultatif)"), max_length=200, required=False)


class EnvelopeForm(forms.Form):
    year = forms.IntegerField(
        label=_("Exercice"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("Saisissez une année, par exemple 2026."),
            "min_value": _("Année invalide."),
            "max_value": _("Année invalide."),
            "required": _("Indiquez l'exercice."),
        },
    )
    aid_line = forms.ModelChoiceField(
        label=_("Dispositif"),
        queryset=AidLine.objects.all(),
        error_messages={
            "required": _("Choisissez un dispositif."),
            "invalid_choice": _("Dispositif inconnu."),
        },
    )
    amount = amount(_("Autorisation d'engagement (€)"))


class VoteForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Vote"),
        choices=[(v, label) for v, label in Outcome.choices if v != Outcome.PENDING],
        error_messages={"required": _("Choisissez le vote."), "invalid_choice": _("Vote inconnu.")},
    )
    amount = amount(
        _("Montant accordé (€)"), required=False, help_text=_("Vide : le montant proposé.")
    )
    deliberation_number = forms.CharField(
        label=_("Numéro de délibération"), max_length=50, required=False
    )
    reason = forms.CharField(
        label=_("Motif (refus ou ajournement)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OpinionForm(forms.Form):
    favourable = forms.ChoiceField(
        label=_("Sens de l'avis"),
        choices=[("1", _("Favorable")), ("0", _("Défavorable")), ("", _("Réservé"))],
        required=False,
    )
    answer = forms.CharField(
        label=_("Avis motivé"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Rédigez l'avis.")},
    )


class PeriodForm(forms.Form):
    du = date_field(_("Du"), required=False)
    au = date_field(_("Au"), required=False)
