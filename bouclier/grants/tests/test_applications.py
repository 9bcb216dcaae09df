"""The application file's state machine: every transition, who may make it, and from where."""

from __future__ import annotations

import datetime
import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from bouclier.accounts.models import User
from bouclier.audit.models import AuditEntry
from bouclier.grants.models import ParameterSet
from bouclier.grants.models_files import Application, Document, State
from bouclier.grants.services import applications as services
from bouclier.grants.services.applications import ConflictError, TransitionError
from bouclier.grants.tests.conftest import MakeDraft, real_pdf


def actions(application: Application) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(application.pk), object_type="grants.application")
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def submitted(make_draft: MakeDraft, applicant: User, capture: Any) -> Application:
    draft = make_draft(applicant)
    with capture(execute=True):
        assert services.submit(draft, applicant)
    return draft


def upload(application: Application, user: User, kind: str) -> Document:
    return services.add_document(
        application, user, kind=kind, name=f"{kind}.pdf", content=real_pdf(kind)
    )


def test_submission_freezes_the_rules_and_sends_the_acknowledgement(
    make_draft: MakeDraft, applicant: User, django_capture_on_commit_callbacks: Any
) -> None:
    draft = make_draft(applicant)
    assert draft.state == State.DRAFT and draft.version == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert services.submit(draft, applicant) is True
    assert draft.state == State.SUBMITTED
    assert draft.number.startswith("BS-")
    # 10 cameras x 5,000 at 50 % = 25,000, under the 30,000 ceiling and the 80 % cap.
    assert draft.requested_amount == Decimal(25000)
    assert draft.parameters_snapshot is not None
    assert draft.explanation[-1]["amount"] == "25000"
    text = "".join(page.extract_text() for page in PdfReader(draft.acknowledgement.open()).pages)
    assert draft.number in text and "Meaux" in text and "25" in text
    message = mail.outbox[-1]
    assert message.to == [applicant.email]
    assert draft.number in str(message.subject)
    assert message.attachments[0][2] == "application/pdf"
    assert "grants.application.submitted" in actions(draft)


def test_a_later_change_of_the_reglement_never_changes_a_submitted_file(
    make_draft: MakeDraft, applicant: User, django_capture_on_commit_callbacks: Any
) -> None:
    draft = submitted(make_draft, applicant, django_capture_on_commit_callbacks)
    ParameterSet.objects.filter(aid_line__code="videoprotection").update(base_rate=Decimal(10))
    assert services.compute_file(draft).amount == Decimal(25000)
    assert services.rules_for(draft) is not None


