"""The video-protection guide in a phone-sized browser: the whole journey, checked by axe."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pypdf import PdfReader

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.videoguide.tests.helpers import load_guide_data
from tests.browser.conftest import LOCALE
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import assert_no_violations

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 844}


def assert_fits_the_screen(page: Page) -> None:
    # No sideways scrolling of the whole page on a phone (wide tables scroll in their region).
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{page.url} is wider than the screen"


def check_page(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits_the_screen(page)
    assert_no_violations(page)


def test_whole_journey_on_a_phone(
    browser: Browser, site: str, territory: None, make_user: Callable[..., User]
) -> None:
    load_guide_data()
    context = browser.new_context(locale=LOCALE, base_url=site, viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()

    # 1. Describe the project.
    page.goto("/guide-video/")
    check_page(page)
    page.get_by_label(re.compile("^Commune")).fill("77100")
    page.get_by_role("button", name="Créer l'étude").click()
    expect(page.locator(".errorlist")).to_contain_text("Plusieurs communes correspondent")
    check_page(page)
    page.get_by_label(re.compile("^Commune")).fill("Meaux (77100)")
    page.get_by_label("Gare et pôle d'échanges").check()
    page.get_by_role("button", name="Créer l'étude").click()
    expect(page).to_have_url(re.compile(r"/cameras/$"))

    # 2. A camera that must recognise people at 10 m with a wide lens.
    expect(page.get_by_role("heading", level=2, name="2. Caméras")).to_be_visible()
    check_page(page)
    page.get_by_label("Emplacement").fill("Entrée du collège")
    page.get_by_label("Finalité").select_option("batiments_publics")
    page.get_by_label("Ce que la caméra doit permettre").select_option("recognise")
    page.get_by_label("Distance cible (m)").fill("-10")
    page.get_by_label("Champ horizontal de l'objectif (degrés)").fill("90")
    page.get_by_label("Résolution enregistrée").select_option("1920x1080")
    page.get_by_label("Codec").select_option("h264")
    page.get_by_label("Mode d'enregistrement").select_option("continuous")
    page.get_by_label("La caméra couvre un collège ou ses abords").check()
    page.get_by_role("button", name="Ajouter la caméra").click()
    expect(page.locator(".errorlist")).to_have_text("La distance doit être strictement positive.")
    check_page(page)
    page.get_by_label("Distance cible (m)").fill("10")
    page.get_by_role("button", name="Ajouter la caméra").click()
    expect(page.get_by_role("table")).to_contain_text("Entrée du collège")

    # 3. The technical check explains what to change.
    page.get_by_role("link", name="Voir la vérification technique").click()
    expect(page).to_have_url(re.compile(r"/verification/$"))
    expect(page.locator("main")).to_contain_text("1 point à revoir")
    expect(page.locator("main")).to_contain_text("Rapprochez la caméra à 7,7 m au plus")
    check_page(page)
    page.get_by_label("Durée de conservation des images (jours)").fill("45")
    page.get_by_role("button", name="Recalculer").click()
    expect(page.locator(".errorlist")).to_contain_text("La loi limite la conservation à 30 jours")
    check_page(page)

    # 4. The checklist of this case.
    page.get_by_role("link", name="4. Conformité").click()
    expect(page).to_have_url(re.compile(r"/conformite/$"))
    expect(page.locator("main")).to_contain_text("Règles de la CNIL pour un collège filmé")
    check_page(page)

    # 5. Budget: 8,400 + 45,000 = 53,400; Région 35 % = 18,690.
    page.get_by_role("link", name="Passer au budget").click()
    expect(page).to_have_url(re.compile(r"/budget/$"))
    expect(page.locator("main")).to_contain_text("53\u202f400\u00a0€")
    expect(page.locator("main")).to_contain_text("18\u202f690\u00a0€")
    check_page(page)

    # The summary: the PDF, and the link to come back.
    page.get_by_role("link", name="Synthèse et PDF").first.click()
    expect(page).to_have_url(re.compile(r"/etude/[\w-]+/$"))
    expect(page.get_by_role("heading", level=2, name="Synthèse")).to_be_visible()
    check_page(page)
    link = page.get_by_label("Adresse de l'étude").input_value()
    assert re.search(r"/guide-video/etude/[\w-]{40,}/$", link)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'étude (PDF)").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "Meaux" in text
    assert "53 400" in text.replace("\u202f", " ").replace("\u00a0", " ")
    context.close()

    # Come back later through the link, in a fresh browser (no cookie).
    later = browser.new_context(locale=LOCALE, viewport=PHONE, base_url=site)
    again = later.new_page()
    again.goto(link)
    expect(again.get_by_role("heading", level=1)).to_contain_text("Meaux")
    expect(again.locator("main")).to_contain_text("53\u202f400\u00a0€")

    # The town hall's applicant logs in and turns the study into a pre-filled draft.
    applicant = make_user(Role.APPLICANT)  # an applicant of Meaux
    log_in(again, applicant.email)
    again.goto(link)
    again.get_by_role("button", name="Préparer la demande d'aide à partir de cette étude").click()
    expect(again).to_have_url(re.compile(r"/aides/dossiers/\d+/$"))
    expect(again.locator("main")).to_contain_text("Brouillon de demande d'aide créé")
    expect(again.locator("main")).to_contain_text("53\u202f400\u00a0€")
    later.close()
