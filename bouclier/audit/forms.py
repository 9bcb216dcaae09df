"""Search form of the journal page."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bouclier.audit.models import AuditEntry


class JournalSearchForm(forms.Form):
    actor = forms.CharField(label=_("Auteur (e-mail)"), required=False)
    action = forms.CharField(
        label=_("Action (début du code)"),
        required=False,
        help_text=_("Par exemple : accounts.user"),
    )
    target = forms.CharField(label=_("Objet (nom ou identifiant)"), required=False)
    ip_address = forms.GenericIPAddressField(label=_("Adresse IP"), required=False)
    date_from = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and start > end:
            self.add_error("date_to", _("La date de fin précède la date de début."))
        return data

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.cleaned_data
        if data.get("actor"):
            entries = entries.filter(actor_label__icontains=data["actor"])
        if data.get("action"):
            entries = entries.filter(action__startswith=data["action"])
        if data.get("target"):
            entries = entries.filter(
                Q(object_repr__icontains=data["target"]) | Q(object_id=data["target"])
            )
        if data.get("ip_address"):
            entries = entries.filter(ip_address=data["ip_address"])
        if data.get("date_from"):
            entries = entries.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(created_at__date__lte=data["date_to"])
        return entries

    def filters(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.cleaned_data.items() if value}
