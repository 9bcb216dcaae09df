"""Forms of the guide: every bad input gets a French message at its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bouclier.territory.models import Commune
from bouclier.videoguide.models import Camera, PriorityZone, Study, UnitCost
from bouclier.videoguide.services.sizing import MAX_RETENTION_DAYS

MAX_AMOUNT = Decimal("100000000")


def _text(**attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", **attrs})


def _integer(label: Any, low: int, high: int, help_text: Any = "", **messages: Any) -> Any:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        widget=_text(inputmode="numeric"),
        error_messages={
            "required": _("Ce champ est obligatoire."),
            "invalid": _("Saisissez un nombre entier."),
            "min_value": _("La valeur doit être au moins %(limit_value)s."),
            "max_value": _("La valeur doit être au plus %(limit_value)s."),
            **messages,
        },
    )


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed either way: "12,5", "12.5", "9 500" or "9\u202f500" are understood."""

    def to_python(self, value: Any) -> Any:  # the stubs type it as IntegerField's
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u202f", "").replace(",", ".")
        return super().to_python(value)


def plain(value: Decimal) -> str:
    """8400.00 -> "8400", 12.50 -> "12.5": what a person would type."""
    return format(value.normalize(), "f")


def commune_label(commune: Commune) -> str:
    """How a commune is written in the search list: its name and its postal codes."""
    return f"{commune.name} ({', '.join(commune.postal_code_list)})"


class CommuneField(forms.CharField):
    """A commune of Seine-et-Marne, typed by name or postal code (a list suggests them)."""

    def clean(self, value: Any) -> Commune:
        text = str(super().clean(value)).strip()
        name = text.split(" (")[0].strip()
        if text.isdigit() and len(text) == 5:
            # A postal code, never an INSEE code: the two overlap in Seine-et-Marne.
            matches = list(
                Commune.objects.filter(postal_codes__contains=text).order_by("name")[:10]
            )
        else:
            matches = list(Commune.objects.filter(name__iexact=name)[:10])
            if not matches:
                matches = list(Commune.objects.filter(name__icontains=name).order_by("name")[:10])
        if not matches:
            raise forms.ValidationError(
                _(
                    "Commune inconnue en Seine-et-Marne : « %(text)s »."
                    " Vérifiez le nom ou le code postal."
                ),
                code="unknown",
                params={"text": text[:100]},
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Plusieurs communes correspondent : %(names)s. Précisez le nom."),
                code="ambiguous",
                params={"names": ", ".join(commune_label(c) for c in matches)},
            )
        return matches[0]


