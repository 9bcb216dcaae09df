"""The last pieces of the Département's side: the session report (PDF and XLSX), the queue's
configurable columns, the file's full history (staff only) and overdue-opinion reminders."""

from __future__ import annotations

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

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.grants.services import applications as files
from bouclier.grants.tests.conftest import MakeDraft
from bouclier.grants_office import columns, history, services
from bouclier.grants_office.exports import SESSION_AGENDA_HEADER
from bouclier.grants_office.models import Envelope, Outcome, Reminder, Session, UserQueuePreference
from bouclier.grants_office.tests.conftest import Instructed

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    # Amounts are written with non-breaking spaces between thousands.
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_session_report_as_pdf_and_xlsx_before_and_after_the_vote(
    client: Client,
    instructed: Instructed,
    instructor: User,
    manager: User,
    session: Session,
    envelope: Envelope,
) -> None:
    first, second = instructed(), instructed()
    item = services.put_on_agenda(session, first, instructor, amount=Decimal("10000"))
    services.put_on_agenda(session, second, instructor, amount=Decimal("5000"))
    client.force_login(instructor)
    page = client.get(f"/aides/departement/commissions/{session.pk}/").content.decode()
    assert f"/aides/departement/commissions/{session.pk}/rapport.pdf" in page
    assert f"/aides/departement/commissions/{session.pk}/rapport.xlsx" in page

    before = client.get(f"/aides/departement/commissions/{session.pk}/rapport.pdf")
    assert before["Content-Type"] == "application/pdf"
    text = _pdf_text(before.content)
    assert first.number in text and second.number in text
    assert "Vidéoprotection" in text
    assert "Vidéoprotection 15 000 €" in text  # total proposed on the aid line
    assert "100 000 €" in text  # the envelope
    assert "Décisions" not in text

    services.record_vote(item, manager, outcome=Outcome.GRANTED, deliberation_number="CP-2026-42")
    after = _pdf_text(
        client.get(f"/aides/departement/commissions/{session.pk}/rapport.pdf").content
    )
    assert "Décisions" in after and "CP-2026-42" in after
    assert "90 000 €" in after  # what remains of the envelope once 10,000 are committed

    xlsx = client.get(f"/aides/departement/commissions/{session.pk}/rapport.xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    agenda = list(workbook["Ordre du jour"].iter_rows(values_only=True))
    header = agenda.index(tuple(SESSION_AGENDA_HEADER))
    rows = {row[1]: row for row in agenda[header + 1 :] if row[1]}
    assert rows[first.number][6] == 10000 and rows[first.number][7] == "Accordée"
    assert rows[first.number][8] == 10000 and rows[first.number][9] == "CP-2026-42"
    assert rows[second.number][6] == 5000 and rows[second.number][7] == "À voter"
    assert rows[second.number][8] is None
    envelopes = list(workbook["Enveloppes"].iter_rows(values_only=True))
    (line,) = envelopes[1:]
    assert line[2:8] == (100000, 10000, 90000, 0, 15000, 10000)

    client.force_login(manager)
    assert client.get("/aides/departement/commissions/999999/rapport.xlsx").status_code == 404


def test_empty_session_report_still_renders(
    client: Client, instructor: User, session: Session
) -> None:
    client.force_login(instructor)
    text = _pdf_text(client.get(f"/aides/departement/commissions/{session.pk}/rapport.pdf").content)
    assert "Aucun dossier à l'ordre du jour" in text


def _headers(content: str) -> list[str]:
    return [part.split('"', 1)[0] for part in content.split('data-colonne="')[1:]]


def test_queue_columns_are_chosen_remembered_per_user_and_checked(
    client: Client, instructed: Instructed, instructor: User, manager: User
) -> None:
    application = instructed()
    client.force_login(instructor)
    page = client.get("/aides/departement/").content.decode()
    assert _headers(page) == list(columns.DEFAULT_COLUMNS)
    assert "<legend>" in page and 'type="checkbox"' in page

    response = client.post(
        "/aides/departement/colonnes/",
        {"colonnes": ["instructeur", "epci", "aide"], "filtres": "etat=under_instruction&x=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/aides/departement/?etat=under_instruction"
    page = client.get("/aides/departement/").content.decode()
    assert _headers(page) == ["epci", "aide", "instructeur"]
    assert "Pays de Meaux" in page  # Meaux's EPCI
    assert str(instructor) in page  # who started the instruction
    assert application.number in page
    assert UserQueuePreference.objects.get(user=instructor).columns == [
        "epci",
        "aide",
        "instructeur",
    ]
    assert AuditEntry.objects.filter(action="grants.queue.columns_set").count() == 1

    # An unknown column is refused and changes nothing.
    client.post("/aides/departement/colonnes/", {"colonnes": ["mot_de_passe"]})
    assert UserQueuePreference.objects.get(user=instructor).columns == [
        "epci",
        "aide",
        "instructeur",
    ]
    page = client.get("/aides/departement/").content.decode()
    assert "Colonne inconnue : mot_de_passe." in page

    # Another instructor keeps the default.
    client.force_login(manager)
    page = client.get("/aides/departement/").content.decode()
    assert _headers(page) == list(columns.DEFAULT_COLUMNS)


def test_history_lists_the_journal_in_french_for_staff_only(
    client: Client, instructed: Instructed, instructor: User, applicant: User
) -> None:
    assert history.APPLICATION_LABEL == "grants.application"
    application = instructed()
    files.annotate(application, instructor, body="Vérifier le devis du poste central")
    events = history.file_history(application)
    assert [e.code for e in events][-3:] == [
        "grants.application.submitted",
        "grants.application.instruction_started",
        "grants.annotation.written",
    ]
    assert all(e.code in history.ACTION_LABELS for e in events)
    started = events[-2]
    assert (started.action, started.who) == ("Mise en instruction", instructor.email)
    assert "Instructeur des aides" in started.roles

    client.force_login(instructor)
    page = client.get(f"/aides/departement/dossiers/{application.pk}/").content.decode()
    assert "Historique du dossier" in page
    assert "Dossier déposé" in page and "Annotation privée écrite" in page
    assert page.index("Dossier déposé") < page.index("Mise en instruction")

    client.force_login(applicant)
    assert client.get(f"/aides/departement/dossiers/{application.pk}/").status_code == 403
    own = client.get(f"/aides/dossiers/{application.pk}/")
    assert own.status_code == 200
    text = own.content.decode()
    assert "Historique du dossier" not in text
    assert "Annotation privée écrite" not in text and "Vérifier le devis" not in text


def test_overdue_opinion_reminds_the_instructor_who_asked_once(
    instructed: Instructed,
    instructor: User,
    manager: User,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    application = instructed()
    referent = make_user(Role.GRANTS_INSTRUCTOR)
    deadline = timezone.localdate() + datetime.timedelta(days=3)
    overdue = services.request_opinion(
        application, instructor, requested_from=referent, question="Avis ?", deadline=deadline
    )
    answered = services.request_opinion(
        application, manager, requested_from=referent, question="Et ?", deadline=deadline
    )
    services.give_opinion(answered, referent, answer="Favorable", favourable=True)
    after = deadline + datetime.timedelta(days=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_overdue_opinions(deadline) == 0  # due today: not late yet
        assert services.send_deadline_reminders(after) == 1
        assert services.send_deadline_reminders(after) == 0
    (message,) = mail.outbox
    assert message.to == [instructor.email]
    assert "retard" in message.subject and application.number in message.subject
    assert f"/aides/departement/dossiers/{application.pk}/" in message.body
    reminder = Reminder.objects.get(kind=f"avis-retard-{overdue.pk}")
    assert reminder.recipients == [instructor.email]


def test_no_overdue_reminder_once_the_file_left_instruction(
    make_draft: MakeDraft, applicant: User, instructor: User, make_user: Any
) -> None:
    application = make_draft(applicant)
    files.submit(application, applicant)
    deadline = timezone.localdate() + datetime.timedelta(days=3)
    services.request_opinion(
        application,
        instructor,
        requested_from=make_user(Role.GRANTS_MANAGER),
        question="Avis ?",
        deadline=deadline,
    )
    files.withdraw(application, applicant, reason="Projet abandonné")
    assert services.remind_overdue_opinions(deadline + datetime.timedelta(days=1)) == 0
