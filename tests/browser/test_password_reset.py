"""Choosing a new password from the e-mailed link, and the page of a link that has expired."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMessage
from playwright.sync_api import Page, expect

from bouclier.accounts.roles import Role
from conftest import MakeUser
from tests.browser.helpers import expect_heading, link_in, log_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Nouveau-Rempart-Provins-1137"


def test_password_reset_end_to_end(
    page: Page, site: str, make_user: MakeUser, mailoutbox: list[EmailMessage]
) -> None:
    user = make_user(Role.MEDIATOR)
    page.goto("/comptes/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page).to_have_url(f"{site}/comptes/mot-de-passe/oubli/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_role("button", name="Envoyer le lien").click()
    expect_heading(page, "Lien envoyé")

    # The e-mail went through the task queue once the request's transaction committed.
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [user.email]
    assert email.subject == "Nouveau mot de passe – Bouclier de sécurité"
    link = link_in(str(email.body))
    assert link.startswith(f"{site}/comptes/mot-de-passe/nouveau/")

    page.goto(link)
    expect_heading(page, "Choisir un nouveau mot de passe")
    page.get_by_label("Nouveau mot de passe :", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect_heading(page, "Mot de passe enregistré")

    # The old password no longer opens the account; the new one does.
    log_in(page, user.email)
    expect(page.locator("main")).to_contain_text("Adresse e-mail ou mot de passe incorrect.")
    log_in(page, user.email, NEW_PASSWORD)
    expect(page).to_have_url(f"{site}/")
    expect(page.get_by_role("heading", level=2)).to_have_text("Médiateur")

    # The link served once: opened again, it is refused.
    page.goto(link)
    expect_heading(page, "Ce lien n'est plus valable")


def test_invalid_reset_link_shows_the_french_page(page: Page, make_user: MakeUser) -> None:
    make_user(Role.MEDIATOR)
    page.goto("/comptes/mot-de-passe/nouveau/MQ/mauvais-jeton/")
    expect_heading(page, "Ce lien n'est plus valable")
    expect(page.locator("main")).to_contain_text(
        "Le lien de réinitialisation a expiré ou a déjà servi."
    )
    page.get_by_role("link", name="Demander un nouveau lien").click()
    expect_heading(page, "Mot de passe oublié")
