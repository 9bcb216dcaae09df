"""The Département's side end to end through the services, and its pages and exports."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from bouclier.accounts.models import Organisation, User
from bouclier.audit.models import AuditEntry
from bouclier.grants.models_files import Application, CameraSite, PaymentKind, State
from bouclier.grants.services import applications as files
from bouclier.grants.services.applications import TransitionError
from bouclier.grants.tests.conftest import MELUN, real_pdf
from bouclier.grants_office import exports, queries, services
from bouclier.grants_office.models import Envelope, Outcome, Reminder, Session
from bouclier.grants_office.tests.conftest import Instructed

pytestmark = pytest.mark.django_db


def _granted(
    instructed: Instructed,
    session: Session,
    instructor: User,
    manager: User,
    amount: Decimal | None = None,
) -> Any:
    application = instructed()
    item = services.put_on_agenda(session, application, instructor, amount=amount)
    services.record_vote(item, manager, outcome=Outcome.GRANTED, deliberation_number="CP-1")
    application.refresh_from_db()
    return application, item


def test_adjustment_is_justified_prorated_and_version_checked(
    instructed: Instructed, instructor: User
) -> None:
    application = instructed()
    base, amount = application.eligible_base, application.requested_amount
    assert base is not None and amount is not None
    with pytest.raises(TransitionError, match="Justifiez"):
        services.adjust_eligible_base(
            application, instructor, version=application.version, retained_base=base, reason=" "
        )
    with pytest.raises(TransitionError, match="ne peut dépasser"):
        services.adjust_eligible_base(
            application,
            instructor,
            version=application.version,
            retained_base=base + 1,
            reason="x",
        )
    stale = application.version
    services.adjust_eligible_base(
        application,
        instructor,
        version=application.version,
        retained_base=base / 2,
        reason="Deux caméras hors périmètre",
    )
    assert application.eligible_base == base / 2
    assert application.requested_amount == (amount / 2).quantize(Decimal("0.01"))
    with pytest.raises(TransitionError, match="modifié par quelqu'un d'autre"):
        services.adjust_eligible_base(
            application, instructor, version=stale, retained_base=base / 4, reason="x"
        )
    assert AuditEntry.objects.filter(action="grants.application.base_adjusted").count() == 1


def test_opinion_is_asked_answered_once_and_only_by_its_addressee(
    instructed: Instructed, instructor: User, manager: User, django_capture_on_commit_callbacks: Any
) -> None:
    application = instructed()
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        opinion = services.request_opinion(
            application,
            instructor,
            requested_from=manager,
            question="Les emplacements conviennent-ils ?",
            deadline=deadline,
        )
    assert mail.outbox[-1].to == [manager.email]
    with pytest.raises(TransitionError, match="autre personne"):
        services.give_opinion(opinion, instructor, answer="oui", favourable=True)
    services.give_opinion(opinion, manager, answer="Favorable", favourable=True)
    with pytest.raises(TransitionError, match="déjà été rendu"):
        services.give_opinion(opinion, manager, answer="encore", favourable=False)


def test_vote_never_exceeds_computed_amount_nor_envelope(
    instructed: Instructed,
    instructor: User,
    manager: User,
    session: Session,
    envelope: Envelope,
) -> None:
    application = instructed()
    item = services.put_on_agenda(session, application, instructor)
    computed = application.requested_amount
    assert computed is not None
    with pytest.raises(TransitionError, match="délibération"):
        services.record_vote(item, manager, outcome=Outcome.GRANTED)
    with pytest.raises(TransitionError, match="ne peut dépasser"):
        services.record_vote(
            item, manager, outcome=Outcome.GRANTED, amount=computed + 1, deliberation_number="1"
        )
    envelope.amount = computed - 1
    envelope.save()
    with pytest.raises(TransitionError, match="dépasserait l'enveloppe"):
        services.record_vote(item, manager, outcome=Outcome.GRANTED, deliberation_number="1")
    application.refresh_from_db()
    assert application.state == State.PROPOSED
    envelope.amount = computed
    envelope.save()
    services.record_vote(item, manager, outcome=Outcome.GRANTED, deliberation_number="CP-7")
    application.refresh_from_db()
    assert application.state == State.GRANTED
    assert application.granted_amount == computed
    assert application.deliberation_number == "CP-7"
    assert services.committed_and_paid(session.date.year, application.aid_line_id) == (
        computed,
        Decimal(0),
    )
    with pytest.raises(TransitionError, match="déjà enregistré"):
        services.record_vote(item, manager, outcome=Outcome.REFUSED, deliberation_number="1")


def test_postponed_file_goes_to_a_later_session(
    instructed: Instructed, instructor: User, manager: User, session: Session
) -> None:
    application = instructed()
    item = services.put_on_agenda(session, application, instructor)
    with pytest.raises(TransitionError, match="déjà à l'ordre du jour"):
        services.put_on_agenda(session, application, instructor)
    services.record_vote(item, manager, outcome=Outcome.POSTPONED, reason="Pièces à vérifier")
    later = services.create_session(
        manager,
        date=session.date + datetime.timedelta(days=30),
        proposal_deadline=timezone.localdate(),
    )
    again = services.put_on_agenda(later, application, instructor)
    assert again.proposed_amount == item.proposed_amount


def test_notification_letter_pdf_is_mailed_then_advance_and_prorated_balance(
    instructed: Instructed,
    instructor: User,
    manager: User,
    finance: User,
    applicant: User,
    session: Session,
    envelope: Envelope,
    django_capture_on_commit_callbacks: Any,
) -> None:
    application, item = _granted(instructed, session, instructor, manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_beneficiary(item, manager)
    application.refresh_from_db()
    assert application.state == State.NOTIFIED
    letter = next(m for m in mail.outbox if m.attachments)
    assert letter.to == [applicant.email]
    text = PdfReader(io.BytesIO(letter.attachments[0][1])).pages[0].extract_text()
    assert application.number in text and "CP-1" in text

    proof = files.add_document(
        application, applicant, kind="debut_travaux", name="os.pdf", content=real_pdf("OS")
    )
    files.request_advance(application, applicant, proof=proof)
    advance = application.payment_requests.get(kind=PaymentKind.ADVANCE)
    expected_advance = files.advance_amount(application)
    assert services.payment_amount(advance) == expected_advance
    with pytest.raises(TransitionError):
        services.validate_payment(advance, applicant)
    services.validate_payment(advance, finance)
    application.refresh_from_db()
    assert application.state == State.ADVANCE_PAID

    invoice = files.add_document(
        application, applicant, kind="facture", name="f.pdf", content=real_pdf("Facture")
    )
    statement = files.add_document(
        application, applicant, kind="etat_depenses", name="e.pdf", content=real_pdf("Etat")
    )
    base = application.eligible_base
    assert base is not None
    files.request_balance(
        application,
        applicant,
        declared_expenses=base / 2,
        invoices=[invoice],
        statement=statement,
    )
    balance = application.payment_requests.get(kind=PaymentKind.BALANCE)
    granted = application.granted_amount
    assert granted is not None
    assert services.payment_amount(balance) == (granted / 2) - expected_advance
    services.validate_payment(balance, finance)
    application.refresh_from_db()
    assert application.state == State.BALANCE_PAID
    # Closed: only what was paid stays committed, the rest is released to the envelope.
    committed, paid = services.committed_and_paid(session.date.year, application.aid_line_id)
    assert committed == paid == granted / 2

    rows = list(
        csv.reader(io.StringIO(exports.payment_orders_csv(exports.paid_payments())), delimiter=";")
    )
    assert rows[0] == exports.PAYMENT_COLUMNS
    assert [r[4] for r in rows[1:]] == ["advance", "balance"]
    assert sum(Decimal(r[5]) for r in rows[1:]) == granted / 2


def test_lapse_releases_the_envelope_and_reminders_are_sent_once(
    instructed: Instructed,
    instructor: User,
    manager: User,
    applicant: User,
    session: Session,
    envelope: Envelope,
    django_capture_on_commit_callbacks: Any,
) -> None:
    application, item = _granted(instructed, session, instructor, manager)
    services.notify_beneficiary(item, manager)
    application.refresh_from_db()
    deadline = files.lapse_deadline(application)
    assert deadline is not None
    day_before = deadline - datetime.timedelta(days=1)
    assert services.send_deadline_reminders(deadline - datetime.timedelta(days=60)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders(day_before) == 1
        assert services.send_deadline_reminders(day_before) == 0
    assert Reminder.objects.get().recipients == [applicant.email]
    assert "Rappel" in mail.outbox[-1].subject
    year = session.date.year
    assert services.committed_and_paid(year, application.aid_line_id)[0] > 0
    files.lapse_overdue(deadline + datetime.timedelta(days=1))
    application.refresh_from_db()
    assert application.state == State.LAPSED
    assert services.committed_and_paid(year, application.aid_line_id) == (Decimal(0), Decimal(0))


def test_dashboard_figures_match_hand_computed_data(
    instructed: Instructed,
    instructor: User,
    manager: User,
    session: Session,
    envelope: Envelope,
    melun_applicant: User,
) -> None:
    a, _item_a = _granted(instructed, session, instructor, manager)
    CameraSite.objects.create(application=a, place="Gare", count=4)
    b = instructed(
        melun_applicant, Organisation.objects.get(commune__insee_code=MELUN)
    )  # under instruction: requested, not granted
    year = timezone.localdate().year
    totals = queries.totals(year)
    assert totals["files"] == 2
    assert totals["requested"] == a.requested_amount + b.requested_amount
    assert totals["granted"] == a.granted_amount
    assert totals["paid"] == 0
    assert totals["cameras"] == 4
    assert totals["communes"] == 1  # Meaux only
    assert totals["communes_total"] == 507
    assert totals["days_to_vote"] == 0.0
    by_epci = {row.label: row.files for row in queries.by_epci(year)}
    assert sum(by_epci.values()) == 2
    (line,) = queries.by_aid_line(year)
    assert (line.files, line.granted) == (2, a.granted_amount)
    assert [r.key for r in queries.by_year()] == [year]


def test_scdl_export_lists_only_granted_aids_above_threshold(
    instructed: Instructed, instructor: User, manager: User, session: Session, envelope: Envelope
) -> None:
    _small, _ = _granted(instructed, session, instructor, manager, amount=Decimal("20000"))
    big, _ = _granted(instructed, session, instructor, manager, amount=Decimal("23000.01"))
    rows = list(csv.DictReader(io.StringIO(exports.scdl_csv(exports.granted_items()))))
    assert list(rows[0]) == exports.SCDL_COLUMNS
    assert [r["montant"] for r in rows] == ["23000.01"]
    assert rows[0]["nomBeneficiaire"] == big.organisation.name
    assert rows[0]["referenceDecision"] == "CP-1"


def test_pages_exports_and_api(
    client: Client,
    instructed: Instructed,
    instructor: User,
    manager: User,
    session: Session,
    envelope: Envelope,
    applicant: User,
) -> None:
    application, _item = _granted(instructed, session, instructor, manager)
    other = instructed()
    client.force_login(instructor)
    page = client.get("/aides/departement/?tri=-montant&etat=under_instruction")
    assert page.status_code == 200 and other.number in page.content.decode()
    assert application.number not in page.content.decode()
    assert client.get(f"/aides/departement/dossiers/{other.pk}/").status_code == 200
    assert client.get(f"/aides/departement/commissions/{session.pk}/").status_code == 200
    response = client.post(
        f"/aides/departement/dossiers/{other.pk}/proposer/",
        {"session": session.pk, "amount": "-5"},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.state == State.UNDER_INSTRUCTION  # refused, nothing changed
    client.force_login(manager)
    dashboard = client.get("/aides/departement/tableau-de-bord/")
    assert "<svg" in dashboard.content.decode()
    xlsx = client.get("/aides/departement/tableau-de-bord.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content))["Synthèse"]
    assert sheet["B2"].value == 2
    api = client.get("/aides/api/decisions/")
    assert api.json()["results"][0]["deliberation_number"] == "CP-1"
    assert client.get("/aides/api/dossiers/").json()["count"] == 2
    client.force_login(applicant)
    assert client.get("/aides/api/dossiers/").status_code == 403
    assert client.get(f"/aides/departement/dossiers/{other.pk}/").status_code == 403
    pdf = client.get("/aides/reglement.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Vidéoprotection" in text


def test_application_exists(instructed: Instructed) -> None:
    assert isinstance(instructed(), Application)
