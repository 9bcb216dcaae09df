"""The whole life of an aid, in the browser, by the four people who take part in it.

A town-hall agent creates an account, activates it from the e-mail and asks to act for
Meaux; an instructor confirms the link. The agent simulates the aid, fills a draft (expense
lines, a real PDF rendered by WeasyPrint) and submits it. The instructor asks for a missing
document, the agent provides it and answers; the instructor instructs the file and proposes
it to a Commission permanente session that the manager has opened with an envelope. The
manager records the vote and notifies the letter; the agent asks for the advance, the finance
service pays it, then the balance the same way. Each person has a browser context of their
own (own cookies), as in real life.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader
from pytest_django import Settings

from bouclier.accounts.models import Organisation, User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.grants.management.commands.load_reglement import load_default_reglement
from bouclier.grants.models_files import Application, PaymentKind, State
from bouclier.grants.tests.conftest import MEAUX, real_pdf
from conftest import MakeUser
from tests.browser.conftest import LOCALE
from tests.browser.helpers import expect_heading, link_in, log_in

pytestmark = pytest.mark.browser

EMAIL = "police.municipale@meaux.test"
PASSWORD = "Brie-De-Meaux-Affinee-2026!"
DELIBERATION = "Délibération de l'assemblée adoptant le projet et son plan de financement"

NewPage = Callable[[], Page]


@pytest.fixture
def reglement(territory: None, settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    load_default_reglement()


@pytest.fixture
def new_page(browser: Browser, site: str) -> Iterator[NewPage]:
    """One more person: a browser context of their own, closed at the end of the test."""
    contexts: list[BrowserContext] = []

    def open_page() -> Page:
        context = browser.new_context(locale=LOCALE, base_url=site)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def upload(page: Page, tmp_path: Path, kind_label: str, name: str) -> None:
    """Add a genuine PDF of ``kind_label`` from the file's document page."""
    pdf = tmp_path / name
    pdf.write_bytes(real_pdf(f"{kind_label} – {name}"))
    page.get_by_label(re.compile("^Pièce")).select_option(label=kind_label)
    page.get_by_label("Fichier (PDF, JPEG ou PNG)").set_input_files(str(pdf))
    page.get_by_role("button", name="Ajouter la pièce").click()
    expect(page.get_by_role("link", name=name)).to_be_visible()


def sign_up_and_activate(page: Page, site: str, mailoutbox: list[EmailMessage]) -> None:
    page.goto("/")
    page.get_by_role("link", name="Créer un compte (commune ou EPCI)").click()
    expect(page).to_have_url(f"{site}/comptes/inscription/")
    page.get_by_label("Prénom").fill("Dominique")
    page.get_by_label("Nom :", exact=True).fill("Lefèvre")
    page.get_by_label("Adresse e-mail professionnelle").fill(EMAIL)
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect_heading(page, "Vérifiez votre messagerie")
    activation = [m for m in mailoutbox if m.to == [EMAIL]]
    assert len(activation) == 1
    page.goto(link_in(str(activation[0].body)))
    page.locator("main").get_by_role("button", name="Activer mon compte").click()
    expect(page).to_have_url(f"{site}/comptes/connexion/")
    log_in(page, EMAIL, PASSWORD)
    expect_heading(page, "Votre compte n'a encore aucun rôle")


