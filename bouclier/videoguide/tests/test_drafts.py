"""A study becomes a pre-filled draft aid application for an applicant of its commune."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.grants.models_files import Application
from bouclier.grants.services.applications import compute_file
from bouclier.videoguide.services import studies
from bouclier.videoguide.tests.test_views import camera_data, new_study

pytestmark = pytest.mark.usefixtures("guide")


def test_applicant_turns_study_into_prefilled_draft(
    client: Client, login: Callable[..., User]
) -> None:
    study = new_study(client)
    base = f"/guide-video/etude/{study.token}/"
    client.post(f"{base}cameras/", camera_data())
    client.post(f"{base}cameras/", camera_data(place="Collège", films_college="on"))
    shown = studies.funding(study).department_amount
    applicant = login(Role.APPLICANT)  # an applicant of Meaux (see conftest)
    page = client.get(base).content.decode()
    assert "Préparer la demande d'aide" in page
    response = client.post(f"{base}demande-d-aide/")
    draft = Application.objects.get(created_by=applicant)
    assert response["Location"] == f"/aides/dossiers/{draft.pk}/"
    assert draft.aid_line.code == "videoprotection"
    assert draft.organisation.commune is not None
    assert draft.organisation.commune.insee_code == "77284"
    assert draft.expense_items.count() == 2
    assert sorted(draft.cameras.values_list("place", flat=True)) == ["Collège", "Parvis de la gare"]
    assert draft.funders.filter(name="Région Île-de-France").exists()
    # One computation: the draft's aid is the one the guide showed.
    assert compute_file(draft).amount == shown
    assert AuditEntry.objects.filter(
        action="videoguide.study.converted", object_id=str(study.pk)
    ).exists()


def test_applicant_of_another_commune_gets_no_draft(
    client: Client, make_user: Callable[..., User]
) -> None:
    study = new_study(client, commune="Melun")
    client.post(f"/guide-video/etude/{study.token}/cameras/", camera_data())
    client.force_login(make_user(Role.APPLICANT))  # applicant of Meaux, not of Melun
    assert (
        "Préparer la demande d'aide"
        not in client.get(f"/guide-video/etude/{study.token}/").content.decode()
    )
    response = client.post(f"/guide-video/etude/{study.token}/demande-d-aide/", follow=True)
    assert "Vous ne représentez ni Melun" in response.content.decode()
    assert not Application.objects.exists()


def test_anonymous_is_sent_to_login(client: Client) -> None:
    study = new_study(client)
    response = client.post(f"/guide-video/etude/{study.token}/demande-d-aide/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/")
