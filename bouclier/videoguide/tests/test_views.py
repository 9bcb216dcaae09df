"""The guide's pages through the test client: the journey, bad input, the PDF, saving."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.grants.services.applications import CameraData, ExpenseData, FunderData
from bouclier.grants.services.computation import Application, ExpenseLine, OtherFunder, compute
from bouclier.territory.models import Commune
from bouclier.videoguide.models import Camera, Study, UnitCost
from bouclier.videoguide.services import studies
from bouclier.videoguide.services.pdf import render_study_pdf

pytestmark = pytest.mark.usefixtures("guide")
START = "/guide-video/"


def camera_data(**changes: str) -> dict[str, str]:
    data = {
        "place": "Parvis de la gare",
        "purpose": "atteintes_personnes_biens",
        "level": "observe",
        "distance_m": "10",
        "hfov_deg": "90",
        "resolution": "1920x1080",
        "fps": "12",
        "codec": "h264",
        "recording_mode": "continuous",
        "motion_percent": "30",
        "hours_per_day": "24",
    }
    data.update(changes)
    return data


def new_study(client: Client, commune: str = "Meaux") -> Study:
    response = client.post(START, {"commune": commune, "beneficiary": "commune"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Study.objects.latest("created_at")


def errors_of(response: Any) -> str:
    page: str = response.content.decode()
    return page


def test_the_journey_with_the_client(client: Client) -> None:
    assert client.get(START).status_code == 200
    data = {
        "commune": "77100",  # Meaux's postal code, shared with two neighbours
        "name": "Centre-ville",
        "beneficiary": "commune",
        "priority_zones": ["gare", "entrees_ville"],
    }
    page = client.post(START, data).content.decode()
    assert "Plusieurs communes correspondent" in page
    assert "Meaux (77100)" in page
    response = client.post(START, {**data, "commune": "Meaux (77100)"})
    study = Study.objects.get()
    assert response["Location"] == f"/guide-video/etude/{study.token}/cameras/"
    assert study.commune.insee_code == "77284"
    assert study.expires_at == datetime.date.today() + datetime.timedelta(days=365)
    assert len(study.token) >= 40
    assert AuditEntry.objects.filter(action="videoguide.study.created").count() == 1
    base = f"/guide-video/etude/{study.token}/"

    response = client.post(f"{base}cameras/", camera_data())
    assert response.status_code == 302
    response = client.post(
        f"{base}cameras/",
        camera_data(place="Entrée du collège", level="recognise", films_college="on"),
    )
    assert response.status_code == 302
    assert study.cameras.count() == 2

    page = client.get(f"{base}verification/").content.decode()
    assert "96,0 px/m" in page
    assert "1 point à revoir" in page
    assert "7,7 m au plus" in page  # the remedy for the collège camera

    page = client.get(f"{base}conformite/").content.decode()
    assert "Règles de la CNIL pour un collège filmé" in page
    assert "Masques de confidentialité" not in page  # no view into homes declared

    page = client.get(f"{base}budget/").content.decode()
    # 2 x 8,400 + 45,000 = 61,800; Région 35 % (first installation) = 21,630.
    assert "61\u202f800\u00a0€" in page
    assert "21\u202f630\u00a0€" in page
    funding = studies.funding(study)
    # Département: 2 x 8,000 x 50 % + 3,000 x 50 % + 6,000 (collège) = 15,500.
    assert funding.department_amount == Decimal(15500)
    assert funding.commune_share == Decimal(61800 - 21630 - 15500)

    response = client.get(f"{base}etude.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Meaux" in text
    assert "61 800" in text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "15 500" in text.replace("\u202f", " ").replace("\u00a0", " ")


def test_budget_uses_the_study_own_unit_costs(client: Client) -> None:
    study = new_study(client)
    base = f"/guide-video/etude/{study.token}/"
    client.post(f"{base}cameras/", camera_data())
    response = client.post(
        f"{base}budget/",
        {
            "first_installation": "",
            "priority_security_zone": "on",
            "state_funding": "1 000",
            "cost_camera": "9 500",
            "cost_supervision_locale": "45000",
            "cost_raccordement_centre": "15000",
        },
    )
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.unit_costs == {"camera": "9500"}  # defaults are not copied
    funding = studies.funding(study)
    assert funding.total_cost == Decimal(54500)
    assert funding.region_rate == Decimal(40)  # priority zone, not a first installation
    assert funding.state_amount == Decimal(1000)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"distance_m": "-5"}, "distance_m", "La distance doit être strictement positive."),
        ({"hfov_deg": "0"}, "hfov_deg", "strictement compris entre 0 et 180 degrés"),
        ({"hfov_deg": "180"}, "hfov_deg", "strictement compris entre 0 et 180 degrés"),
        ({"distance_m": "douze"}, "distance_m", "Saisissez une distance en mètres"),
        ({"hours_per_day": "25"}, "hours_per_day", "au plus 24"),
        ({"place": ""}, "place", "Indiquez l&#x27;emplacement de la caméra."),
    ],
)
def test_bad_camera_input_is_refused_at_the_field(
    client: Client, changes: dict[str, str], field: str, message: str
) -> None:
    study = new_study(client)
    response = client.post(f"/guide-video/etude/{study.token}/cameras/", camera_data(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in response.content.decode()
    assert not study.cameras.exists()


def test_retention_above_30_days_is_refused(client: Client) -> None:
    study = new_study(client)
    url = f"/guide-video/etude/{study.token}/verification/"
    data = {"retention_days": "45", "supervision": "local", "recording_place": "on_site"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "La loi limite la conservation à 30 jours" in response.content.decode()
    study.refresh_from_db()
    assert study.retention_days == 15
    with pytest.raises(studies.StudyError, match="entre 1 et 30 jours"):
        studies.update_study(study, {"retention_days": 31})
    assert client.post(url, {**data, "retention_days": "30"}).status_code == 302
    study.refresh_from_db()
    assert study.retention_days == 30


def test_unknown_or_ambiguous_commune_is_refused_at_the_field(client: Client) -> None:
    response = client.post(START, {"commune": "Lyon", "beneficiary": "commune"})
    assert response.status_code == 200
    assert "Commune inconnue en Seine-et-Marne : « Lyon »" in response.content.decode()
    response = client.post(START, {"commune": "Saint", "beneficiary": "commune"})
    assert "Plusieurs communes correspondent" in response.content.decode()
    assert not Study.objects.exists()
    # The suggestion list's own format is understood.
    meaux = Commune.objects.get(insee_code="77284")
    label = f"{meaux.name} ({', '.join(meaux.postal_code_list)})"
    assert new_study(client, label).commune == meaux


def test_unknown_token_expired_study_and_foreign_camera_are_404(client: Client) -> None:
    assert client.get("/guide-video/etude/pas-un-jeton/").status_code == 404
    study = new_study(client)
    other = new_study(client, "Melun")
    client.post(f"/guide-video/etude/{other.token}/cameras/", camera_data())
    camera = Camera.objects.get(study=other)
    assert client.get(f"/guide-video/etude/{study.token}/cameras/{camera.pk}/").status_code == 404
    response = client.post(f"/guide-video/etude/{study.token}/cameras/{camera.pk}/supprimer/")
    assert response.status_code == 302
    assert Camera.objects.filter(pk=camera.pk).exists()
    Study.objects.filter(pk=study.pk).update(expires_at=datetime.date.today())
    assert client.get(f"/guide-video/etude/{study.token}/").status_code == 404


def test_purge_removes_expired_studies_only(client: Client, make_user: Callable[..., User]) -> None:
    old = new_study(client)
    kept = new_study(client)
    Study.objects.filter(pk=old.pk).update(expires_at=datetime.date.today())
    assert studies.purge_expired_studies() == 1
    assert list(Study.objects.all()) == [kept]
    assert AuditEntry.objects.filter(action="videoguide.study.purged").exists()


def test_an_applicant_of_the_commune_saves_the_study(
    client: Client, login: Callable[..., User]
) -> None:
    study = new_study(client)  # Meaux, the applicant's commune in the fixtures
    melun = new_study(client, "Melun")
    user = login(Role.APPLICANT)
    page = client.get(f"/guide-video/etude/{study.token}/").content.decode()
    assert "Enregistrer dans mon compte" in page
    response = client.post(f"/guide-video/etude/{study.token}/enregistrer/")
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.owner == user
    assert study.expires_at is None
    assert AuditEntry.objects.filter(action="videoguide.study.saved", actor_id=user.pk).exists()
    # Not the applicant's commune: refused with a message, nothing changed.
    response = client.post(f"/guide-video/etude/{melun.token}/enregistrer/", follow=True)
    assert "Vous ne représentez pas Melun" in response.content.decode()
    melun.refresh_from_db()
    assert melun.owner is None
    page = client.get("/guide-video/mes-etudes/").content.decode()
    assert study.token in page
    assert melun.token not in page


def test_an_epci_applicant_may_save_a_member_commune_study(
    client: Client, make_user: Callable[..., User]
) -> None:
    study = new_study(client)
    meaux = Commune.objects.get(insee_code="77284")
    assert meaux.epci is not None
    user = make_user()
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(epci=meaux.epci), role=Role.APPLICANT
    )
    studies.save_for_applicant(study, user)
    assert Study.objects.get(pk=study.pk).owner == user
    grants = make_user(Role.GRANTS_MANAGER)
    with pytest.raises(studies.StudyError, match="Seul un demandeur"):
        studies.save_for_applicant(new_study(client), grants)


def test_study_to_application_data(client: Client) -> None:
    study = new_study(client)
    base = f"/guide-video/etude/{study.token}/"
    client.post(f"{base}cameras/", camera_data())
    client.post(f"{base}cameras/", camera_data(place="Collège", films_college="on"))
    data = studies.study_to_application_data(study)
    assert data["aid_line"] == "videoprotection"
    assert data["commune_insee_code"] == "77284"
    assert data["title"] == "Vidéoprotection – Meaux"
    assert "2 caméra(s)" in data["description"]
    assert [(c["place"], c["count"], c["bonus"]) for c in data["cameras"]] == [
        ("Parvis de la gare", 1, ""),
        ("Collège", 1, "camera_site_departemental"),
    ]
    assert data["cameras"][1]["details"]["films_college"] is True
    assert data["expense_lines"] == [
        {
            "category": "camera",
            "quantity": 2,
            "unit_cost": "8400.00",
            "description": "Caméra installée (acquisition, pose et raccordement)",
        },
        {
            "category": "ecran",
            "quantity": 1,
            "unit_cost": "45000.00",
            "description": UnitCost.objects.get(code="supervision_locale").label,
        },
    ]
    assert data["bonus_units"] == {"camera_site_departemental": 1}
    assert data["funders"] == [
        {"name": "Région Île-de-France", "amount": "21630", "is_public": True, "status": "planned"}
    ]
    # The teleservice's draft steps take these values as they are...
    expenses = [
        ExpenseData(**{**e, "unit_cost": Decimal(e["unit_cost"])}) for e in data["expense_lines"]
    ]
    sites = [CameraData(c["place"], c["count"], c["bonus"]) for c in data["cameras"]]
    funders = [FunderData(**{**f, "amount": Decimal(f["amount"])}) for f in data["funders"]]
    assert len(sites) == 2
    # ... and the teleservice's computation gives the aid the guide showed.
    rules = studies.video_rules()
    assert rules is not None
    application = Application(
        beneficiary=data["beneficiary"],
        expense_lines=tuple(
            ExpenseLine(e.category, e.quantity, e.unit_cost, e.description) for e in expenses
        ),
        bonus_units=data["bonus_units"],
        other_funders=tuple(OtherFunder(f.name, f.amount, f.is_public) for f in funders),
    )
    assert str(compute(rules, application).amount) == data["estimated_department_aid"] == "15500"


def test_pdf_service_renders_an_empty_study(client: Client) -> None:
    study = new_study(client, "Melun")
    text = PdfReader(io.BytesIO(render_study_pdf(study))).pages[0].extract_text()
    assert "Melun" in text


def test_unit_costs_and_region_rates_are_data(client: Client) -> None:
    study = new_study(client)
    client.post(f"/guide-video/etude/{study.token}/cameras/", camera_data())
    assert studies.funding(study).total_cost == Decimal(53400)
    UnitCost.objects.filter(code="camera").update(amount=Decimal(10000))
    from bouclier.videoguide.models import RegionRate

    RegionRate.objects.filter(first_installation=True, priority_security_zone=False).update(
        rate=Decimal(20)
    )
    funding = studies.funding(study)
    assert funding.total_cost == Decimal(55000)
    assert funding.region_amount == Decimal(11000)


def test_entry_points_and_headers(
    client: Client, login: Callable[..., User], settings: Any
) -> None:
    settings.BASE_URL = "https://bouclier.example"
    assert 'href="/guide-video/"' in client.get("/").content.decode()
    study = new_study(client)
    response = client.get(f"/guide-video/etude/{study.token}/")
    assert "no-store" in response["Cache-Control"]
    # The link to come back to is on the platform's address, whatever the Host header says.
    assert f"https://bouclier.example/guide-video/etude/{study.token}/" in response.content.decode()
    login(Role.APPLICANT)
    home = client.get("/").content.decode()
    assert "Guide vidéoprotection" in home
    assert "Mes études vidéoprotection" in home
