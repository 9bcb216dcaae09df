"""The public pages (simulation, règlement), the back office and who may open them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.grants.management.commands.load_reglement import load_default_reglement
from bouclier.grants.models import ParameterSet

SIMULATION = "/aides/simulation/"
VIDEO = f"{SIMULATION}?dispositif=videoprotection"
EQUIPMENT = f"{SIMULATION}?dispositif=equipement_police"


@pytest.fixture
def reglement(db: None) -> None:
    load_default_reglement()


def form_data(lines: list[tuple[str, str, str]], **extra: Any) -> dict[str, Any]:
    """POST data for the simulation: expense lines as (category, quantity, unit cost)."""
    data: dict[str, Any] = {
        "lignes-TOTAL_FORMS": "5",
        "lignes-INITIAL_FORMS": "0",
        "financeurs-TOTAL_FORMS": "3",
        "financeurs-INITIAL_FORMS": "0",
        "beneficiary": "commune",
    }
    for i, (category, quantity, cost) in enumerate(lines):
        data[f"lignes-{i}-category"] = category
        data[f"lignes-{i}-quantity"] = quantity
        data[f"lignes-{i}-unit_cost"] = cost
    data.update(extra)
    return data


def test_choice_page_lists_the_aid_lines(client: Client, reglement: None) -> None:
    response = client.get(SIMULATION)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vidéoprotection" in page
    assert "?dispositif=videoprotection" in page
    response = client.get(f"{SIMULATION}?dispositif=<script>")
    assert response.status_code == 200
    assert "Dispositif inconnu" in response.content.decode()


def test_anonymous_simulation_shows_amount_and_explanation(client: Client, reglement: None) -> None:
    assert client.get(VIDEO).status_code == 200
    response = client.post(
        VIDEO,
        form_data(
            [("camera", "10", "9000"), ("etudes", "1", "5000,00")],
            **{
                "bonus_camera_site_departemental": "3",
                "financeurs-0-name": "État (FIPD)",
                "financeurs-0-amount": "30 000",
                "financeurs-0-nature": "public",
            },
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aide estimée : 42\u202f000\u00a0€" in page
    assert "Dépense non éligible : les études ne sont pas financées" in page
    assert "arrondi à l&#x27;euro inférieur" in page
    assert "Avis du référent sûreté" in page  # documents for this project


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lignes-0-unit_cost", "-100", "Le coût unitaire doit être supérieur à zéro."),
        ("lignes-0-unit_cost", "abc", "Saisissez un nombre, par exemple 1250,50."),
        ("lignes-0-unit_cost", "NaN", "Saisissez un nombre, par exemple 1250,50."),
        ("lignes-0-unit_cost", "1e400", "Coût unitaire manifestement excessif"),
        ("lignes-0-unit_cost", "99999999999", "Coût unitaire manifestement excessif"),
        ("lignes-0-unit_cost", "12,345", "Deux décimales au plus"),
        ("lignes-0-quantity", "-2", "La quantité doit être d&#x27;au moins 1."),
        ("lignes-0-quantity", "deux", "Saisissez un nombre entier, par exemple 3."),
        ("lignes-0-quantity", "99999999", "Quantité manifestement excessive"),
        ("lignes-0-category", "drone", "Catégorie inconnue pour ce dispositif."),
        ("beneficiary", "prefecture", "Bénéficiaire inconnu pour ce dispositif."),
        ("bonus_camera_site_departemental", "-1", "Le nombre ne peut pas être négatif."),
        ("financeurs-0-amount", "-5", "Le montant ne peut pas être négatif."),
    ],
)
def test_bad_input_gets_a_french_message_at_the_field(
    client: Client, reglement: None, field: str, value: str, message: str
) -> None:
    data = form_data([("camera", "2", "1000")])
    data[field] = value
    if field.startswith("financeurs"):
        data["financeurs-0-name"] = "Région"
    response = client.post(VIDEO, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Aide estimée" not in page
    assert "Le formulaire contient des erreurs" in page


def test_empty_total_and_tampered_forms_do_not_crash(client: Client, reglement: None) -> None:
    page = client.post(VIDEO, form_data([])).content.decode()
    assert "Saisissez au moins une ligne de dépense." in page
    huge = form_data([("camera", "10000", "9999999"), ("camera", "10000", "9999999")])
    assert "Coût total manifestement excessif" in client.post(VIDEO, huge).content.decode()
    response = client.post(VIDEO, {"beneficiary": "commune"})  # no management forms
    assert response.status_code == 200
    tampered = form_data([("camera", "1", "100")], **{"lignes-TOTAL_FORMS": "100000"})
    assert client.post(VIDEO, tampered).status_code == 200
    assert client.get(f"{VIDEO}&lignes=abc").status_code == 200
    assert client.get(f"{VIDEO}&lignes=100000").status_code == 200


def test_equipment_conditions_and_asvp(client: Client, reglement: None) -> None:
    data = form_data(
        [("radio_portable", "4", "2000"), ("vehicule", "1", "25000")],
        beneficiary="commune_police_municipale",
        conditions=["demarche_partenariale"],
    )
    page = client.post(EQUIPMENT, data).content.decode()
    assert "Aide estimée : 18\u202f600\u00a0€" in page
    assert "Convention d&#x27;interopérabilité des radios" in page
    data = form_data([("cinemometre", "1", "5000")], beneficiary="commune_sans_police")
    page = client.post(EQUIPMENT, data).content.decode()
    assert "Aide estimée : 0\u00a0€" in page
    assert "Dépense non ouverte à ce type de bénéficiaire." in page


def test_no_set_in_force_is_said_plainly(client: Client, reglement: None) -> None:
    ParameterSet.objects.filter(aid_line__code="videoprotection").update(
        valid_from=datetime.date(2999, 1, 1)
    )
    response = client.get(VIDEO)
    assert response.status_code == 200
    assert "la simulation est momentanément indisponible" in response.content.decode()
    # A set broken outside the back office's validation is reported, not a crash.
    ParameterSet.objects.filter(aid_line__code="equipement_police").update(rate_bonuses="x")
    assert "momentanément indisponible" in client.get(EQUIPMENT).content.decode()
    assert client.get("/aides/reglement/").status_code == 200


def test_reglement_page_is_published_from_the_data(client: Client, reglement: None) -> None:
    response = client.get("/aides/reglement/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Vidéoprotection",
        "Locaux des polices municipales et intercommunales",
        "Reconstitution à vérifier contre le règlement officiel",
        "Texte de loi",
        "6\u202f000\u00a0€ par caméra",
        "Analyse d&#x27;impact relative à la protection des données",
        "Démarche partenariale de sécurité",
    ):
        assert text in page, text
    page = client.get("/aides/reglement/?date=n-importe-quoi").content.decode()
    assert "Date invalide" in page
    page = client.get("/aides/reglement/?date=2020-01-01").content.decode()
    assert "Aucun règlement n'est en vigueur à cette date." in page


def test_grants_manager_edits_the_reglement_in_the_back_office(
    client: Client, login: Callable[..., User], reglement: None
) -> None:
    login(Role.GRANTS_MANAGER)
    parameter_set = ParameterSet.objects.get(aid_line__code="videoprotection")
    url = f"/aides/gestion/grants/parameterset/{parameter_set.pk}/change/"
    assert client.get("/aides/gestion/").status_code == 200
    response = client.get(url)
    assert response.status_code == 200
    assert "catégories de dépenses éligibles" in response.content.decode().lower()

    # What the browser would send back: every field as the form shows it (JSON indented).
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form.initial.get(name))
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    assert '"code": "camera"' in data["expense_categories"]  # shown indented, editable

    bad = {**data, "unit_bonuses": '[{"code": "x"}]'}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "clé obligatoire manquante" in response.content.decode()
    parameter_set.refresh_from_db()
    assert parameter_set.unit_bonuses[0]["code"] == "camera_site_departemental"

    response = client.post(url, {**data, "base_rate": "45"})
    assert response.status_code == 302, response.content.decode()[:3000]
    parameter_set.refresh_from_db()
    assert str(parameter_set.base_rate) == "45.00"
    assert AuditEntry.objects.filter(action="grants.parameterset.changed").exists()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.GRANTS_INSTRUCTOR, Role.FINANCE])
def test_others_may_not_open_the_back_office(
    client: Client, login: Callable[..., User], reglement: None, role: Role
) -> None:
    login(role)
    assert client.get("/aides/gestion/").status_code == 403
    assert client.get("/aides/gestion/grants/parameterset/").status_code == 403


def test_anonymous_back_office_goes_to_the_platform_login(client: Client, reglement: None) -> None:
    response = client.get("/aides/gestion/grants/parameterset/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/")


def test_navigation_offers_the_pages_to_their_roles(
    client: Client, login: Callable[..., User], reglement: None
) -> None:
    login(Role.APPLICANT)
    page = client.get("/").content.decode()
    assert "Simuler une aide" in page
    assert "Gestion du règlement" not in page
    client.logout()
    login(Role.GRANTS_MANAGER)
    assert "Gestion du règlement" in client.get("/").content.decode()
