"""Logging in and out in the browser: success, wrong password, lockout, logout."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bouclier.accounts.roles import Role
from conftest import MakeUser
from tests.browser.helpers import expect_heading, log_in

pytestmark = pytest.mark.browser


def test_login_lands_on_the_dashboard_showing_the_role(
    page: Page, site: str, make_user: MakeUser
) -> None:
    user = make_user(Role.GRANTS_INSTRUCTOR)
    log_in(page, user.email)
    expect(page).to_have_url(f"{site}/")
    expect_heading(page, "Bonjour Prénom")
    expect(page.get_by_role("heading", level=2)).to_have_text("Instructeur des aides")
    expect(page.get_by_text(f"Connecté : {user}")).to_be_visible()


def test_wrong_password_shows_the_french_error_and_remaining_attempts(
    page: Page, make_user: MakeUser
) -> None:
    user = make_user(Role.APPLICANT)
    log_in(page, user.email, "Mauvais-mot-de-passe-77")
    expect_heading(page, "Connexion")
    expect(page.locator("main")).to_contain_text(
        "Adresse e-mail ou mot de passe incorrect. Il vous reste 4 essai(s) avant le blocage "
        "temporaire de la connexion."
    )
    # The address typed is kept; the person is not logged in.
    expect(page.get_by_label("Adresse e-mail")).to_have_value(user.email)
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def test_five_failures_lock_the_login_with_the_french_page(page: Page, make_user: MakeUser) -> None:
    user = make_user(Role.APPLICANT)
    for remaining in (4, 3, 2, 1):
        log_in(page, user.email, "Mauvais-mot-de-passe-77")
        expect(page.locator("main")).to_contain_text(f"Il vous reste {remaining} essai(s)")
    log_in(page, user.email, "Mauvais-mot-de-passe-77")
    expect_heading(page, "Connexion temporairement bloquée")
    expect(page.get_by_role("alert")).to_contain_text(
        "Trop de tentatives de connexion ont échoué pour ce compte depuis votre poste. Par "
        "sécurité, la connexion est bloquée pendant 15 minutes."
    )
    expect(page.get_by_role("link", name="Choisir un nouveau mot de passe")).to_be_visible()
    # Even the right password is refused while the lock lasts.
    log_in(page, user.email)
    expect_heading(page, "Connexion temporairement bloquée")


def test_logout_with_the_button_in_the_header(page: Page, site: str, make_user: MakeUser) -> None:
    user = make_user(Role.FINANCE)
    log_in(page, user.email)
    expect_heading(page, "Bonjour Prénom")
    page.get_by_role("banner").get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(f"{site}/comptes/connexion/")
    expect_heading(page, "Connexion")
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    # The dashboard is no longer open to this browser.
    page.goto("/")
    expect_heading(page, "Bouclier de sécurité de Seine-et-Marne")
