"""What a person does in the browser again and again: log in, look at the page's title."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from conftest import PASSWORD


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill and send the login form, as a person would."""
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile("^Mot de passe")).fill(password)
    page.locator("main").get_by_role("button", name="Se connecter").click()


def expect_heading(page: Page, text: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def link_in(body: str) -> str:
    """The first web address in an e-mail's body."""
    match = re.search(r"https?://\S+", body)
    assert match is not None, f"no link in the e-mail:\n{body}"
    return match.group(0)
