"""Forms of the brigade's pages: input checked at the field, in French.

Free-text fields warn against names; when a text holds a capitalised word that looks like a
first name, the form refuses it once and asks the writer to confirm (or to use the pupil's
code or initials instead).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.models import User
from bouclier.mediation.models import (
    Category,
    Level,
    Presence,
    PreventionAction,
    Pupil,
    Referral,
    Severity,
    Situation,
)
from bouclier.mediation.names import likely_first_names
from bouclier.territory.models import College

NO_NAMES = _(
    "N'écrivez aucun nom d'élève : utilisez son code ou ses initiales, et le minimum utile."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"


class NameCheckForm(forms.Form):
    """A form whose free-text fields are checked for likely first names before saving."""

    free_text_fields: tuple[str, ...] = ()
    confirm_names = forms.BooleanField(
        label=_("Je confirme que ce texte ne désigne aucun élève par son nom"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names_flagged = False
        for name in self.free_text_fields:
            if name in self.fields and not self.fields[name].help_text:
                self.fields[name].help_text = NO_NAMES

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("confirm_names"):
            return cleaned
        for name in self.free_text_fields:
            found = likely_first_names(str(cleaned.get(name) or ""))
            if found:
                self.names_flagged = True
                self.add_error(
                    name,
                    _(
                        "Ce texte semble contenir un prénom (%(names)s). Remplacez-le par le "
                        "code ou les initiales de l'élève, ou cochez la confirmation si ce "
                        "n'est pas un nom d'élève."
                    )
                    % {"names": ", ".join(found)},
                )
        return cleaned

    @property
    def show_confirmation(self) -> bool:
        return self.names_flagged or bool(self.data.get(self.add_prefix("confirm_names")))


class RequestForm(NameCheckForm):
    free_text_fields = ("description", "preferred_slots")
    college = forms.ModelChoiceField(label=_("Collège"), queryset=College.objects.none())
    urgent = forms.BooleanField(
        label=_("Urgent : une réponse de la brigade est attendue dans la journée"),
        required=False,
    )
    kind = forms.ChoiceField(label=_("Nature de la situation"), choices=Category.choices)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        help_text=_(
            "Décrivez les faits sans aucun nom d'élève : classe, initiales au plus, ce qui "
            "s'est passé et depuis quand."
        ),
    )
    preferred_slots = forms.CharField(
        label=_("Créneaux souhaités"),
        required=False,
        max_length=300,
        help_text=_("Par exemple : mardi matin, jeudi 14 h – 16 h."),
    )
    field_order = ["college", "urgent", "kind", "description", "preferred_slots", "confirm_names"]

    def __init__(self, *args: Any, colleges: QuerySet[College], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["college"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = colleges
        if colleges.count() == 1:
            field.initial = colleges.first()


class PlanForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Date et heure de l'intervention"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SituationCreateForm(NameCheckForm):
    free_text_fields = ("summary",)
    college = forms.ModelChoiceField(label=_("Collège"), queryset=College.objects.none())
    category = forms.ChoiceField(label=_("Catégorie"), choices=Category.choices)
    severity = forms.TypedChoiceField(
        label=_("Gravité"), choices=Severity.choices, coerce=int, initial=Severity.LOCAL
    )
    summary = forms.CharField(
        label=_("Faits constatés"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    field_order = ["college", "category", "severity", "summary", "confirm_names"]

    def __init__(self, *args: Any, colleges: QuerySet[College], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["college"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = colleges


class SituationEditForm(NameCheckForm):
    free_text_fields = ("summary", "assessment")
    version = forms.IntegerField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("Catégorie"), choices=Category.choices)
    severity = forms.TypedChoiceField(label=_("Gravité"), choices=Severity.choices, coerce=int)
    summary = forms.CharField(
        label=_("Faits constatés"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    assessment = forms.CharField(
        label=_("Évaluation"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    field_order = ["version", "category", "severity", "summary", "assessment", "confirm_names"]


class InterventionForm(VersionedForm):
    method = forms.ChoiceField(label=_("Méthode"), choices=Situation.Method.choices)
    on = forms.DateField(label=_("Date de l'intervention"), widget=DateInput())


class ClosureForm(NameCheckForm):
    free_text_fields = ("note",)
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Issue"), choices=Situation.Outcome.choices)
    note = forms.CharField(
        label=_("Bilan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["version", "outcome", "note", "confirm_names"]


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("Motif"), max_length=500)


class PupilForm(forms.Form):
    code = forms.CharField(
        label=_("Code pseudonyme"),
        required=False,
        max_length=20,
        help_text=_("Laissez vide pour en générer un ; reprenez le code d'un élève déjà suivi."),
    )
    initials = forms.CharField(
        label=_("Initiales"), required=False, max_length=5, help_text=_("Au plus trois lettres.")
    )
    level = forms.ChoiceField(label=_("Niveau"), choices=Level.choices)
    role = forms.ChoiceField(label=_("Rôle"), choices=Pupil.Part.choices)

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip().upper()
        if code:
            Pupil._meta.get_field("code").run_validators(code)
        return code

    def clean_initials(self) -> str:
        initials = str(self.cleaned_data["initials"]).strip().upper()
        if initials:
            Pupil._meta.get_field("initials").run_validators(initials)
        return initials


class FollowUpForm(NameCheckForm):
    free_text_fields = ("notes",)
    due_on = forms.DateField(label=_("Prévu le"), widget=DateInput())
    done_on = forms.DateField(label=_("Réalisé le"), required=False, widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["due_on", "done_on", "notes", "confirm_names"]


class CompleteFollowUpForm(NameCheckForm):
    free_text_fields = ("notes",)
    done_on = forms.DateField(label=_("Réalisé le"), widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["done_on", "notes", "confirm_names"]


class ReferralForm(NameCheckForm):
    free_text_fields = ("reason",)
    partner = forms.ChoiceField(label=_("Partenaire"), choices=Referral.Partner.choices)
    referred_on = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}))
    ground = forms.ChoiceField(
        label=_("Accord recueilli ou base légale"), choices=Referral.Ground.choices
    )
    field_order = ["partner", "referred_on", "reason", "ground", "confirm_names"]


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=Referral.Status.choices)


class MediatorChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class PreventionForm(forms.Form):
    college = forms.ModelChoiceField(label=_("Collège"), queryset=College.objects.none())
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Type"), choices=PreventionAction.Kind.choices)
    theme = forms.ChoiceField(label=_("Thème"), choices=PreventionAction.Theme.choices)
    classes = forms.CharField(
        label=_("Classes"), max_length=200, help_text=_("Par exemple : 5e A, 5e B")
    )
    levels = forms.MultipleChoiceField(
        label=_("Niveaux"), choices=Level.choices, widget=forms.CheckboxSelectMultiple
    )
    pupils_reached = forms.IntegerField(label=_("Élèves touchés"), min_value=1, max_value=2000)
    duration_minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=10, max_value=600)
    mediators = MediatorChoiceField(
        label=_("Médiateurs"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        colleges: QuerySet[College],
        mediators: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        college = self.fields["college"]
        assert isinstance(college, forms.ModelChoiceField)
        college.queryset = colleges
        chosen = self.fields["mediators"]
        assert isinstance(chosen, forms.ModelMultipleChoiceField)
        chosen.queryset = mediators


class PresenceForm(forms.Form):
    mediator = forms.ModelChoiceField(label=_("Médiateur"), queryset=User.objects.none())
    college = forms.ModelChoiceField(label=_("Collège"), queryset=College.objects.none())
    kind = forms.ChoiceField(label=_("Type"), choices=Presence.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=_("Début"), widget=TimeInput(format="%H:%M"))
    end = forms.TimeField(label=_("Fin"), widget=TimeInput(format="%H:%M"))

    def __init__(
        self,
        *args: Any,
        colleges: QuerySet[College],
        mediators: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        college = self.fields["college"]
        assert isinstance(college, forms.ModelChoiceField)
        college.queryset = colleges
        mediator = self.fields["mediator"]
        assert isinstance(mediator, forms.ModelChoiceField)
        mediator.queryset = mediators
        if mediators.count() == 1:
            mediator.initial = mediators.first()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("La fin doit suivre le début."))
        return cleaned


class ReassignForm(VersionedForm):
    mediator = forms.ModelChoiceField(label=_("Médiateur référent"), queryset=User.objects.none())

    def __init__(self, *args: Any, mediators: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mediator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = mediators


class ExportForm(forms.Form):
    code = forms.CharField(label=_("Code pseudonyme de l'élève"), max_length=20)
