"""Forms of the operator console: input checked at the field, in French.

Several forms share the incident page, so each has its own prefix (unique field ids).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bouclier.supervision.models import AccessRecord, Incident, IncidentAction


class ReasonForm(forms.Form):
    prefix = "view"
    reason = forms.CharField(
        label=_("Motif de la consultation"),
        max_length=500,
        help_text=_("Inscrit au registre des accès (qui, quand, pourquoi, quelle caméra)."),
    )


class QualifyForm(forms.Form):
    prefix = "qualify"
    qualification = forms.ChoiceField(
        label=_("Qualification"), choices=Incident.Qualification.choices
    )
    cause = forms.ChoiceField(label=_("Cause"), choices=Incident.Cause.choices)
    note = forms.CharField(
        label=_("Ce qui a été constaté"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


ACTION_KINDS = [
    (kind.value, kind.label) for kind in IncidentAction.Kind if kind != IncidentAction.Kind.HOLD
]


class ActionForm(forms.Form):
    prefix = "action"
    kind = forms.ChoiceField(label=_("Action"), choices=ACTION_KINDS)
    at = forms.TimeField(
        label=_("Heure"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Vide : maintenant."),
    )
    service = forms.CharField(label=_("Service appelé"), max_length=200, required=False)
    reference = forms.CharField(
        label=_("Référence donnée"),
        max_length=100,
        required=False,
        help_text=_("Numéro d'intervention ou nom de l'interlocuteur."),
    )
    recipient = forms.EmailField(
        label=_("Destinataire de l'e-mail"), required=False, max_length=300
    )
    note = forms.CharField(
        label=_("Observation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean_at(self) -> dt.datetime | None:
        value: dt.time | None = self.cleaned_data.get("at")
        if value is None:
            return None
        now = timezone.localtime()
        moment = now.replace(hour=value.hour, minute=value.minute, second=0, microsecond=0)
        # An hour later than now means yesterday (an action noted just after midnight).
        if moment > now + dt.timedelta(minutes=1):
            moment -= dt.timedelta(days=1)
        return moment


class HoldForm(forms.Form):
    prefix = "hold"
    reason = forms.CharField(label=_("En attente de"), max_length=500)


class CloseForm(forms.Form):
    prefix = "close"
    note = forms.CharField(
        label=_("Observation de clôture"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class LogbookForm(forms.Form):
    text = forms.CharField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 3}))
    incident = forms.IntegerField(
        label=_("Incident n°"), required=False, min_value=1, help_text=_("Facultatif.")
    )


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("Personne, caméra ou motif"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Toutes")), *AccessRecord.Action.choices],
    )
    start = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("La fin précède le début."))
        return data
