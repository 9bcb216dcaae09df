"""One dashboard per role, reached by logging in through the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bouclier.accounts.roles import ROLE_DESCRIPTIONS, Role
from bouclier.core.navigation import items_for_role
from conftest import MakeUser
from tests.browser.helpers import expect_heading, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_each_role_sees_its_dashboard_and_navigation(
    page: Page, make_user: MakeUser, role: Role
) -> None:
    user = make_user(role)
    log_in(page, user.email)
    expect_heading(page, "Bonjour Prénom")
    section = page.get_by_role("region", name=str(role.label))
    expect(section).to_be_visible()
    expect(section).to_contain_text(str(ROLE_DESCRIPTIONS[role]))

    items = items_for_role(role)
    expected = ["Tableau de bord", *(str(item.label) for item in items)]
    navigation = page.get_by_role("navigation", name="Menu principal")
    expect(navigation.get_by_role("link")).to_have_text(expected)
    for item in items:
        expect(navigation.get_by_role("link", name=str(item.label))).to_have_attribute(
            "href", item.url
        )
        expect(section.get_by_role("link", name=str(item.label))).to_be_visible()
    # The journal is for the data-protection officer and the administrator only.
    journal_links = navigation.get_by_role("link", name="Journal d'audit")
    expect(journal_links).to_have_count(1 if role in {Role.DPO, Role.ADMINISTRATOR} else 0)


def test_dpo_opens_the_audit_journal(page: Page, site: str, make_user: MakeUser) -> None:
    user = make_user(Role.DPO)
    log_in(page, user.email)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Journal d'audit"
    ).click()
    expect(page).to_have_url(f"{site}/journal/")
    expect_heading(page, "Journal d'audit")
    # The DPO's own login is in the journal, and opening it was recorded too.
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("audit.journal.searched")
    expect(rows.filter(has_text="accounts.user.logged_in")).to_contain_text(user.email)
    page.get_by_role("button", name="Vérifier l'intégrité de la chaîne").click()
    expect(page.get_by_role("status")).to_contain_text("Chaîne intègre")


def test_administrator_opens_the_administration(page: Page, site: str, make_user: MakeUser) -> None:
    user = make_user(Role.ADMINISTRATOR)
    log_in(page, user.email)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Administration"
    ).click()
    expect(page).to_have_url(f"{site}/administration/")
    expect(page.get_by_role("heading", name="Données de référence et comptes")).to_be_visible()


def test_a_role_without_the_right_cannot_open_the_administration(
    page: Page, make_user: MakeUser
) -> None:
    user = make_user(Role.DPO)
    log_in(page, user.email)
    page.goto("/administration/")
    expect_heading(page, "Accès refusé")


def test_user_without_any_role_sees_the_no_role_page(page: Page, make_user: MakeUser) -> None:
    user = make_user()
    log_in(page, user.email)
    expect_heading(page, "Votre compte n'a encore aucun rôle")
    expect(page.locator("main")).to_contain_text("aucun rôle ne vous est attribué aujourd'hui")
    expect(page.get_by_role("navigation", name="Menu principal")).to_have_count(0)
    page.get_by_role("link", name="Voir mon compte").click()
    expect(page.locator("main")).to_contain_text("Aucun rôle en vigueur.")
