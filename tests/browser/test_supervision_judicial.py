"""A judicial requisition in the browser: the officer files it, the supervisor validates it
(the footage goes under hold), extracts it, downloads the package and verifies it on the
verification page; the pages pass axe."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bouclier.accounts.roles import Role
from bouclier.supervision import signing
from bouclier.supervision.models import Approval, Requisition
from bouclier.supervision.tests.test_judicial import (
    BASE,
    record_footage,
    setup_camera,
    store_segments,
)
from conftest import MakeUser
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import assert_no_violations

pytestmark = pytest.mark.browser


def test_requisition_from_officer_to_verified_package(
    page: Page, make_user: MakeUser, settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    settings.SUPERVISION_EXTRACTION_ROOT = tmp_path / "extractions"
    signing._generate(tmp_path / "key.pem")
    monkeypatch.setenv("BOUCLIER_SIGNING_KEY", str(tmp_path / "key.pem"))
    camera = setup_camera("br-parvis")
    store_segments(camera, record_footage(tmp_path / "rec"))
    local = BASE.astimezone(dt.timezone(dt.timedelta(hours=1)))  # Paris in November

    officer = make_user(Role.REQUISITIONING_OFFICER)
    log_in(page, officer.email)
    page.goto("/supervision/requisitions/nouvelle/")
    assert_no_violations(page)
    page.get_by_label("Officier requérant (nom, grade)").fill("Capitaine Martin")
    page.get_by_label("Service de l'officier").fill("Commissariat de Meaux")
    page.get_by_label("Référence de la réquisition").fill("PV 2026/777")
    page.get_by_label("Date de la réquisition").fill("2026-11-21")
    page.get_by_label(re.compile("^Cadre légal")).select_option(
        label="Enquête de flagrance (art. 60-1 CPP)"
    )
    page.get_by_label("Destinataire des images").fill("Capitaine Martin")
    page.get_by_label("Lieux demandés").fill("Parvis de la mairie")
    page.get_by_label("Début de la période").fill(
        f"{local - dt.timedelta(minutes=5):%Y-%m-%dT%H:%M}"
    )
    page.get_by_label("Fin de la période").fill(f"{local + dt.timedelta(minutes=5):%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réquisition PV 2026/777")
    requisition = Requisition.objects.get()
    # The supervisor takes over on another session.
    page.context.clear_cookies()

    boss = make_user(Role.CSD_SUPERVISOR)
    Approval.objects.create(user=boss, reference="AG-B", granted_on=dt.date(2026, 1, 5))
    log_in(page, boss.email)
    page.goto(f"/supervision/requisitions/{requisition.pk}/")
    assert_no_violations(page)
    page.get_by_label(f"{camera.site} – {camera} ({camera.name})").check()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".messages")).to_contain_text("sous scellé")
    page.get_by_role("button", name="Extraire").click()
    expect(page.locator(".messages")).to_contain_text("manifeste signé")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le paquet (zip)").click()
    package = tmp_path / "paquet.zip"
    download_info.value.save_as(package)

    page.goto("/supervision/requisitions/verifier/")
    page.get_by_label("Paquet d'extraction (zip)").set_input_files(str(package))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Extraction authentique et intègre")
    assert_no_violations(page)
