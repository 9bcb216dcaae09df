"""Scheduled jobs of the supervision context (``manage.py run_scheduled_jobs``).

The idempotency ledger (``ReceivedEvent``) only has to outlive a worker's retries: a worker
resends what it is unsure about within minutes or, after an outage, within days. Keeping
every event id forever would grow the table by one row per segment, alarm and health event
of every camera; ids older than ``LEDGER_DAYS`` are pruned.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bouclier.supervision.models import ReceivedEvent

# As long as footage may be kept (CSI L252-5): nothing a worker still holds is older.
LEDGER_DAYS = 30


def prune_received_events(*, days: int = LEDGER_DAYS, now: dt.datetime | None = None) -> int:
    """Delete the ledger's entries older than ``days``; returns how many (idempotent)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = ReceivedEvent.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def prune_received_events_summary() -> str:
    count = prune_received_events()
    return f"{count} identifiant(s) d'événement de plus de {LEDGER_DAYS} jours supprimé(s)"
