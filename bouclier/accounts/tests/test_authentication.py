"""Login, lockout, registration, activation and password reset, through the real views."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.test.utils import override_settings

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from conftest import PASSWORD

LOGIN = "/comptes/connexion/"
Capture = Callable[..., Any]


def link_in_last_mail() -> str:
    match = re.search(r"http://\S+", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(0).removeprefix("http://127.0.0.1:8000")


def test_password_is_hashed_with_argon2(make_user: Callable[..., User]) -> None:
    user = make_user(Role.MEDIATOR)
    assert user.password.startswith("argon2$")


def test_login_is_audited_and_lands_on_dashboard(
    client: Client, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.CSD_OPERATOR)
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD}, follow=True)
    assert "Opérateur du centre de supervision" in response.content.decode()
    entry = AuditEntry.objects.filter(action="accounts.user.logged_in").latest("sequence")
    assert entry.actor_label == user.email
    assert entry.role == "csd_operator"
    assert entry.ip_address == "127.0.0.1"


def test_email_case_does_not_matter(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user(Role.MEDIATOR)
    client.post(LOGIN, {"username": user.email.upper(), "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_is_counted_then_locked(
    client: Client, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.MEDIATOR)
    response = client.post(LOGIN, {"username": user.email, "password": "faux"})
    assert response.status_code == 200
    assert "Il vous reste 4 essai(s)" in response.content.decode()
    for _ in range(3):
        client.post(LOGIN, {"username": user.email, "password": "faux"})
    response = client.post(LOGIN, {"username": user.email, "password": "faux"})
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert AuditEntry.objects.filter(action="accounts.user.locked_out").exists()
    assert AuditEntry.objects.filter(action="accounts.user.login_failed").count() >= 5


def test_signup_activation_and_expired_link(
    client: Client, territory: None, django_capture_on_commit_callbacks: Capture
) -> None:
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        response = client.post(
            "/comptes/inscription/",
            {
                "first_name": "Agnès",
                "last_name": "Martin",
                "email": "agnes.martin@mairie.test",
                "password1": "Une-phrase-de-passe-77",
                "password2": "Une-phrase-de-passe-77",
            },
        )
    assert "Vérifiez votre messagerie" in response.content.decode()
    user = User.objects.get(email="agnes.martin@mairie.test")
    assert not user.is_active
    link = link_in_last_mail()
    # Not active yet: the login is refused.
    client.post(LOGIN, {"username": user.email, "password": "Une-phrase-de-passe-77"})
    assert "_auth_user_id" not in client.session
    # GET shows a form and activates nothing (mail scanners prefetch links).
    assert client.get(link).status_code == 200
    user.refresh_from_db()
    assert not user.is_active
    response = client.post(link, follow=True)
    user.refresh_from_db()
    assert user.is_active
    assert "Votre compte est activé" in response.content.decode()
    # The link served once: it is now refused with the French page and a resend form.
    response = client.get(link)
    assert response.status_code == 400
    assert "n'est plus valable" in response.content.decode()


def test_activation_link_expires(
    client: Client, territory: None, django_capture_on_commit_callbacks: Capture
) -> None:
    user = User.objects.create_user("lent@mairie.test", "Une-phrase-de-passe-77")
    from bouclier.accounts.services import activation_link

    link = activation_link(user).removeprefix("http://127.0.0.1:8000")
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        response = client.get(link)
    assert response.status_code == 400
    assert "n'est plus valable" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/comptes/activation/renvoyer/", {"email": user.email})
    assert "activer votre compte" in mail.outbox[-1].body


def test_duplicate_signup_reveals_nothing(
    client: Client, make_user: Callable[..., User], django_capture_on_commit_callbacks: Capture
) -> None:
    user = make_user(Role.APPLICANT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/comptes/inscription/",
            {
                "first_name": "X",
                "last_name": "Y",
                "email": user.email,
                "password1": "Une-phrase-de-passe-77",
                "password2": "Une-phrase-de-passe-77",
            },
        )
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert User.objects.filter(email=user.email).count() == 1
    assert "déjà un compte" in mail.outbox[-1].subject


def test_weak_password_refused_in_french(client: Client, territory: None) -> None:
    response = client.post(
        "/comptes/inscription/",
        {
            "first_name": "X",
            "last_name": "Y",
            "email": "x@mairie.test",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    content = response.content.decode()
    assert "trop court" in content or "au moins 12" in content
    assert not User.objects.filter(email="x@mairie.test").exists()


def test_password_reset_round_trip(
    client: Client, make_user: Callable[..., User], django_capture_on_commit_callbacks: Capture
) -> None:
    user = make_user(Role.FINANCE)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/comptes/mot-de-passe/oubli/", {"email": user.email})
    link = link_in_last_mail()
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(
        form_url, {"new_password1": "Nouvelle-phrase-77", "new_password2": "Nouvelle-phrase-77"}
    )
    client.post(LOGIN, {"username": user.email, "password": "Nouvelle-phrase-77"})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.filter(action="accounts.password.reset_done").exists()
    client.logout()
    response = client.get(link, follow=True)
    assert "n'est plus valable" in response.content.decode()


@pytest.mark.parametrize("path", ["/comptes/deconnexion/"])
def test_logout_requires_post_and_is_audited(
    client: Client, login: Callable[..., User], path: str
) -> None:
    login(Role.MEDIATOR)
    assert client.get(path).status_code == 405
    client.post(path)
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.user.logged_out").exists()


def test_user_without_role_gets_clear_page(client: Client, login: Callable[..., User]) -> None:
    login()
    response = client.get("/")
    assert response.status_code == 200
    assert "aucun rôle" in response.content.decode()
