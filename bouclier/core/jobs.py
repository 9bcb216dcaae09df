"""The shell's own scheduled jobs: expired sessions and stale login-failure counters."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bouclier.core.scheduling import Job, register_job


def purge_expired_sessions() -> str:
    deleted, _details = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{deleted} session(s) expirée(s) supprimée(s)"


def purge_login_attempts() -> str:
    """Failed-login counters (an address and an e-mail) are kept only while they matter."""
    from axes.models import AccessAttempt

    horizon = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    deleted, _details = AccessAttempt.objects.filter(attempt_time__lt=horizon).delete()
    return f"{deleted} compteur(s) d'échecs de connexion expiré(s) supprimé(s)"


def register() -> None:
    register_job(Job("core.sessions", _("Sessions expirées"), purge_expired_sessions))
    register_job(
        Job("core.login_attempts", _("Compteurs d'échecs de connexion"), purge_login_attempts)
    )
