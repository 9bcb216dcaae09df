"""Automated accessibility check (axe-core) of the main pages, anonymous and logged in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from bouclier.accounts.roles import Role
from conftest import MakeUser
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

# WCAG 2.1 A and AA, which the RGAA follows, and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

ANONYMOUS_PAGES = {
    "landing": "/",
    "login": "/comptes/connexion/",
    "signup": "/comptes/inscription/",
    "password-reset": "/comptes/mot-de-passe/oubli/",
}
# The administrator sees every page of the platform's shell.
LOGGED_IN_PAGES = {
    "dashboard": "/",
    "profile": "/comptes/mon-compte/",
    "territory": "/territoire/",
    "audit-journal": "/journal/",
}


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations, one per rule, with the elements concerned."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_no_violations(page: Page) -> None:
    # Axe is injected with page.evaluate (DevTools protocol), which the site's strict
    # Content-Security-Policy does not block: the pages are checked with the CSP in force.
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"


@pytest.mark.parametrize("path", ANONYMOUS_PAGES.values(), ids=ANONYMOUS_PAGES.keys())
def test_anonymous_page_has_no_axe_violation(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_violations(page)


@pytest.mark.parametrize("path", LOGGED_IN_PAGES.values(), ids=LOGGED_IN_PAGES.keys())
def test_logged_in_page_has_no_axe_violation(page: Page, make_user: MakeUser, path: str) -> None:
    user = make_user(Role.ADMINISTRATOR)
    log_in(page, user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Prénom")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_violations(page)


# The supervision centre's pages, as its supervisor sees them (work pages of every part are
# checked in their own browser tests too).
SUPERVISOR_PAGES = {
    "console": "/supervision/console/",
    "incidents": "/supervision/incidents/",
    "logbook": "/supervision/main-courante/",
    "register": "/supervision/registre/",
    "requisitions": "/supervision/requisitions/",
    "requisition-new": "/supervision/requisitions/nouvelle/",
    "verify": "/supervision/requisitions/verifier/",
    "wall": "/supervision/mur/",
    "supervision-dashboard": "/supervision/tableau-de-bord/",
}


@pytest.mark.parametrize("path", SUPERVISOR_PAGES.values(), ids=SUPERVISOR_PAGES.keys())
def test_supervision_page_has_no_axe_violation(page: Page, make_user: MakeUser, path: str) -> None:
    user = make_user(Role.CSD_SUPERVISOR)
    log_in(page, user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Prénom")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_violations(page)


def test_form_errors_have_no_axe_violation(page: Page, make_user: MakeUser) -> None:
    user = make_user(Role.APPLICANT)
    log_in(page, user.email, "Mauvais-mot-de-passe-77")
    expect(page.locator("main")).to_contain_text("Adresse e-mail ou mot de passe incorrect.")
    assert_no_violations(page)
    page.goto("/comptes/inscription/")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_no_violations(page)