class StudyForm(forms.ModelForm):  # type: ignore[type-arg]
    commune = CommuneField(
        label=_("Commune"),
        max_length=200,
        help_text=_("Nom ou code postal, par exemple Meaux ou 77100."),
        widget=_text(list="communes-77"),
        error_messages={"required": _("Indiquez la commune du projet.")},
    )
    priority_zones = forms.MultipleChoiceField(
        label=_("Zones prioritaires du diagnostic"),
        choices=PriorityZone.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Zone inconnue.")},
    )

    class Meta:
        model = Study
        fields = ["commune", "name", "beneficiary", "priority_zones", "zones_note"]
        labels = {
            "name": _("Nom du projet (facultatif)"),
            "beneficiary": _("Maître d'ouvrage"),
            "zones_note": _("Précisions sur le diagnostic (facultatif)"),
        }
        help_texts = {
            "zones_note": _(
                "Lieux de délinquance, incivilités, dépôts sauvages… Aucune donnée personnelle."
            ),
        }
        widgets = {"name": _text(), "zones_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["commune"] = commune_label(self.instance.commune)


class TechnicalForm(forms.ModelForm):  # type: ignore[type-arg]
    retention_days = _integer(
        _("Durée de conservation des images (jours)"),
        1,
        MAX_RETENTION_DAYS,
        _("30 jours au plus (Code de la sécurité intérieure, art. L252-5)."),
        max_value=_(
            "La loi limite la conservation à %(limit_value)s jours : choisissez une durée plus"
            " courte."
        ),
    )

    class Meta:
        model = Study
        fields = ["retention_days", "supervision", "recording_place"]
        labels = {"supervision": _("Supervision"), "recording_place": _("Enregistrement")}


class CameraForm(forms.ModelForm):  # type: ignore[type-arg]
    distance_m = FrenchDecimalField(
        label=_("Distance cible (m)"),
        max_digits=6,
        decimal_places=1,
        help_text=_("Distance entre la caméra et ce qu'elle doit voir, par exemple 15."),
        widget=_text(inputmode="decimal"),
        error_messages={
            "required": _("Indiquez la distance cible."),
            "invalid": _("Saisissez une distance en mètres, par exemple 15 ou 12,5."),
            "max_digits": _("Distance manifestement excessive."),
            "max_decimal_places": _("Une décimale au plus."),
            "max_whole_digits": _("Distance manifestement excessive."),
        },
    )
    hfov_deg = FrenchDecimalField(
        label=_("Champ horizontal de l'objectif (degrés)"),
        max_digits=4,
        decimal_places=1,
        help_text=_("Angle de vue horizontal, par exemple 90 (grand angle) ou 30 (téléobjectif)."),
        widget=_text(inputmode="decimal"),
        error_messages={
            "required": _("Indiquez le champ horizontal."),
            "invalid": _("Saisissez un angle en degrés, par exemple 60."),
            "max_digits": _("Le champ horizontal doit être inférieur à 180 degrés."),
            "max_decimal_places": _("Une décimale au plus."),
            "max_whole_digits": _("Le champ horizontal doit être inférieur à 180 degrés."),
        },
    )
    fps = _integer(
        _("Images par seconde enregistrées"),
        1,
        60,
        _("Par exemple 12 ou 25."),
    )
    motion_percent = _integer(
        _("Part du temps enregistrée sur mouvement (%)"),
        1,
        100,
        _("Seulement pour l'enregistrement sur mouvement : estimation de l'activité."),
    )
    hours_per_day = _integer(
        _("Heures de fonctionnement par jour"), 1, 24, _("24 pour une caméra permanente.")
    )

    class Meta:
        model = Camera
        fields = [
            "place",
            "purpose",
            "level",
            "distance_m",
            "hfov_deg",
            "resolution",
            "fps",
            "codec",
            "recording_mode",
            "motion_percent",
            "hours_per_day",
            "narrow_field",
            "fast_moving",
            "views_homes",
            "films_college",
            "films_departmental_site",
        ]
        labels = {
            "place": _("Emplacement"),
            "purpose": _("Finalité (Code de la sécurité intérieure, art. L251-2)"),
            "level": _("Ce que la caméra doit permettre à la distance cible"),
            "resolution": _("Résolution enregistrée"),
            "codec": _("Codec"),
            "recording_mode": _("Mode d'enregistrement"),
            "narrow_field": _("Champ étroit : plan serré destiné à voir des visages"),
            "fast_moving": _("Des personnes s'y déplacent rapidement"),
            "views_homes": _("Le champ comprend des fenêtres ou entrées d'habitations"),
            "films_college": _("La caméra couvre un collège ou ses abords"),
            "films_departmental_site": _(
                "La caméra couvre une MDS, un espace naturel sensible ou un bâtiment départemental"
            ),
        }
        help_texts = {
            "place": _("Par exemple : parvis de la gare, entrée nord."),
            "level": _("Niveaux de la norme EN 62676-4."),
        }
        error_messages = {
            "place": {"required": _("Indiquez l'emplacement de la caméra.")},
            "purpose": {"required": _("Choisissez la finalité.")},
            "level": {"required": _("Choisissez le niveau attendu.")},
            "resolution": {"required": _("Choisissez la résolution.")},
            "codec": {"required": _("Choisissez le codec.")},
            "recording_mode": {"required": _("Choisissez le mode d'enregistrement.")},
        }
        widgets = {"place": _text()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.is_bound:
            self.initial.update(
                {"fps": 12, "hours_per_day": 24, "motion_percent": 30, "codec": "h265"}
            )

    def clean_distance_m(self) -> Decimal:
        value: Decimal = self.cleaned_data["distance_m"]
        if value <= 0:
            raise forms.ValidationError(_("La distance doit être strictement positive."))
        if value > 2000:
            raise forms.ValidationError(_("Distance manifestement excessive (2 000 m au plus)."))
        return value

    def clean_hfov_deg(self) -> Decimal:
        value: Decimal = self.cleaned_data["hfov_deg"]
        if not 0 < value < 180:
            raise forms.ValidationError(
                _("Le champ horizontal doit être strictement compris entre 0 et 180 degrés.")
            )
        return value


class FundingForm(forms.ModelForm):  # type: ignore[type-arg]
    """The funding case, and the study's own unit costs (from its quotes) over the defaults."""

    state_funding = FrenchDecimalField(
        label=_("Aide de l'État (FIPD) attendue, HT (€)"),
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("0 si aucune demande au FIPD."),
        widget=_text(inputmode="decimal"),
        error_messages={
            "invalid": _("Saisissez un montant en euros, par exemple 10000."),
            "min_value": _("Le montant ne peut pas être négatif."),
            "max_value": _("Montant manifestement excessif."),
        },
    )

    class Meta:
        model = Study
        fields = ["first_installation", "priority_security_zone", "state_funding"]
        labels = {
            "first_installation": _("Première installation de vidéoprotection dans la commune"),
            "priority_security_zone": _("Projet en zone de sécurité prioritaire"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_costs = list(UnitCost.objects.all())
        for unit_cost in self.unit_costs:
            own = self.instance.unit_costs.get(unit_cost.code)
            self.fields[f"cost_{unit_cost.code}"] = FrenchDecimalField(
                label=_("%(label)s : coût unitaire HT (€)") % {"label": unit_cost.label},
                min_value=Decimal(0),
                max_value=MAX_AMOUNT,
                max_digits=12,
                decimal_places=2,
                required=False,
                initial=plain(Decimal(str(own)) if own is not None else unit_cost.amount),
                help_text=_(
                    "Ordre de grandeur public : %(amount)s €. Remplacez-le par votre devis."
                )
                % {"amount": plain(unit_cost.amount)},
                widget=_text(inputmode="decimal"),
                error_messages={
                    "invalid": _("Saisissez un montant en euros, par exemple 8400."),
                    "min_value": _("Le montant ne peut pas être négatif."),
                    "max_value": _("Montant manifestement excessif."),
                },
            )

    def cost_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("cost_")]

    def clean_state_funding(self) -> Decimal:
        return self.cleaned_data.get("state_funding") or Decimal(0)

    def own_unit_costs(self) -> dict[str, str]:
        """The figures that differ from the defaults (a default is not copied into the study)."""
        result = {}
        for unit_cost in self.unit_costs:
            value = self.cleaned_data.get(f"cost_{unit_cost.code}")
            if value is not None and value != unit_cost.amount:
                result[unit_cost.code] = str(value)
        return result
