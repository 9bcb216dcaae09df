"""The applicant's journey in the browser: draft, expense lines, a real PDF, submission."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django import Settings

from bouclier.accounts.roles import Role
from bouclier.grants.management.commands.load_reglement import load_default_reglement
from bouclier.grants.models_files import Application, State
from bouclier.grants.tests.conftest import real_pdf
from conftest import MakeUser
from tests.browser.helpers import expect_heading, log_in
from tests.browser.test_accessibility import assert_no_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def reglement(territory: None, settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    load_default_reglement()


def test_applicant_creates_fills_and_submits_a_file(
    page: Page, make_user: MakeUser, reglement: None, tmp_path: Path
) -> None:
    user = make_user(Role.APPLICANT)
    log_in(page, user.email)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes demandes d'aide"
    ).click()
    page.get_by_role("link", name="Nouvelle demande").click()
    page.get_by_label("Dispositif").select_option(label="Vidéoprotection")
    page.get_by_role("button", name="Créer le brouillon").click()

    page.get_by_label("Objet du projet").fill("Vidéoprotection de la gare")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    assert_no_violations(page)  # the expense table, empty
    page.get_by_label("Catégorie de dépense, ligne 1").select_option("camera")
    page.get_by_label("Quantité, ligne 1").fill("6")
    page.get_by_label("Coût unitaire HT (€), ligne 1").fill("4 000")
    page.get_by_label("Catégorie de dépense, ligne 2").select_option("ecran")
    page.get_by_label("Quantité, ligne 2").fill("1")
    page.get_by_label("Coût unitaire HT (€), ligne 2").fill("2500")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # 6 x 4,000 + 2,500 = 26,500 at 50 % = 13,250, shown from the next step on.
    expect(page.get_by_role("heading", name="Aide calculée : 13\u202f250\u00a0€")).to_be_visible()
    assert_no_violations(page)  # a table step with the explanation
    page.get_by_role("button", name="Enregistrer et continuer").click()  # cameras
    page.get_by_role("button", name="Enregistrer et continuer").click()  # financing plan

    quote = tmp_path / "devis-cameras.pdf"
    quote.write_bytes(real_pdf("Devis caméras"))
    page.get_by_label(re.compile("^Pièce")).select_option("devis")
    page.get_by_label("Fichier (PDF, JPEG ou PNG)").set_input_files(str(quote))
    page.get_by_role("button", name="Ajouter la pièce").click()
    expect(page.get_by_role("link", name="devis-cameras.pdf")).to_be_visible()
    assert_no_violations(page)

    page.get_by_role("link", name="Récapitulatif et dépôt").first.click()
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_role("status")).to_contain_text("Dossier déposé")
    expect(page.locator("#etat")).to_have_text("Déposé")
    application = Application.objects.get()
    assert application.state == State.SUBMITTED
    expect_heading(page, f"Dossier {application.number} – Vidéoprotection")
    expect(page.get_by_role("link", name="Télécharger l'accusé de réception (PDF)")).to_be_visible()
    assert_no_violations(page)
    assert mail.outbox[-1].to == [user.email]
    assert mail.outbox[-1].attachments
