"""The data-protection officer's journal page: search, export, verification, self-audit."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.audit.services import record


def test_search_filters_and_is_audited(client: Client, login: Callable[..., User]) -> None:
    dpo = login(Role.DPO)
    record("tests.camera.viewed", reason="réquisition 42")
    record("tests.file.opened")
    response = client.get("/journal/", {"action": "tests.camera"})
    content = response.content.decode()
    assert "tests.camera.viewed" in content
    assert "tests.file.opened" not in content
    assert "réquisition 42" in content
    searched = AuditEntry.objects.filter(action="audit.journal.searched").latest("sequence")
    assert searched.actor_label == dpo.email
    assert searched.data == {"action": "tests.camera"}


def test_invalid_dates_get_french_error(client: Client, login: Callable[..., User]) -> None:
    login(Role.DPO)
    response = client.get("/journal/", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert "La date de fin précède la date de début." in response.content.decode()


def test_export_csv(client: Client, login: Callable[..., User]) -> None:
    login(Role.DPO)
    record("tests.camera.viewed", reason="contrôle")
    response = client.get("/journal/", {"action": "tests.camera", "format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert body.splitlines()[0].startswith("sequence;created_at;actor_label")
    assert "tests.camera.viewed" in body and "contrôle" in body
    assert AuditEntry.objects.filter(action="audit.journal.exported").exists()


def test_verification_button(client: Client, login: Callable[..., User]) -> None:
    login(Role.DPO)
    response = client.post("/journal/verifier/", follow=True)
    assert "Chaîne intègre" in response.content.decode()


def test_admin_changes_are_audited(client: Client, login: Callable[..., User]) -> None:
    login(Role.ADMINISTRATOR)
    from bouclier.territory.models import District

    response = client.post(
        "/administration/territory/district/add/", {"code": "nord", "name": "Nord"}
    )
    assert response.status_code == 302
    district = District.objects.get(code="nord")
    entry = AuditEntry.objects.filter(action="territory.district.created").latest("sequence")
    assert entry.object_id == str(district.pk)
    assert entry.role == "administrator"
