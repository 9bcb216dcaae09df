"""Mediation in the browser: a collège head's request through to its closure, and prevention."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.mediation.models import Assignment, PreventionAction, Request, Situation
from bouclier.territory.models import College
from conftest import MakeUser
from tests.browser.helpers import expect_heading, log_in

pytestmark = pytest.mark.browser


def _mediator_of_jean_moulin(make_user: MakeUser) -> User:
    college = College.objects.get(uai="0779001A")
    assert college.district is not None
    mediator = make_user(Role.MEDIATOR)
    Assignment.objects.create(mediator=mediator, district=college.district)
    return mediator


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def _form(page: Page, button: str) -> object:
    return page.locator("form").filter(has=page.get_by_role("button", name=button))


def test_request_from_a_college_head_through_to_closure(page: Page, make_user: MakeUser) -> None:
    head = make_user(Role.COLLEGE_HEAD)
    mediator = _mediator_of_jean_moulin(make_user)
    lead = make_user(Role.MEDIATION_LEAD)

    # The collège's head asks for an urgent intervention.
    log_in(page, head.email)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Saisir la brigade"
    ).click()
    expect_heading(page, "Saisir la brigade")
    page.get_by_label(re.compile("^Urgent")).check()
    page.get_by_label("Nature de la situation").select_option(label="Harcèlement")
    page.get_by_label("Description").fill("Un élève de 6e est moqué chaque jour à la cantine.")
    page.get_by_label("Créneaux souhaités").fill("Mardi matin")
    page.get_by_role("button", name="Envoyer la saisine").click()
    expect(page.get_by_role("status")).to_contain_text("transmise à la brigade")
    expect(page.locator("main")).to_contain_text("État : Reçue")
    saisine = Request.objects.get()
    _log_out(page)

    # The district's mediator takes it and works the situation.
    log_in(page, mediator.email)
    page.goto(f"/mediation/saisines/{saisine.pk}/")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.get_by_role("status")).to_contain_text("une situation est ouverte")
    page.get_by_role("button", name="Commencer l'évaluation").click()
    expect(page.locator("#etape")).to_have_text("Évaluation")
    pupil = page.locator("form").filter(has=page.get_by_role("button", name="Ajouter l'élève"))
    pupil.get_by_label("Initiales").fill("T.B")
    pupil.get_by_label("Niveau").select_option("6e")
    pupil.get_by_label("Rôle").select_option(label="Élève ciblé")
    pupil.get_by_role("button", name="Ajouter l'élève").click()
    expect(page.locator("main")).to_contain_text("Élève ciblé")
    intervention = page.locator("form").filter(
        has=page.get_by_role("button", name="Enregistrer l'intervention")
    )
    intervention.get_by_label("Méthode").select_option(label="Entretiens de préoccupation partagée")
    intervention.get_by_role("button", name="Enregistrer l'intervention").click()
    expect(page.locator("#etape")).to_have_text("Intervention")
    page.get_by_role("button", name="Passer au suivi").click()
    expect(page.locator("#etape")).to_have_text("Suivi")
    # A follow-up dated before the intervention is refused, at the field.
    follow_up = page.locator("form").filter(
        has=page.get_by_role("button", name="Enregistrer le suivi")
    )
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    follow_up.get_by_label("Prévu le").fill(yesterday.isoformat())
    follow_up.get_by_role("button", name="Enregistrer le suivi").click()
    expect(page.locator("main")).to_contain_text("Un suivi ne peut pas être daté avant")
    closure = page.locator("form").filter(
        has=page.get_by_role("button", name="Proposer la clôture")
    )
    closure.get_by_label("Issue").select_option(label="Résolue")
    closure.get_by_role("button", name="Proposer la clôture").click()
    expect(page.locator("#etape")).to_have_text("Clôture à valider")
    _log_out(page)

    # The chef de groupe validates the closure.
    log_in(page, lead.email)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Médiation scolaire"
    ).click()
    page.get_by_role("region", name="Clôtures à valider").get_by_role("link").click()
    page.get_by_role("button", name="Valider la clôture").click()
    expect(page.locator("#etape")).to_have_text("Clôturée")
    assert Situation.objects.get().status == Situation.Status.CLOSED
    _log_out(page)

    # The head follows the request to its end, without the situation's details.
    log_in(page, head.email)
    page.goto(f"/mediation/saisines/{saisine.pk}/")
    expect(page.locator("main")).to_contain_text("État : Intervention réalisée")
    expect(page.locator("main")).to_contain_text("Le suivi de la brigade est terminé.")
    expect(page.locator("main")).not_to_contain_text("T.B")


def test_recording_a_prevention_action(page: Page, make_user: MakeUser) -> None:
    mediator = _mediator_of_jean_moulin(make_user)
    log_in(page, mediator.email)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Prévention"
    ).click()
    page.get_by_role("link", name="Saisir une action de prévention").click()
    expect_heading(page, "Saisir une action de prévention")
    page.get_by_label("Collège").select_option(label="Collège Jean Moulin (exemple) (Meaux)")
    page.get_by_label("Date").fill("2026-03-10")
    page.get_by_label("Thème").select_option(label="Cyberharcèlement")
    page.get_by_label("Classes").fill("4e A, 4e C")
    page.get_by_role("group", name="Niveaux").get_by_label("4e").check()
    page.get_by_label("Élèves touchés").fill("0")
    page.get_by_label("Durée (minutes)").fill("120")
    page.get_by_role("button", name="Enregistrer l'action").click()
    # Bad input gets a message at the field and nothing is saved.
    expect(page.locator("main")).to_contain_text("supérieure ou égale à 1")
    assert not PreventionAction.objects.exists()
    page.get_by_label("Élèves touchés").fill("54")
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_role("status")).to_contain_text("Action de prévention enregistrée")
    expect(page.locator("tbody tr").first).to_contain_text("Cyberharcèlement")
    action = PreventionAction.objects.get()
    assert action.pupils_reached == 54 and list(action.mediators.all()) == [mediator]


def test_mediation_pages_have_no_axe_violation(page: Page, make_user: MakeUser) -> None:
    from bouclier.mediation.services import create_situation
    from tests.browser.test_accessibility import assert_no_violations

    mediator = _mediator_of_jean_moulin(make_user)
    lead = make_user(Role.MEDIATION_LEAD)
    situation = create_situation(
        mediator,
        college=College.objects.get(uai="0779001A"),
        category="conflict",
        severity=1,
    )
    log_in(page, lead.email)
    expect_heading(page, "Bonjour Prénom")
    for path in (
        "/mediation/",
        f"/mediation/situations/{situation.pk}/",
        "/mediation/indicateurs/",
        "/mediation/planning/",
        "/mediation/charge/",
        "/mediation/prevention/nouvelle/",
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_violations(page)
