"""Scheduled jobs: purges, expiries and reminders that each context registers.

One command, ``manage.py run_scheduled_jobs``, runs them all; production calls it from a timer
(cron or systemd, hourly). Every job must be idempotent, so running it late, twice or after an
interruption does no harm; one job's failure never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Job:
    name: str
    description: str | Promise
    run: Callable[[], str]  # returns a one-line French summary of what it did


_JOBS: dict[str, Job] = {}


def register_job(job: Job) -> None:
    """Add a job (called from each context's ``AppConfig.ready``)."""
    _JOBS[job.name] = job


def registered_jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.name)
