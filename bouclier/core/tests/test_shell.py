"""The page shell: security headers, languages, the health check, the demo loader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role


def test_security_headers(client: Client, login: Callable[..., User]) -> None:
    login(Role.MEDIATOR)
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_page_is_french_with_landmarks(client: Client, territory: None) -> None:
    content = client.get("/comptes/connexion/").content.decode()
    assert '<html lang="fr">' in content
    for landmark in ('role="banner"', '<main id="contenu"', 'role="contentinfo"'):
        assert landmark in content
    assert 'href="#contenu"' in content
    assert 'for="id_username"' in content


def test_french_whatever_the_browser_says(client: Client, territory: None) -> None:
    content = client.get("/comptes/connexion/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert '<html lang="fr">' in content


def test_english_locale_works(client: Client, territory: None) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    content = client.get("/comptes/connexion/").content.decode()
    assert '<html lang="en">' in content
    assert "Sign in" in content
    assert "Se connecter" not in content


def test_navigation_follows_roles(client: Client, login: Callable[..., User]) -> None:
    login(Role.DPO)
    content = client.get("/").content.decode()
    assert 'href="/journal/"' in content
    assert 'href="/administration/"' not in content
    client.logout()
    login(Role.APPLICANT)
    content = client.get("/").content.decode()
    assert 'href="/journal/"' not in content
    assert 'href="/territoire/"' not in content


def test_health(client: Client, db: None) -> None:
    assert client.get("/sante/").json() == {"status": "ok"}


def test_unknown_page_is_french_404(client: Client, db: None) -> None:
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_load_demo_creates_every_role(
    db: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Path,
) -> None:
    from bouclier.accounts.management.commands.load_demo import DEMO_ACCOUNTS, DEMO_DOMAIN

    settings.MEDIA_ROOT = tmp_path  # demo documents must not land in the developer's var/
    monkeypatch.setenv("BOUCLIER_DEMO_PASSWORD", "Demo-password-for-test-77")
    call_command("load_demo")
    users_after_first_run = User.objects.count()
    call_command("load_demo")  # idempotent
    assert User.objects.count() == users_after_first_run
    out = capsys.readouterr().out
    assert "Demo-password-for-test-77" in out
    # One listed login per role (the brigade's demo adds more mediators and collège heads).
    assert {role for *_, role, _org in DEMO_ACCOUNTS} == set(Role)
    for login, _first, _last, role, _org in DEMO_ACCOUNTS:
        user = User.objects.get(email=f"{login}@{DEMO_DOMAIN}")
        assert user.is_active and user.memberships.filter(role=role).exists(), role
        assert user.email in out


def test_translations_are_compiled() -> None:
    """Every .po file has its .mo compiled from its current content."""
    import polib

    for po_path in Path(__file__).resolve().parents[2].glob("locale/*/LC_MESSAGES/django.po"):
        po = polib.pofile(str(po_path))
        mo = polib.mofile(str(po_path.with_suffix(".mo")))
        compiled = {entry.msgid: entry.msgstr for entry in mo}
        for entry in po.translated_entries():
            if not entry.msgid_plural:
                assert compiled.get(entry.msgid) == entry.msgstr, (po_path, entry.msgid)
