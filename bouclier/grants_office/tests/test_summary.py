"""The dashboard's summary tables stay equal to a full recomputation from the files."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from bouclier.accounts.models import Organisation, User
from bouclier.grants.models_files import CameraSite, PaymentKind, State
from bouclier.grants.services import applications as files
from bouclier.grants.tests.conftest import MELUN, real_pdf
from bouclier.grants_office import queries, services, summary
from bouclier.grants_office.models import DashboardSummary, Envelope, Outcome, Session
from bouclier.grants_office.tests.conftest import Instructed

pytestmark = pytest.mark.django_db


def _in_step() -> None:
    assert summary.stored() == summary.compute()


def test_summary_equals_full_recomputation_after_transitions(
    instructed: Instructed,
    instructor: User,
    manager: User,
    finance: User,
    applicant: User,
    melun_applicant: User,
    session: Session,
    envelope: Envelope,
) -> None:
    _in_step()
    a = instructed()
    b = instructed()
    c = instructed(melun_applicant, Organisation.objects.get(commune__insee_code=MELUN))
    _in_step()
    assert queries.totals(None)["files"] == 3
    item = services.put_on_agenda(session, a, instructor, amount=None)
    services.record_vote(item, manager, outcome=Outcome.GRANTED, deliberation_number="CP-1")
    _in_step()
    camera = CameraSite.objects.create(application=a, place="Gare", count=4)
    CameraSite.objects.create(application=c, place="Mairie", count=2)  # not funded
    _in_step()
    services.notify_beneficiary(item, manager)
    a.refresh_from_db()
    proof = files.add_document(
        a, applicant, kind="debut_travaux", name="os.pdf", content=real_pdf("OS")
    )
    files.request_advance(a, applicant, proof=proof)
    services.validate_payment(a.payment_requests.get(kind=PaymentKind.ADVANCE), finance)
    a.refresh_from_db()
    assert a.state == State.ADVANCE_PAID
    _in_step()
    files.withdraw(b, applicant, reason="Projet abandonné")
    camera.count = 6
    camera.save()
    _in_step()
    totals = queries.totals(None)
    assert (totals["files"], totals["cameras"], totals["communes"]) == (3, 6, 1)
    assert totals["paid"] == a.advance_paid > 0
    camera.delete()
    c.delete()
    _in_step()
    assert queries.totals(None)["files"] == 2


def test_rebuild_restores_a_wiped_or_skewed_summary(
    instructed: Instructed, manager: User, client: Client
) -> None:
    instructed()
    expected = summary.compute()
    DashboardSummary.objects.update(files=99, requested=Decimal(1))
    assert summary.stored() != expected
    call_command("rebuild_grants_summary")
    assert summary.stored() == expected
    summary.rebuild()  # idempotent
    assert summary.stored() == expected
    client.force_login(manager)
    assert client.get("/aides/departement/tableau-de-bord/").status_code == 200
