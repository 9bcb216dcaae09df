"""Signing up for a commune or EPCI and activating the account through the e-mailed link."""

from __future__ import annotations

import re

import pytest
from django.core.mail import EmailMessage
from playwright.sync_api import Page, expect

from bouclier.accounts.models import User
from tests.browser.helpers import expect_heading, link_in, log_in

pytestmark = pytest.mark.browser

EMAIL = "agent.police@meaux.test"
PASSWORD = "Remparts-De-Meaux-2024!"


def test_signup_then_activation_through_the_emailed_link(
    page: Page, site: str, mailoutbox: list[EmailMessage]
) -> None:
    page.goto("/")
    page.get_by_role("link", name="Créer un compte (commune ou EPCI)").click()
    expect(page).to_have_url(f"{site}/comptes/inscription/")
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom :", exact=True).fill("Durand")
    page.get_by_label("Adresse e-mail professionnelle").fill(EMAIL)
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect_heading(page, "Vérifiez votre messagerie")
    expect(page.locator("main")).to_contain_text(f"Un e-mail vient d'être envoyé à {EMAIL}.")

    # The account exists but cannot be used before activation.
    assert not User.objects.get(email=EMAIL).is_active
    log_in(page, EMAIL, PASSWORD)
    expect(page.locator("main")).to_contain_text("Adresse e-mail ou mot de passe incorrect.")

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [EMAIL]
    assert email.subject == "Activez votre compte Bouclier de sécurité"
    link = link_in(str(email.body))
    assert link.startswith(f"{site}/comptes/activation/")

    # Opening the link activates nothing by itself (mail scanners prefetch links).
    page.goto(link)
    expect_heading(page, "Activer mon compte")
    expect(page.locator("main")).to_contain_text(f"Compte : {EMAIL}")
    assert not User.objects.get(email=EMAIL).is_active
    page.locator("main").get_by_role("button", name="Activer mon compte").click()
    expect(page).to_have_url(f"{site}/comptes/connexion/")
    expect(page.get_by_role("status")).to_contain_text(
        "Votre compte est activé. Vous pouvez vous connecter."
    )

    # Activated, the account logs in; no role has been given to it yet.
    log_in(page, EMAIL, PASSWORD)
    expect_heading(page, "Votre compte n'a encore aucun rôle")

    # The link served once.
    page.goto(link)
    expect_heading(page, "Ce lien d'activation n'est plus valable")
