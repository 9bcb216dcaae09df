"""The instructor's queue columns and the file's history in the browser, checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bouclier.accounts.models import User
from bouclier.grants.services import applications as files
from bouclier.grants.tests.conftest import (  # noqa: F401 - fixtures reused as they are
    MakeDraft,
    applicant,
    instructor,
    make_draft,
    media,
    reglement,
)
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import assert_no_violations

pytestmark = pytest.mark.browser


def test_instructor_chooses_queue_columns_and_reads_the_history(
    page: Page,
    make_draft: MakeDraft,  # noqa: F811
    applicant: User,  # noqa: F811
    instructor: User,  # noqa: F811
) -> None:
    application = make_draft(applicant)
    files.submit(application, applicant)
    files.start_instruction(application, instructor)
    log_in(page, instructor.email)
    page.goto("/aides/departement/")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Échéance")).to_be_visible()

    page.get_by_text("Choisir les colonnes").click()
    choice = page.get_by_role("group", name="Colonnes affichées")
    choice.get_by_role("checkbox", name="Intercommunalité").check()
    choice.get_by_role("checkbox", name="Instructeur").check()
    choice.get_by_role("checkbox", name="Échéance").uncheck()
    assert_no_violations(page)  # the queue with its columns' fieldset open
    page.get_by_role("button", name="Enregistrer les colonnes").click()
    expect(page.get_by_role("status")).to_contain_text("Colonnes de la file enregistrées.")
    expect(table.get_by_role("columnheader", name="Intercommunalité")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Échéance")).to_have_count(0)
    expect(table).to_contain_text("CA du Pays de Meaux")

    page.get_by_role("link", name=application.reference).click()
    history = page.get_by_role("table", name="Historique complet")
    expect(history).to_contain_text("Dossier déposé")
    expect(history).to_contain_text("Mise en instruction")
    expect(history).to_contain_text("Instructeur des aides")
    assert_no_violations(page)
