"""Receivers that write authentication events to the audit trail and follow imports."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from bouclier.audit.services import record
from bouclier.territory.signals import territory_imported


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record("accounts.user.logged_in", request=request, actor=user, target=user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("accounts.user.logged_out", request=request, actor=user, target=user)


@receiver(user_login_failed)
def audit_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced the password in ``credentials`` with asterisks.
    record(
        "accounts.user.login_failed",
        request=request,
        data={"email": str(credentials.get("username", ""))[:254]},
    )


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: HttpRequest, username: str, **kwargs: Any) -> None:
    record("accounts.user.locked_out", request=request, data={"email": username})


@receiver(territory_imported)
def follow_territory(sender: Any, **kwargs: Any) -> None:
    from bouclier.accounts.services import sync_organisations

    sync_organisations()
