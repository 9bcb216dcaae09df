"""The supervision back office in the browser: a camera refused with the law's reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bouclier.accounts.roles import Role
from bouclier.supervision.models import Camera
from bouclier.supervision.tests.helpers import make_site
from conftest import MakeUser
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_camera_with_too_long_retention_is_refused_at_the_field(
    page: Page, make_user: MakeUser
) -> None:
    make_site("Collège test")
    admin = make_user(Role.ADMINISTRATOR)
    log_in(page, admin.email)
    page.goto("/administration/supervision/camera/add/")
    page.get_by_label("Site").select_option(label="Collège test")
    page.get_by_label("Identifiant").first.fill("college-test-entree")
    page.get_by_label("Flux principal (enregistrement)").fill("rtsp://10.0.0.5/main")
    page.get_by_label("Conservation (jours)").fill("45")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".field-retention_days .errorlist")).to_contain_text("durée légale")
    assert not Camera.objects.exists()

    page.get_by_label("Conservation (jours)").fill("30")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Camera.objects.get().retention_days == 30
