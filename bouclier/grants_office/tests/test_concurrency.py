"""Concurrent votes on one envelope, on PostgreSQL with real threads: never overspent."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from bouclier.accounts.models import User
from bouclier.grants.models_files import Application, State
from bouclier.grants.services.applications import TransitionError
from bouclier.grants_office import services
from bouclier.grants_office.models import AgendaItem, Envelope, Outcome, Session
from bouclier.grants_office.tests.conftest import Instructed


@pytest.mark.django_db(transaction=True)
def test_parallel_votes_never_overspend_the_envelope(
    instructed: Instructed, instructor: User, manager: User, session: Session, envelope: Envelope
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter")
    items = [
        services.put_on_agenda(session, instructed(), instructor, amount=Decimal("10000"))
        for _ in range(4)
    ]
    # Room for two of the four votes only.
    envelope.amount = Decimal("25000")
    envelope.save()
    barrier = threading.Barrier(len(items))
    outcomes: list[str] = []

    def vote(item: AgendaItem) -> None:
        try:
            barrier.wait()
            services.record_vote(
                item, manager, outcome=Outcome.GRANTED, deliberation_number=f"CP-{item.pk}"
            )
            outcomes.append("ok")
        except TransitionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "ok", "refused", "refused"]
    assert Application.objects.filter(state=State.GRANTED).count() == 2
    committed, _paid = services.committed_and_paid(session.date.year, envelope.aid_line_id)
    assert committed == Decimal("20000") <= envelope.amount
