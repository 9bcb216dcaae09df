"""A keyboard-only visit: skip link, login form, logout, without touching the mouse."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from bouclier.accounts.roles import Role
from conftest import PASSWORD, MakeUser
from tests.browser.helpers import expect_heading

pytestmark = pytest.mark.browser

MAX_TABS = 30


def focused(page: Page) -> str:
    """A short description of the element that has the focus: tag, id and text."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return `${e.tagName.toLowerCase()}#${e.id} ${e.textContent.trim()}`; }"
        )
    )


def test_keyboard_only_login_and_logout(page: Page, site: str, make_user: MakeUser) -> None:
    user = make_user(Role.CSD_OPERATOR)
    page.goto("/comptes/connexion/")

    # The first Tab reaches the skip link (hidden until focused); Enter moves the focus to
    # the main content.
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    assert focused(page) == "a# Aller au contenu"
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert focused(page).startswith("main#contenu ")

    # From the main content, the form's fields come in order.
    page.keyboard.press("Tab")
    assert focused(page) == "input#id_username "
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert focused(page) == "input#id_password "
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # (The browser keeps the skip link's "#contenu" across the redirection.)
    expect(page).to_have_url(re.compile(rf"^{re.escape(site)}/(#contenu)?$"))
    expect_heading(page, "Bonjour Prénom")

    # The logout button is reached with Tab and activated with Enter.
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused(page) == "button# Se déconnecter":
            break
    else:
        pytest.fail(f"Tab never reached the logout button (last focus: {focused(page)})")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"^{re.escape(site)}/comptes/connexion/(#contenu)?$"))
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