def test_double_submit_creates_one_submission(
    make_draft: MakeDraft, applicant: User, django_capture_on_commit_callbacks: Any
) -> None:
    draft = make_draft(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.submit(draft, applicant) is True
        assert services.submit(Application.objects.get(pk=draft.pk), applicant) is False
    assert actions(draft).count("grants.application.submitted") == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_submits_create_one_submission(make_draft: MakeDraft, applicant: User) -> None:
    draft = make_draft(applicant)
    results: list[bool | str] = []

    def click() -> None:
        try:
            results.append(services.submit(Application.objects.get(pk=draft.pk), applicant))
        except Exception as error:  # the test reports it rather than losing it in the thread
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [False, True]
    assert actions(draft).count("grants.application.submitted") == 1


def test_empty_draft_cannot_be_submitted_and_nothing_changes(
    applicant: User, make_draft: MakeDraft
) -> None:
    draft = make_draft(applicant)
    services.save_expenses(draft, applicant, version=draft.version, lines=[])
    version = draft.version
    with pytest.raises(TransitionError, match="au moins une ligne de dépense"):
        services.submit(draft, applicant)
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and draft.version == version and not draft.number


def test_stale_version_is_a_conflict_and_nothing_is_lost(
    applicant: User, make_draft: MakeDraft
) -> None:
    draft = make_draft(applicant)
    stale = draft.version
    services.save_project(
        draft,
        applicant,
        version=stale,
        title="Première saisie",
        description="",
        beneficiary="commune",
        conditions=[],
    )
    with pytest.raises(ConflictError, match="modifié par quelqu'un d'autre"):
        services.save_project(
            draft,
            applicant,
            version=stale,
            title="Seconde saisie",
            description="",
            beneficiary="commune",
            conditions=[],
        )
    draft.refresh_from_db()
    assert draft.title == "Première saisie"


def test_only_the_communes_applicants_act_on_its_file(
    applicant: User, melun_applicant: User, instructor: User, make_draft: MakeDraft
) -> None:
    draft = make_draft(applicant)
    with pytest.raises(TransitionError):
        services.submit(draft, melun_applicant)
    with pytest.raises(TransitionError):
        services.submit(draft, instructor)
    with pytest.raises(TransitionError):
        upload(draft, melun_applicant, "devis")
    assert Application.objects.get(pk=draft.pk).state == State.DRAFT


def test_documents_are_versioned_and_false_pdfs_refused(
    applicant: User, make_draft: MakeDraft
) -> None:
    from bouclier.grants.services.documents import DocumentError

    draft = make_draft(applicant)
    first = upload(draft, applicant, "devis")
    second = upload(draft, applicant, "devis")
    assert (first.version, second.version) == (1, 2)
    assert Document.objects.filter(application=draft).count() == 2
    with pytest.raises(DocumentError, match="PDF"):
        services.add_document(
            draft, applicant, kind="devis", name="faux.pdf", content=b"%PDF-1.7 rien d'autre"
        )
    with pytest.raises(DocumentError, match="ni un PDF"):
        services.add_document(
            draft, applicant, kind="devis", name="virus.pdf", content=b"MZ\x90\x00binaire"
        )
    with pytest.raises(TransitionError, match="inconnu"):
        services.add_document(draft, applicant, kind="nimporte", name="a.pdf", content=real_pdf())


def test_missing_documents_round_trip_and_deadline(
    applicant: User,
    instructor: User,
    make_draft: MakeDraft,
    django_capture_on_commit_callbacks: Any,
) -> None:
    draft = submitted(make_draft, applicant, django_capture_on_commit_callbacks)
    with pytest.raises(TransitionError, match="instructeurs"):
        services.request_documents(draft, applicant, kinds=["aipd"], message="")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_documents(draft, instructor, kinds=["aipd"], message="L'AIPD manque.")
    assert draft.state == State.INCOMPLETE
    assert "pièces à fournir" in str(mail.outbox[-1].subject)
    with pytest.raises(TransitionError, match="Il manque encore"):
        services.answer_document_request(draft, applicant)
    upload(draft, applicant, "aipd")
    services.answer_document_request(draft, applicant, answer="Voici l'AIPD.")
    assert draft.state == State.SUBMITTED

    # A second request, answered too late: refused, the file stays incomplete.
    services.start_instruction(draft, instructor)
    services.request_documents(draft, instructor, kinds=["diagnostic_securite"], message="")
    draft.document_requests.filter(answered_at__isnull=True).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    upload(draft, applicant, "diagnostic_securite")
    with pytest.raises(TransitionError, match="expiré"):
        services.answer_document_request(draft, applicant)
    assert Application.objects.get(pk=draft.pk).state == State.INCOMPLETE
    # The scheduled job then declares it lapsed.
    assert services.lapse_overdue() == [draft.number]
    draft.refresh_from_db()
    assert draft.state == State.LAPSED


def test_the_whole_chain_to_the_prorated_balance(
    applicant: User,
    instructor: User,
    manager: User,
    finance: User,
    make_draft: MakeDraft,
    django_capture_on_commit_callbacks: Any,
) -> None:
    draft = submitted(make_draft, applicant, django_capture_on_commit_callbacks)
    with pytest.raises(TransitionError, match="proposer"):
        services.propose(draft, instructor)  # not under instruction yet
    services.start_instruction(draft, instructor)
    services.propose(draft, instructor)
    assert draft.proposed_amount == Decimal(25000)
    with pytest.raises(TransitionError, match="gestionnaire"):
        services.decide(draft, instructor, granted=True)
    with pytest.raises(TransitionError, match="dépasser"):
        services.decide(draft, manager, granted=True, amount=Decimal(30000))
    services.decide(draft, manager, granted=True, deliberation_number="CP-2026-04-12")
    assert draft.state == State.GRANTED and draft.granted_amount == Decimal(25000)
    services.notify(draft, manager)
    assert draft.state == State.NOTIFIED

    with pytest.raises(TransitionError, match="commencement"):
        services.request_advance(draft, applicant, proof=None)
    proof = upload(draft, applicant, "debut_travaux")
    services.request_advance(draft, applicant, proof=proof)
    with pytest.raises(TransitionError, match="financier"):
        services.pay_advance(draft, applicant)
    services.pay_advance(draft, finance)
    assert draft.state == State.ADVANCE_PAID
    assert draft.advance_paid == Decimal(7500)  # 30 % advance

    invoice = upload(draft, applicant, "facture")
    statement = upload(draft, applicant, "etat_depenses")
    with pytest.raises(TransitionError, match="état récapitulatif"):
        services.request_balance(
            draft, applicant, declared_expenses=Decimal(1), invoices=[invoice], statement=None
        )
    # Half the planned eligible base was spent: the aid is halved, minus the advance.
    services.request_balance(
        draft,
        applicant,
        declared_expenses=Decimal(25000),
        invoices=[invoice],
        statement=statement,
    )
    services.pay_balance(draft, finance)
    assert draft.state == State.BALANCE_PAID
    assert draft.balance_paid == Decimal(5000)
    assert actions(draft)[-6:] == [
        "grants.payment.advance_requested",
        "grants.payment.advance_paid",
        "grants.document.uploaded",
        "grants.document.uploaded",
        "grants.payment.balance_requested",
        "grants.payment.balance_paid",
    ]
    with pytest.raises(TransitionError, match="retirer"):
        services.withdraw(draft, applicant, reason="Trop tard")


def test_refusal_withdrawal_and_lapse_after_notification(
    applicant: User,
    instructor: User,
    manager: User,
    make_draft: MakeDraft,
    django_capture_on_commit_callbacks: Any,
) -> None:
    refused = submitted(make_draft, applicant, django_capture_on_commit_callbacks)
    services.start_instruction(refused, instructor)
    services.propose(refused, instructor, amount=Decimal(20000))
    with pytest.raises(TransitionError, match="motif"):
        services.decide(refused, manager, granted=False)
    services.decide(refused, manager, granted=False, reason="Enveloppe épuisée")
    assert refused.state == State.REFUSED

    withdrawn = submitted(make_draft, applicant, django_capture_on_commit_callbacks)
    with pytest.raises(TransitionError, match="pourquoi"):
        services.withdraw(withdrawn, applicant, reason=" ")
    services.withdraw(withdrawn, applicant, reason="Projet abandonné")
    assert withdrawn.state == State.WITHDRAWN

    notified = submitted(make_draft, applicant, django_capture_on_commit_callbacks)
    services.start_instruction(notified, instructor)
    services.propose(notified, instructor)
    services.decide(notified, manager, granted=True)
    services.notify(notified, manager)
    with pytest.raises(TransitionError, match="pas dépassé"):
        services.lapse(notified, manager)
    # Twelve months later the works have still not started.
    services.lapse(notified, manager, today=timezone.localdate() + datetime.timedelta(days=400))
    assert notified.state == State.LAPSED


def test_messages_are_shared_and_annotations_private(
    applicant: User,
    instructor: User,
    melun_applicant: User,
    make_draft: MakeDraft,
    django_capture_on_commit_callbacks: Any,
) -> None:
    draft = submitted(make_draft, applicant, django_capture_on_commit_callbacks)
    services.post_message(draft, applicant, body="Le devis est-il suffisant ?")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(draft, instructor, body="Oui.")
    assert "nouveau message" in str(mail.outbox[-1].subject)
    with pytest.raises(TransitionError):
        services.post_message(draft, melun_applicant, body="Intrusion")
    with pytest.raises(TransitionError):
        services.annotate(draft, applicant, body="Note")
    services.annotate(draft, instructor, body="À vérifier avec le référent sûreté.")
    assert draft.messages.count() == 2 and draft.annotations.count() == 1


def test_acknowledgement_pdf_is_a_real_pdf(
    applicant: User, make_draft: MakeDraft, django_capture_on_commit_callbacks: Any
) -> None:
    draft = submitted(make_draft, applicant, django_capture_on_commit_callbacks)
    with draft.acknowledgement.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) >= 1


def test_images_accepted_by_content_and_size_limited(
    applicant: User, make_draft: MakeDraft, settings: Any
) -> None:
    from bouclier.grants.services.documents import DocumentError

    draft = make_draft(applicant)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    document = services.add_document(draft, applicant, kind="autre", name="photo.JPG", content=png)
    # Recognised as PNG by its bytes, whatever its name says.
    assert (document.content_type, document.original_name) == ("image/png", "photo.png")
    jpeg = services.add_document(
        draft, applicant, kind="autre", name="scan", content=b"\xff\xd8\xff\xe0" + b"\x00" * 64
    )
    assert jpeg.content_type == "image/jpeg" and jpeg.version == 2
    settings.GRANTS_MAX_UPLOAD_BYTES = 32
    with pytest.raises(DocumentError, match="taille"):
        services.add_document(draft, applicant, kind="autre", name="a.png", content=png)


def test_lapse_command_runs_the_scheduled_job(reglement: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("lapse_grant_files", stdout=out)
    assert "0 dossier(s) caduc(s)" in out.getvalue()
