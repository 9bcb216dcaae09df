"""The compliance checklist of a project, as data: each item says why and what to provide.

The items follow ``shared/domain/videoguide.md`` (step 4, compliance) and the documents the
Département's aid asks for. Templates only loop over ``checklist_for()``: nothing of the law is
written in a template, and a change of the law is a change of this table. Each item names the
condition that brings it in, so that the list fits the case (a collège filmed, views into
homes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Facts:
    """What the checklist needs to know about a study."""

    camera_count: int
    views_homes: bool  # a camera's field includes windows or entrances of dwellings
    films_college: bool
    retention_days: int


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    title: StrOrPromise
    why: StrOrPromise
    provide: StrOrPromise
    basis: StrOrPromise  # the text it rests on
    applies: Callable[[Facts], bool]


def _always(facts: Facts) -> bool:
    return True


def _views_homes(facts: Facts) -> bool:
    return facts.views_homes


def _films_college(facts: Facts) -> bool:
    return facts.films_college


ITEMS: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "autorisation_prefectorale",
        _("Autorisation préfectorale, après avis de la commission départementale"),
        _(
            "Filmer la voie publique exige une autorisation du préfet, délivrée après avis de"
            " la commission départementale de vidéoprotection, pour 5 ans renouvelables."
        ),
        _(
            "Le formulaire CERFA de demande d'autorisation, le plan d'implantation des caméras,"
            " leurs finalités et la durée de conservation ; le récépissé de dépôt pour la"
            " demande d'aide."
        ),
        _("Code de la sécurité intérieure, art. L252-1"),
        _always,
    ),
    ChecklistItem(
        "panneaux",
        _("Panneaux d'information du public"),
        _(
            "Le public doit être informé de manière claire et permanente de l'existence du"
            " système et de l'autorité responsable."
        ),
        _(
            "Des panneaux à l'entrée des zones filmées, avec le nom du responsable et le moyen"
            " d'exercer le droit d'accès aux images."
        ),
        _("Code de la sécurité intérieure, art. L251-3"),
        _always,
    ),
    ChecklistItem(
        "masques_privatifs",
        _("Masques de confidentialité sur les vues vers des habitations"),
        _(
            "Les caméras ne doivent visualiser ni l'intérieur des immeubles d'habitation ni,"
            " de façon spécifique, leurs entrées. Votre projet déclare au moins une caméra"
            " dont le champ en comprend."
        ),
        _(
            "Le paramétrage de masques dynamiques sur ces zones, décrit dans la demande"
            " d'autorisation, et une capture d'écran de chaque vue masquée."
        ),
        _("Code de la sécurité intérieure, art. L251-3"),
        _views_homes,
    ),
    ChecklistItem(
        "conservation",
        _("Durée de conservation de 30 jours au plus"),
        _(
            "Hors procédure judiciaire, les images sont détruites dans un délai maximal d'un"
            " mois ; l'autorisation préfectorale fixe la durée retenue."
        ),
        _("La durée choisie dans la demande d'autorisation, et l'effacement automatique réglé."),
        _("Code de la sécurité intérieure, art. L252-5"),
        _always,
    ),
    ChecklistItem(
        "personnes_habilitees",
        _("Personnes habilitées nommément et registre des accès"),
        _(
            "Seules des personnes désignées peuvent visionner les images et procéder à des"
            " extractions ; chaque accès et chaque extraction doivent pouvoir être retracés."
        ),
        _(
            "L'arrêté du maire désignant nommément les personnes habilitées, et le registre"
            " des accès et des extractions (date, personne, motif, destinataire)."
        ),
        _("Code de la sécurité intérieure, art. L252-2 et autorisation préfectorale"),
        _always,
    ),
    ChecklistItem(
        "aipd",
        _("Analyse d'impact relative à la protection des données (AIPD)"),
        _(
            "Un système de vidéoprotection surveille de façon systématique un espace public :"
            " le responsable doit en analyser les risques pour les personnes avant sa mise en"
            " service. La pièce est demandée par l'aide du Département."
        ),
        _("L'AIPD, avec l'avis du délégué à la protection des données de la collectivité."),
        _("RGPD, art. 35 ; règlement des aides du Département"),
        _always,
    ),
    ChecklistItem(
        "referent_surete",
        _("Avis du référent sûreté sur l'implantation des caméras"),
        _(
            "Le référent sûreté de la police ou de la gendarmerie valide le diagnostic et les"
            " emplacements ; son avis est une pièce du dossier d'aide du Département."
        ),
        _("Le diagnostic de sécurité et l'avis écrit du référent sûreté sur le plan de caméras."),
        _("Règlement des aides du Département (pièces du dispositif vidéoprotection)"),
        _always,
    ),
    ChecklistItem(
        "college_cnil",
        _("Règles de la CNIL pour un collège filmé"),
        _(
            "Dans l'enceinte d'un établissement scolaire, la CNIL admet de filmer les accès et"
            " les espaces de circulation, pas les lieux de vie pendant les heures d'ouverture :"
            " élèves et personnels ne peuvent être filmés en permanence. Les abords sur la voie"
            " publique relèvent de l'autorisation préfectorale."
        ),
        _(
            "L'accord du chef d'établissement et du Département (propriétaire des collèges),"
            " l'information du conseil d'administration et des familles, et des champs qui"
            " s'arrêtent aux accès."
        ),
        _("RGPD et recommandations de la CNIL sur la vidéo dans les établissements scolaires"),
        _films_college,
    ),
)


def checklist_for(facts: Facts) -> list[ChecklistItem]:
    """The items that apply to the case, in the order of the table."""
    return [item for item in ITEMS if item.applies(facts)]
