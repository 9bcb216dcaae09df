"""Forms of judicial requisitions: input checked at the field, in French."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bouclier.supervision.models import Camera, Requisition
from bouclier.supervision.services_judicial import MAX_RANGE

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CameraChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.site} – {obj} ({obj.name})"


def camera_field(cameras: QuerySet[Camera], required: bool = True) -> CameraChoiceField:
    return CameraChoiceField(
        label=_("Caméras"),
        queryset=cameras.select_related("site").order_by("site__name", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=required,
        error_messages={"required": _("Choisissez au moins une caméra.")},
    )


class RequisitionForm(forms.ModelForm):  # type: ignore[type-arg]
    """The requisition as received; the cameras field is added for supervisors only."""

    class Meta:
        model = Requisition
        fields = [
            "officer_name",
            "officer_service",
            "reference",
            "requisition_date",
            "legal_framework",
            "legal_framework_detail",
            "recipient",
            "requested_places",
            "range_start",
            "range_end",
        ]
        widgets = {
            "requisition_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "range_start": DATETIME_WIDGET,
            "range_end": DATETIME_WIDGET,
            "requested_places": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, cameras: QuerySet[Camera] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if cameras is not None:
            self.fields["cameras"] = camera_field(cameras)

    def clean_requisition_date(self) -> Any:
        day = self.cleaned_data["requisition_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("La date de la réquisition est dans le futur."))
        return day

    def clean_range_start(self) -> Any:
        start = self.cleaned_data["range_start"]
        if start and start > timezone.now():
            raise forms.ValidationError(_("La période demandée commence dans le futur."))
        return start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("range_start"), data.get("range_end")
        if start and end:
            if end <= start:
                self.add_error("range_end", _("La fin de la période précède son début."))
            elif end - start > MAX_RANGE:
                self.add_error("range_end", _("Une réquisition couvre sept jours au plus."))
        if (
            data.get("legal_framework") == Requisition.Framework.OTHER
            and not data.get("legal_framework_detail", "").strip()
        ):
            self.add_error("legal_framework_detail", _("Précisez le cadre légal."))
        return data


class ValidateForm(forms.Form):
    prefix = "validate"

    def __init__(self, *args: Any, cameras: QuerySet[Camera], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cameras"] = camera_field(cameras)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class HandOverForm(forms.Form):
    prefix = "handover"
    handed_to = forms.CharField(
        label=_("Remise à (nom, qualité, service)"),
        max_length=300,
        help_text=_("La personne qui signe la remise."),
    )
    medium = forms.CharField(
        label=_("Support"),
        max_length=200,
        help_text=_("Par exemple : clé USB scellée n° 12, téléchargement sécurisé."),
    )
    note = forms.CharField(
        label=_("Observations"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class VerifyForm(forms.Form):
    package = forms.FileField(
        label=_("Paquet d'extraction (zip)"),
        required=False,
        help_text=_("Le fichier zip tel que remis ; ou bien les pièces ci-dessous."),
    )
    manifest = forms.FileField(label=_("Manifeste (manifeste.json)"), required=False)
    signature = forms.FileField(label=_("Signature (manifeste.json.sig)"), required=False)
    videos = MultipleFileField(label=_("Fichiers vidéo"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("package") and not (data.get("manifest") and data.get("signature")):
            self.add_error(
                "package",
                _("Joignez le paquet zip, ou le manifeste, sa signature et les fichiers."),
            )
        return data