def test_whole_journey_from_signup_to_balance(
    page: Page,
    new_page: NewPage,
    site: str,
    make_user: MakeUser,
    reglement: None,
    mailoutbox: list[EmailMessage],
    tmp_path: Path,
) -> None:
    instructor_user = make_user(Role.GRANTS_INSTRUCTOR)
    manager_user = make_user(Role.GRANTS_MANAGER)
    finance_user = make_user(Role.FINANCE)
    meaux = Organisation.objects.get(commune__insee_code=MEAUX)
    agent = page

    # 1. The agent's account, activated through the e-mailed link; then the link to Meaux.
    sign_up_and_activate(agent, site, mailoutbox)
    agent.goto("/aides/rattachement/")
    agent.get_by_label("SIREN ou nom de la commune ou de l'intercommunalité").fill("Meaux")
    agent.get_by_role("button", name="Rechercher").click()
    agent.get_by_role("button", name=f"Demander le rattachement à {meaux.name}", exact=True).click()
    expect(agent.get_by_role("status")).to_contain_text("Demande envoyée")

    instructor = new_page()
    log_in(instructor, instructor_user.email)
    instructor.goto("/aides/rattachement/")
    row = instructor.get_by_role("row").filter(has_text=EMAIL)
    row.get_by_role("button", name="Confirmer").click()
    expect(instructor.get_by_role("status")).to_contain_text("Rattachement confirmé.")
    assert any(m.to == [EMAIL] and "confirmé" in str(m.subject) for m in mailoutbox)

    # 2. The simulation, public: 6 cameras at 4,000 EUR HT, 50 % -> 12,000 EUR.
    agent.goto("/aides/simulation/")
    agent.locator("main").get_by_role("link", name="Vidéoprotection", exact=True).click()
    agent.get_by_label("Catégorie, ligne 1").select_option("camera")
    agent.get_by_label("Quantité, ligne 1").fill("6")
    agent.get_by_label("Coût unitaire HT, ligne 1").fill("4000")
    agent.get_by_role("button", name="Calculer l'aide").click()
    expect(agent.get_by_role("heading", name="Aide estimée : 12\u202f000\u00a0€")).to_be_visible()

    # 3. The draft: project, expense lines, a real PDF quote; then the submission.
    agent.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes demandes d'aide"
    ).click()
    agent.get_by_role("link", name="Nouvelle demande").click()
    agent.get_by_label("Dispositif").select_option(label="Vidéoprotection")
    agent.get_by_role("button", name="Créer le brouillon").click()
    agent.get_by_label("Objet du projet").fill("Vidéoprotection du centre-ville")
    agent.get_by_role("button", name="Enregistrer et continuer").click()
    agent.get_by_label("Catégorie de dépense, ligne 1").select_option("camera")
    agent.get_by_label("Quantité, ligne 1").fill("6")
    agent.get_by_label("Coût unitaire HT (€), ligne 1").fill("4000")
    agent.get_by_role("button", name="Enregistrer et continuer").click()
    expect(agent.get_by_role("heading", name="Aide calculée : 12\u202f000\u00a0€")).to_be_visible()
    agent.get_by_role("button", name="Enregistrer et continuer").click()  # cameras
    agent.get_by_role("button", name="Enregistrer et continuer").click()  # financing plan
    upload(agent, tmp_path, "Devis détaillés", "devis-cameras.pdf")
    agent.get_by_role("link", name="Récapitulatif et dépôt").first.click()
    agent.get_by_role("button", name="Déposer le dossier").click()
    expect(agent.locator("#etat")).to_have_text("Déposé")
    application = Application.objects.get(organisation=meaux)
    file_url = f"{site}/aides/dossiers/{application.pk}/"

    # 4. The instructor finds it in the queue and asks for the missing deliberation.
    instructor.goto("/aides/departement/")
    instructor.get_by_role("link", name=application.reference).click()
    expect(instructor.locator("#etat")).to_have_text("Déposé")
    instructor.get_by_role("link", name="Page du dossier (demande de pièces)").click()
    instructor.get_by_label(DELIBERATION).check()
    instructor.get_by_label("Message au demandeur").fill("Merci de joindre la délibération.")
    instructor.get_by_role("button", name="Demander les pièces").click()
    expect(instructor.locator("#etat")).to_have_text("Incomplet (pièces demandées)")
    assert any(m.to == [EMAIL] and "pièces à fournir" in str(m.subject) for m in mailoutbox), (
        "the applicant is told which documents are missing"
    )

    # 5. The agent provides it and answers: the file goes back to the instructor.
    agent.goto(file_url)
    expect(agent.locator("main")).to_contain_text("Merci de joindre la délibération.")
    agent.get_by_role("link", name="Déposer les pièces").click()
    upload(agent, tmp_path, DELIBERATION, "deliberation.pdf")
    agent.get_by_role("link", name="Récapitulatif et dépôt").first.click()
    agent.get_by_label("Message à l'instructeur (facultatif)").fill("Délibération jointe.")
    agent.get_by_role("button", name="J'ai complété le dossier").click()
    expect(agent.get_by_role("status")).to_contain_text("le dossier repart chez l'instructeur")
    expect(agent.locator("#etat")).to_have_text("Déposé")

    # 6. The manager opens a session and this year's envelope.
    manager = new_page()
    log_in(manager, manager_user.email)
    today = timezone.localdate()
    session_date = today + datetime.timedelta(days=30)
    manager.goto("/aides/departement/commissions/")
    manager.get_by_label("Date de la séance").fill(session_date.isoformat())
    manager.get_by_label("Date limite des propositions").fill(today.isoformat())
    manager.get_by_role("button", name="Créer la séance").click()
    expect(manager.get_by_role("status")).to_contain_text("Séance créée.")
    manager.get_by_label("Exercice").fill(str(session_date.year))
    manager.get_by_label("Dispositif").select_option(label="Vidéoprotection")
    manager.get_by_label("Autorisation d'engagement (€)").fill("100000")
    manager.get_by_role("button", name="Enregistrer l'enveloppe").click()
    expect(manager.get_by_role("status")).to_contain_text("Enveloppe enregistrée.")

    # 7. Instruction, then the proposal to the session.
    instructor.goto(f"/aides/departement/dossiers/{application.pk}/")
    instructor.get_by_role("button", name="Mettre en instruction").click()
    expect(instructor.locator("#etat")).to_have_text("En instruction")
    session_name = f"Commission permanente du {session_date:%d/%m/%Y}"
    instructor.get_by_label("Séance de la Commission permanente").select_option(label=session_name)
    instructor.get_by_role("button", name="Inscrire à l'ordre du jour").click()
    expect(instructor.get_by_role("status")).to_contain_text("inscrit à l'ordre du jour")
    expect(instructor.locator("#etat")).to_have_text("Proposé à une commission")

    # 8. The vote, then the notification letter (a real PDF, also e-mailed).
    manager.get_by_role("link", name=session_name).click()
    manager.get_by_label("Vote", exact=True).select_option(label="Accordée")
    manager.get_by_label("Numéro de délibération").fill("CP-2026-042")
    manager.get_by_role("button", name="Enregistrer le vote").click()
    expect(manager.get_by_role("status")).to_contain_text("Vote enregistré.")
    manager.get_by_role("button", name=f"Notifier {application.number}").click()
    expect(manager.get_by_role("status")).to_contain_text("Décision notifiée")
    with manager.expect_download() as download:
        manager.get_by_role(
            "link", name=f"Lettre de notification {application.number} (PDF)"
        ).click()
    letter = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    letter_text = "".join(p.extract_text() for p in letter.pages)
    assert application.number in letter_text
    mailed = [m for m in mailoutbox if m.to == [EMAIL] and m.attachments]
    assert any(
        f"notification-{application.number}.pdf" == a[0] for m in mailed for a in m.attachments
    )

    # 9. The advance: the proof that works started, the request, the finance service pays.
    agent.goto(file_url)
    expect(agent.locator("#etat")).to_have_text("Notifié")
    agent.get_by_role("link", name="Ajouter une pièce").click()
    upload(agent, tmp_path, "Justificatif de commencement des travaux", "ordre-service.pdf")
    agent.goto(file_url)
    agent.get_by_role("button", name="Demander l'avance").click()
    expect(agent.get_by_role("status")).to_contain_text("Demande d'avance envoyée.")

    finance = new_page()
    log_in(finance, finance_user.email)
    finance.goto("/aides/departement/versements/")
    finance.get_by_role("button", name=f"Valider : Avance {application.number}").click()
    expect(finance.get_by_role("status")).to_contain_text("Versement validé.")
    agent.goto(file_url)
    expect(agent.locator("#etat")).to_have_text("Avance versée")

    # 10. The balance: paid invoice and statement, expenses as planned, then paid.
    agent.get_by_role("link", name="Ajouter une pièce").click()
    upload(agent, tmp_path, "Facture acquittée", "facture.pdf")
    upload(agent, tmp_path, "État récapitulatif des dépenses", "etat-depenses.pdf")
    agent.goto(file_url)
    agent.get_by_label("Dépenses réalisées HT (€)").fill("24000")
    agent.get_by_role("button", name="Demander le solde").click()
    expect(agent.get_by_role("status")).to_contain_text("Demande de solde envoyée.")

    finance.goto("/aides/departement/versements/")
    finance.get_by_role("button", name=f"Valider : Solde {application.number}").click()
    expect(finance.get_by_role("status")).to_contain_text("Versement validé.")
    agent.goto(file_url)
    expect(agent.locator("#etat")).to_have_text("Solde versé (clos)")

    application.refresh_from_db()
    assert application.state == State.BALANCE_PAID
    assert application.granted_amount == Decimal("12000")
    assert application.advance_paid > 0
    assert application.advance_paid + application.balance_paid == application.granted_amount
    kinds = set(application.payment_requests.values_list("kind", flat=True))
    assert kinds == {PaymentKind.ADVANCE, PaymentKind.BALANCE}
    applicant = User.objects.get(email=EMAIL)
    journal = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "grants.link_request.accepted",
        "grants.application.submitted",
        "grants.application.documents_requested",
        "grants.application.documents_provided",
        "grants.application.proposed",
        "grants.session.vote",
        "grants.application.notified",
        "grants.payment.advance_paid",
        "grants.payment.balance_paid",
    } <= journal
    assert applicant.is_active
