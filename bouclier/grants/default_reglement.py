"""The default règlement shipped with the platform, rule by rule with its source.

What is known comes from the programme's public page (``shared/seed``) and the public facts of
the grants brief: the three aid lines, the beneficiaries, the kinds of expenses funded and not
funded, the +10 % partnership bonus, the bonus of up to 6,000 EUR per camera covering a
collège or a departmental site, the exceptional 40,000 EUR ceiling, the 80 % cap on combined
public funding (CGCT L1111-10) and the usual documents. The règlement voted on 23 June 2023 is
not available to us: every base rate, per-unit and per-file ceiling, deadline and advance share
below is a RECONSTRUCTION, marked as such, for the grants manager to check against the official
text and correct in the back office (``manage.py load_reglement`` never overwrites an edit).
"""

from __future__ import annotations

import datetime
from typing import Any

VALID_FROM = datetime.date(2023, 6, 23)
TITLE = "Règlement du 23 juin 2023 (reconstitution à vérifier)"

PAGE = "Fait public du programme (seine-et-marne.fr), à rapprocher du texte du règlement."


def public(note: str = PAGE) -> dict[str, str]:
    return {"origine": "publique", "note": note}


def law(note: str) -> dict[str, str]:
    return {"origine": "loi", "note": note}


def reconstruction(note: str) -> dict[str, str]:
    return {"origine": "reconstruction", "note": note}


RECONSTRUCTED_VALUE = (
    "Valeur vraisemblable choisie faute du texte du règlement du 23 juin 2023 : à vérifier."
)
CAP_80 = law(
    "CGCT, art. L1111-10 : le maître d'ouvrage finance au moins 20 % du projet ; "
    "les financements publics cumulés (Département, Région, État) en couvrent au plus 80 %."
)

POLICE_BENEFICIARIES = ["commune_police_municipale", "epci_police_intercommunale"]
ALL_EQUIPMENT_BENEFICIARIES = [*POLICE_BENEFICIARIES, "commune_sans_police"]

COMMON_INELIGIBLE: list[dict[str, Any]] = [
    {
        "code": "etudes",
        "libelle": "Études (diagnostic, assistance à maîtrise d'ouvrage)",
        "motif": "les études ne sont pas financées",
        "source": public(),
    },
    {
        "code": "location",
        "libelle": "Location de matériel ou de véhicules",
        "motif": "dépense de fonctionnement",
        "source": public(),
    },
    {
        "code": "maintenance",
        "libelle": "Maintenance et abonnements",
        "motif": "dépense de fonctionnement",
        "source": public(),
    },
    {
        "code": "assurance",
        "libelle": "Assurances",
        "motif": "dépense de fonctionnement",
        "source": public(),
    },
]

COMMON_DOCUMENTS: list[dict[str, Any]] = [
    {"code": "lettre_demande", "libelle": "Lettre de demande signée", "source": public()},
    {
        "code": "deliberation",
        "libelle": "Délibération de l'assemblée adoptant le projet et son plan de financement",
        "source": public(),
    },
    {"code": "note_explicative", "libelle": "Note explicative du projet", "source": public()},
    {
        "code": "plan_financement",
        "libelle": "Plan de financement prévisionnel (autres financeurs, taux, montants)",
        "source": public(),
    },
    {"code": "devis", "libelle": "Devis détaillés", "source": public()},
]


def _deadline_sources() -> dict[str, dict[str, str]]:
    return {
        "per_file_ceiling": reconstruction(RECONSTRUCTED_VALUE),
        "base_rate": reconstruction(RECONSTRUCTED_VALUE),
        "public_funding_cap_rate": CAP_80,
        "advance_share": reconstruction(RECONSTRUCTED_VALUE),
        "completeness_deadline_days": reconstruction(RECONSTRUCTED_VALUE),
        "works_start_deadline_months": reconstruction(
            RECONSTRUCTED_VALUE + " La règle de commencement des travaux n'est pas publique."
        ),
        "balance_request_deadline_months": reconstruction(
            RECONSTRUCTED_VALUE + " Le délai de caducité n'est pas public."
        ),
    }


