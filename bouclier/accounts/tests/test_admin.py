"""Accounts in the back office: a new account gets its activation link, roles are checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import mail
from django.test import Client

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry


def test_new_account_gets_activation_link(
    client: Client, login: Callable[..., User], django_capture_on_commit_callbacks: Any
) -> None:
    login(Role.ADMINISTRATOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/administration/accounts/user/add/",
            {"email": "nouvel.agent@seine-et-marne.test", "first_name": "Léo", "last_name": "Roy"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvel.agent@seine-et-marne.test")
    assert not user.is_active and not user.has_usable_password()
    assert mail.outbox[-1].to == [user.email]
    assert "/comptes/activation/" in str(mail.outbox[-1].body)
    assert AuditEntry.objects.filter(action="accounts.user.created", object_id=str(user.pk))
