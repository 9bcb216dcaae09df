"""The idempotency ledger's pruning job: old event ids go, recent ones stay."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from bouclier.core.scheduling import registered_jobs
from bouclier.supervision import services
from bouclier.supervision.jobs import prune_received_events
from bouclier.supervision.models import ReceivedEvent

pytestmark = pytest.mark.django_db


def test_old_event_ids_are_pruned_and_the_job_is_registered() -> None:
    worker, _token = services.create_worker("worker-ledger")
    now = timezone.now()
    ages = {"old": 31, "edge": 29, "new": 0}
    ids = {}
    for name, days in ages.items():
        ids[name] = uuid.uuid4()
        ReceivedEvent.objects.create(event_id=ids[name], worker=worker, kind="segment")
        # received_at is set on creation: age it as if it had been received days ago.
        ReceivedEvent.objects.filter(event_id=ids[name]).update(
            received_at=now - dt.timedelta(days=days)
        )
    assert prune_received_events(now=now) == 1
    assert set(ReceivedEvent.objects.values_list("event_id", flat=True)) == {
        ids["edge"],
        ids["new"],
    }
    assert prune_received_events(now=now) == 0  # idempotent
    assert "supervision.ledger.prune" in {job.name for job in registered_jobs()}
    call_command("run_scheduled_jobs", only=["supervision.ledger.prune"])
    assert ReceivedEvent.objects.count() == 2