def _category(
    code: str,
    label: str,
    ceiling: str | None,
    *,
    unit: str = "unité",
    beneficiaries: list[str] | None = None,
    bonus: bool = False,
    note: str = "",
) -> dict[str, Any]:
    return {
        "code": code,
        "libelle": label,
        "unite": unit,
        "plafond_unitaire": ceiling,
        "beneficiaires": beneficiaries or [],
        "bonifiable": bonus,
        "source": reconstruction(
            "Catégorie citée par la page publique ; plafond unitaire reconstitué, à vérifier."
            + (f" {note}" if note else "")
        )
        if ceiling is not None
        else public(
            "Catégorie citée par la page publique ; aucun plafond unitaire connu."
            + (f" {note}" if note else "")
        ),
    }


EQUIPMENT: dict[str, Any] = {
    "aid_line": {
        "code": "equipement_police",
        "name": "Équipement des polices municipales et intercommunales",
        "description": (
            "Équipement des agents de police municipale et intercommunale (radios, cinémomètres,"
            " armement, protections, caméras-piétons, véhicules) ; depuis une mise à jour du"
            " règlement, équipement des ASVP des communes sans police municipale."
        ),
        "position": 1,
    },
    "base_rate": "50",
    "per_file_ceiling": "20000",
    "public_funding_cap_rate": "80",
    "advance_share": "30",
    "completeness_deadline_days": 60,
    "works_start_deadline_months": 12,
    "balance_request_deadline_months": 24,
    "beneficiaries": [
        {
            "code": "commune_police_municipale",
            "libelle": "Commune dotée d'une police municipale",
            "source": public(),
        },
        {
            "code": "epci_police_intercommunale",
            "libelle": "Intercommunalité dotée d'une police intercommunale",
            "source": public(),
        },
        {
            "code": "commune_sans_police",
            "libelle": "Commune sans police municipale (équipement de ses ASVP)",
            "source": public("Ajouté par une mise à jour du règlement (faits publics)."),
        },
    ],
    "expense_categories": [
        _category(
            "radio_portable",
            "Radios portatives",
            "1500",
            beneficiaries=ALL_EQUIPMENT_BENEFICIARIES,
            bonus=True,
            note="Ouverture aux ASVP reconstituée.",
        ),
        _category(
            "radio_vehicule",
            "Radios embarquées (véhicules)",
            "2500",
            beneficiaries=ALL_EQUIPMENT_BENEFICIARIES,
            bonus=True,
            note="Ouverture aux ASVP reconstituée.",
        ),
        _category(
            "cinemometre",
            "Cinémomètres",
            "6000",
            beneficiaries=POLICE_BENEFICIARIES,
            bonus=True,
        ),
        _category(
            "arme_poing",
            "Armes de poing",
            "1000",
            beneficiaries=POLICE_BENEFICIARIES,
            bonus=True,
        ),
        _category(
            "baton_defense",
            "Bâtons de défense",
            "150",
            beneficiaries=POLICE_BENEFICIARIES,
            bonus=True,
        ),
        _category(
            "arme_impulsion",
            "Pistolets à impulsion électrique",
            "2000",
            beneficiaries=POLICE_BENEFICIARIES,
            bonus=True,
        ),
        _category(
            "gilet_protection",
            "Gilets de protection (pare-balles, pare-lames)",
            "800",
            beneficiaries=ALL_EQUIPMENT_BENEFICIARIES,
            bonus=True,
            note="Ouverture aux ASVP reconstituée.",
        ),
        _category(
            "casque",
            "Casques de protection",
            "300",
            beneficiaries=POLICE_BENEFICIARIES,
            bonus=True,
        ),
        _category(
            "camera_pieton",
            "Caméras-piétons",
            "1000",
            beneficiaries=POLICE_BENEFICIARIES,
            bonus=True,
        ),
        _category(
            "vehicule",
            "Véhicules (police municipale ou ASVP)",
            "30000",
            unit="véhicule",
            beneficiaries=ALL_EQUIPMENT_BENEFICIARIES,
            bonus=True,
            note="Ouverture aux ASVP reconstituée.",
        ),
    ],
    "ineligible_categories": COMMON_INELIGIBLE,
    "rate_bonuses": [
        {
            "code": "demarche_partenariale",
            "libelle": (
                "Démarche partenariale de sécurité (convention de coordination avec les forces"
                " de l'État, CLSPD ou CISPD)"
            ),
            "points": "10",
            "source": public(
                "« +10 % » sur l'équipement : lu comme 10 points ajoutés au taux de base"
                " (lecture à vérifier)."
            ),
        }
    ],
    "unit_bonuses": [],
    "exceptional_ceilings": [
        {
            "code": "vehicule_incendie",
            "libelle": "Remplacement d'un véhicule de police incendié",
            "plafond": "40000",
            "source": public(),
        }
    ],
    "required_documents": [
        *COMMON_DOCUMENTS,
        {
            "code": "convention_interoperabilite",
            "libelle": "Convention d'interopérabilité des radios",
            "si_categories": ["radio_portable", "radio_vehicule"],
            "source": public(),
        },
        {
            "code": "convention_coordination",
            "libelle": "Convention de coordination ou arrêté de création du CLSPD / CISPD",
            "si_conditions": ["demarche_partenariale"],
            "source": reconstruction("Justificatif de la bonification : pièce reconstituée."),
        },
    ],
    "rule_sources": _deadline_sources(),
    "remarks": [],
}

