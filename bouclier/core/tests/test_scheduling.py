"""The scheduled jobs command: each job runs, is journalled, and a failure stops no other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from bouclier.audit.models import AuditEntry
from bouclier.core.scheduling import _JOBS, Job, register_job


def test_expired_sessions_are_purged(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    live = SessionStore()
    live.create()
    old = SessionStore()
    old.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    call_command("run_scheduled_jobs", only=["core.sessions"])
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert "1 session(s) expirée(s)" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="core.job.ran").exists()


def test_failing_job_does_not_stop_others(db: None) -> None:
    def broken() -> str:
        raise RuntimeError("panne")

    register_job(Job("aaa.broken", "cassée", broken))
    try:
        with pytest.raises(CommandError, match=r"en échec : aaa\.broken"):
            call_command("run_scheduled_jobs")
        assert AuditEntry.objects.filter(action="core.job.failed").count() == 1
        assert AuditEntry.objects.filter(action="core.job.ran").count() >= 2
    finally:
        del _JOBS["aaa.broken"]


def test_unknown_job_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="inconnue"):
        call_command("run_scheduled_jobs", only=["nulle"])
