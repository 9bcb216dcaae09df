"""The instructor queue's configurable columns: the fixed list, the default choice, the form
that changes it and what each chosen column needs fetched for the page shown.

The file's number is always shown (it is the row header and the link to the file); the other
columns are chosen among ``COLUMNS``. Extra data (EPCI names, instructors) is fetched once per
page, never per row, and only when its column is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.models import User
from bouclier.audit.models import AuditEntry
from bouclier.grants.models_files import Application
from bouclier.grants_office.models import UserQueuePreference
from bouclier.territory.models import Epci

# Key -> header, in the order shown.
COLUMNS: dict[str, Any] = {
    "demandeur": _("Demandeur"),
    "epci": _("Intercommunalité"),
    "dispositif": _("Dispositif"),
    "depot": _("Déposé le"),
    "etat": _("État"),
    "echeance": _("Échéance"),
    "base": _("Base éligible (€ HT)"),
    "aide": _("Aide calculée"),
    "accorde": _("Aide accordée"),
    "instructeur": _("Instructeur"),
}
# The columns the queue showed before they could be chosen, in display order.
DEFAULT_COLUMNS = ("demandeur", "dispositif", "depot", "etat", "echeance", "aide")
APPLICATION_LABEL = Application._meta.label_lower


def columns_of(user: User) -> list[str]:
    """The user's chosen columns in display order, or the default ones."""
    preference = UserQueuePreference.objects.filter(user=user).first()
    chosen = set(preference.columns) if preference is not None else set(DEFAULT_COLUMNS)
    return [key for key in COLUMNS if key in chosen]


class ColumnsForm(forms.Form):
    colonnes = forms.MultipleChoiceField(
        label=_("Colonnes affichées"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(COLUMNS.items()),
        error_messages={"invalid_choice": _("Colonne inconnue : %(value)s.")},
    )


def instructors_of(pks: Sequence[int]) -> dict[int, str]:
    """Who started the instruction of each file (from the journal): two queries per page."""
    started = (
        AuditEntry.objects.filter(
            object_type=APPLICATION_LABEL,
            object_id__in=[str(pk) for pk in pks],
            action="grants.application.instruction_started",
        )
        .order_by("sequence")
        .values_list("object_id", "actor_id", "actor_label")
    )
    rows = list(started)
    names = {u.pk: str(u) for u in User.objects.filter(pk__in={a for _o, a, _l in rows if a})}
    # The latest start wins: a file sent back and taken up again shows who took it up.
    return {int(obj): names.get(actor or 0, label) for obj, actor, label in rows}


def cells(files: Iterable[Application], columns: Sequence[str]) -> list[tuple[Application, Any]]:
    """Each file of the page with the extra values its chosen columns need."""
    page = list(files)
    epcis: dict[int, str] = {}
    instructors: dict[int, str] = {}
    if "epci" in columns:
        epcis = dict(Epci.objects.values_list("pk", "name"))
    if "instructeur" in columns:
        instructors = instructors_of([f.pk for f in page])
    return [
        (
            f,
            {
                "epci": epcis.get(getattr(f, "epci_id", None) or 0, ""),
                "instructeur": instructors.get(f.pk, ""),
            },
        )
        for f in page
    ]