VIDEO: dict[str, Any] = {
    "aid_line": {
        "code": "videoprotection",
        "name": "Vidéoprotection",
        "description": (
            "Déploiement de la vidéoprotection par les communes et intercommunalités : caméras"
            " (acquisition, pose, raccordement), écrans de visualisation, raccordement à un"
            " centre de supervision, réseau."
        ),
        "position": 2,
    },
    "base_rate": "50",
    "per_file_ceiling": "30000",
    "public_funding_cap_rate": "80",
    "advance_share": "30",
    "completeness_deadline_days": 60,
    "works_start_deadline_months": 12,
    "balance_request_deadline_months": 24,
    "beneficiaries": [
        {"code": "commune", "libelle": "Commune", "source": public()},
        {"code": "epci", "libelle": "Intercommunalité (EPCI)", "source": public()},
    ],
    "expense_categories": [
        _category("camera", "Caméras (acquisition, pose et raccordement)", "8000", unit="caméra"),
        _category("ecran", "Écrans et postes de visualisation", "3000", unit="poste"),
        _category(
            "raccordement_csu",
            "Raccordement à un centre de supervision",
            "20000",
            unit="raccordement",
        ),
        _category("reseau", "Réseau de transmission (fibre, faisceaux radio)", None, unit="lot"),
    ],
    "ineligible_categories": COMMON_INELIGIBLE,
    "rate_bonuses": [],
    "unit_bonuses": [
        {
            "code": "camera_site_departemental",
            "libelle": (
                "Caméra couvrant un collège, une Maison départementale des solidarités, un espace"
                " naturel sensible ou un bâtiment départemental"
            ),
            "unite": "caméra",
            "montant_par_unite": "6000",
            "mode": "aide",
            "categories_comptees": ["camera"],
            "source": public(
                "« Jusqu'à 6 000 € par caméra » : lu comme une bonification ajoutée à l'aide"
                " au-delà du plafond par dossier, dans la limite des 80 % (lecture à vérifier ;"
                " le mode « plafond » la limite au plafond)."
            ),
        }
    ],
    "exceptional_ceilings": [
        {
            "code": "systeme_detruit",
            "libelle": "Remplacement d'un système de vidéoprotection détruit",
            "plafond": "40000",
            "source": public(),
        }
    ],
    "required_documents": [
        *COMMON_DOCUMENTS,
        {"code": "diagnostic_securite", "libelle": "Diagnostic de sécurité", "source": public()},
        {
            "code": "avis_referent_surete",
            "libelle": (
                "Avis du référent sûreté de la police ou de la gendarmerie sur l'implantation"
                " des caméras"
            ),
            "source": public(),
        },
        {
            "code": "autorisation_prefectorale",
            "libelle": "Autorisation préfectorale (ou récépissé de dépôt de la demande)",
            "source": public(),
        },
        {
            "code": "aipd",
            "libelle": "Analyse d'impact relative à la protection des données (AIPD)",
            "source": public(),
        },
    ],
    "rule_sources": _deadline_sources(),
    "remarks": [
        {
            "texte": (
                "Un taux de 20 % plafonné à 350 000 € est mentionné pour des sites"
                " départementaux ; sa portée exacte n'est pas connue : il n'est pas appliqué par"
                " le calcul."
            ),
            "source": public(),
        }
    ],
}

PREMISES: dict[str, Any] = {
    "aid_line": {
        "code": "locaux_police",
        "name": "Locaux des polices municipales et intercommunales",
        "description": (
            "Projets de réhabilitation, d'extension ou de construction de locaux de police"
            " municipale ou intercommunale."
        ),
        "position": 3,
    },
    "base_rate": "30",
    "per_file_ceiling": "150000",
    "public_funding_cap_rate": "80",
    "advance_share": "30",
    "completeness_deadline_days": 60,
    "works_start_deadline_months": 24,
    "balance_request_deadline_months": 48,
    "beneficiaries": [
        {
            "code": "commune_police_municipale",
            "libelle": "Commune dotée d'une police municipale",
            "source": public(),
        },
        {
            "code": "epci_police_intercommunale",
            "libelle": "Intercommunalité dotée d'une police intercommunale",
            "source": public(),
        },
    ],
    "expense_categories": [
        _category("rehabilitation", "Réhabilitation de locaux", None, unit="opération"),
        _category("extension", "Extension de locaux", None, unit="opération"),
        _category("construction", "Construction de locaux", None, unit="opération"),
    ],
    "ineligible_categories": COMMON_INELIGIBLE,
    "rate_bonuses": [],
    "unit_bonuses": [],
    "exceptional_ceilings": [],
    "required_documents": [
        *COMMON_DOCUMENTS,
        {
            "code": "plans",
            "libelle": "Plans du projet et permis de construire s'il est requis",
            "source": reconstruction("Pièce usuelle d'un projet immobilier, reconstituée."),
        },
    ],
    "rule_sources": _deadline_sources(),
    "remarks": [],
}

DEFAULT_SETS: list[dict[str, Any]] = [EQUIPMENT, VIDEO, PREMISES]

# The fields of a parameter set that the defaults fill (all but the line, date and title).
RULE_FIELDS = (
    "base_rate",
    "per_file_ceiling",
    "public_funding_cap_rate",
    "advance_share",
    "completeness_deadline_days",
    "works_start_deadline_months",
    "balance_request_deadline_months",
    "beneficiaries",
    "expense_categories",
    "ineligible_categories",
    "rate_bonuses",
    "unit_bonuses",
    "exceptional_ceilings",
    "required_documents",
    "rule_sources",
    "remarks",
)


def default_snapshot(default: dict[str, Any]) -> dict[str, Any]:
    """A default set in the form of ``ParameterSet.snapshot()``, without the database."""
    return {
        "aid_line_code": default["aid_line"]["code"],
        "aid_line_name": default["aid_line"]["name"],
        "title": TITLE,
        "valid_from": VALID_FROM.isoformat(),
        **{name: default[name] for name in RULE_FIELDS},
    }
