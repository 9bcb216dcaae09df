"""The file's pages: the applicant's steps, uploads, submission, and who may open what."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import Role
from bouclier.grants.models_files import Application, LinkRequest, State
from bouclier.grants.services import applications as services
from bouclier.grants.tests.conftest import MELUN, MakeDraft, real_pdf


def url(application: Application, tail: str = "") -> str:
    return f"/aides/dossiers/{application.pk}/{tail}"


def test_applicant_fills_the_steps_uploads_and_submits(
    client: Client, applicant: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(applicant)
    meaux = Organisation.objects.get(commune__insee_code="77284")
    response = client.post(
        "/aides/dossiers/nouveau/",
        {"organisation": meaux.pk, "aid_line": _video_pk()},
    )
    draft = Application.objects.get()
    assert response["Location"] == url(draft, "etape/projet/")
    page = client.get(url(draft, "etape/projet/")).content.decode()
    assert "Aide calculée" in page
    response = client.post(
        url(draft, "etape/projet/"),
        {"version": draft.version, "title": "Caméras", "description": "", "beneficiary": "commune"},
    )
    assert response["Location"] == url(draft, "etape/depenses/")
    draft.refresh_from_db()
    rows: dict[str, Any] = {
        "version": draft.version,
        "lignes-TOTAL_FORMS": "5",
        "lignes-INITIAL_FORMS": "0",
        "lignes-0-category": "camera",
        "lignes-0-quantity": "4",
        "lignes-0-unit_cost": "5 000",
        "lignes-1-category": "camera",
        "lignes-1-quantity": "-2",
        "lignes-1-unit_cost": "abc",
    }
    response = client.post(url(draft, "etape/depenses/"), rows)
    assert response.status_code == 400
    page = response.content.decode()
    assert "La quantité doit être d&#x27;au moins 1." in page
    assert "Saisissez un nombre" in page
    rows.update({"lignes-1-category": "", "lignes-1-quantity": "", "lignes-1-unit_cost": ""})
    response = client.post(url(draft, "etape/depenses/"), rows)
    assert response.status_code == 302
    # The amount is shown at the next step: 4 x 5,000 at 50 %.
    assert (
        "Aide calculée : 10\u202f000\u00a0€"
        in client.get(url(draft, "etape/cameras/")).content.decode()
    )

    fake = SimpleUploadedFile("devis.pdf", b"%PDF-1.4 pas vraiment", "application/pdf")
    response = client.post(url(draft, "etape/pieces/"), {"kind": "devis", "file": fake})
    assert response.status_code == 400
    assert "n&#x27;en est pas un lisible" in response.content.decode()
    real = SimpleUploadedFile("../../Devis été.pdf", real_pdf(), "application/octet-stream")
    response = client.post(url(draft, "etape/pieces/"), {"kind": "devis", "file": real})
    assert response.status_code == 302
    document = draft.documents.get()
    assert document.original_name == "Devis_ete.pdf"
    assert client.get(url(draft, f"pieces/{document.pk}/")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(draft, "action/submit/"))
        client.post(url(draft, "action/submit/"))  # the double click
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    assert len(mail.outbox) == 1
    page = client.get(url(draft)).content.decode()
    assert draft.number in page and "Télécharger l'accusé de réception" in page
    response = client.get(url(draft, "accuse-reception.pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def _video_pk() -> int:
    from bouclier.grants.models import AidLine

    return AidLine.objects.get(code="videoprotection").pk


def test_a_stale_form_is_a_conflict_and_keeps_the_first_edit(
    client: Client, applicant: User, make_draft: MakeDraft
) -> None:
    draft = make_draft(applicant)
    stale = draft.version
    client.force_login(applicant)
    data = {"version": stale, "title": "Un", "description": "", "beneficiary": "commune"}
    assert client.post(url(draft, "etape/projet/"), data).status_code == 302
    response = client.post(url(draft, "etape/projet/"), {**data, "title": "Deux"})
    assert response.status_code == 409
    assert "modifié par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Un"


def test_an_applicant_of_another_commune_gets_404_everywhere(
    client: Client,
    applicant: User,
    melun_applicant: User,
    make_draft: MakeDraft,
    django_capture_on_commit_callbacks: Any,
) -> None:
    draft = make_draft(applicant)
    document = services.add_document(
        draft, applicant, kind="devis", name="devis.pdf", content=real_pdf()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(draft, applicant)
    client.force_login(melun_applicant)
    for tail in ("", "etape/projet/", "etape/pieces/", "accuse-reception.pdf"):
        assert client.get(url(draft, tail)).status_code == 404, tail
    assert client.get(url(draft, f"pieces/{document.pk}/")).status_code == 404
    for action in ("message", "withdraw", "answer", "submit", "instruct"):
        assert client.post(url(draft, f"action/{action}/"), {"body": "x"}).status_code == 404
    assert draft.number not in client.get("/aides/dossiers/").content.decode()
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED and not draft.messages.exists()


def test_staff_never_see_drafts_and_applicants_never_see_annotations(
    client: Client,
    applicant: User,
    instructor: User,
    make_draft: MakeDraft,
    django_capture_on_commit_callbacks: Any,
) -> None:
    draft = make_draft(applicant)
    client.force_login(instructor)
    assert client.get(url(draft)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(draft, applicant)
    assert draft.number in client.get("/aides/instruction/", follow=True).content.decode()
    client.post(url(draft, "action/annotate/"), {"body": "Secret de l'instruction"})
    client.post(url(draft, "action/message/"), {"body": "Bonjour la mairie"})
    client.post(url(draft, "action/request_documents/"), {"kinds": ["aipd"], "message": ""})
    draft.refresh_from_db()
    assert draft.state == State.INCOMPLETE
    assert "Secret de l" in client.get(url(draft)).content.decode()

    client.force_login(applicant)
    page = client.get(url(draft)).content.decode()
    assert "Bonjour la mairie" in page
    assert "Secret de l" not in page and "Annotations privées" not in page
    assert client.post(url(draft, "action/annotate/"), {"body": "x"}).status_code == 302
    assert draft.annotations.count() == 1
    # The answer is refused while the requested document is missing.
    response = client.post(url(draft, "action/answer/"), follow=True)
    assert "Il manque encore" in response.content.decode()


def test_link_request_confirmed_by_an_applicant_of_that_commune(
    client: Client,
    make_user: Any,
    melun_applicant: User,
    applicant: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    newcomer = make_user()
    melun = Organisation.objects.get(commune__insee_code=MELUN)
    client.force_login(newcomer)
    page = client.get(f"/aides/rattachement/?q={melun.siren}").content.decode()
    assert melun.name in page
    client.post("/aides/rattachement/", {"organisation": melun.pk})
    link = LinkRequest.objects.get(user=newcomer)
    # An applicant of Meaux may not decide for Melun: 404, nothing changes.
    client.force_login(applicant)
    assert (
        client.post(f"/aides/rattachement/{link.pk}/decision/", {"decision": "accept"}).status_code
        == 404
    )
    client.force_login(melun_applicant)
    assert newcomer.email in client.get("/aides/rattachement/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/aides/rattachement/{link.pk}/decision/", {"decision": "accept"})
    assert Membership.objects.filter(
        user=newcomer, organisation=melun, role=Role.APPLICANT
    ).exists()
    assert "confirmé" in str(mail.outbox[-1].subject)
    assert mail.outbox[-1].to == [newcomer.email]


@pytest.mark.parametrize("role", [Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER])
def test_department_confirms_a_link(
    client: Client, make_user: Any, reglement: None, role: Role
) -> None:
    newcomer = make_user()
    epci = Organisation.objects.filter(kind="epci").first()
    assert epci is not None
    client.force_login(newcomer)
    client.post("/aides/rattachement/", {"organisation": epci.pk})
    response = client.post("/aides/rattachement/", {"organisation": epci.pk}, follow=True)
    assert "déjà en attente" in response.content.decode()
    client.force_login(make_user(role))
    link = LinkRequest.objects.get(user=newcomer)
    client.post(f"/aides/rattachement/{link.pk}/decision/", {"decision": "reject"})
    link.refresh_from_db()
    assert link.status == "rejected"
    assert not Membership.objects.filter(user=newcomer).exists()


def test_file_page_shows_cameras_funders_and_the_explanation(
    client: Client, applicant: User, make_draft: MakeDraft
) -> None:
    draft = make_draft(applicant)
    client.force_login(applicant)
    response = client.post(
        url(draft, "etape/cameras/"),
        {
            "version": draft.version,
            "cameras-TOTAL_FORMS": "3",
            "cameras-INITIAL_FORMS": "0",
            "cameras-0-place": "Parvis du collège",
            "cameras-0-count": "2",
            "cameras-0-bonus": "camera_site_departemental",
            "cameras-1-place": "",
            "cameras-1-count": "3",
        },
    )
    assert response.status_code == 400
    assert "Indiquez l&#x27;emplacement." in response.content.decode()
    draft.refresh_from_db()
    response = client.post(
        url(draft, "etape/cameras/"),
        {
            "version": draft.version,
            "cameras-TOTAL_FORMS": "3",
            "cameras-INITIAL_FORMS": "0",
            "cameras-0-place": "Parvis du collège",
            "cameras-0-count": "2",
            "cameras-0-bonus": "camera_site_departemental",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    response = client.post(
        url(draft, "etape/financement/"),
        {
            "version": draft.version,
            "financeurs-TOTAL_FORMS": "3",
            "financeurs-INITIAL_FORMS": "0",
            "financeurs-0-name": "Région",
            "financeurs-0-amount": "-5",
            "financeurs-0-is_public": "1",
            "financeurs-0-status": "requested",
        },
    )
    assert response.status_code == 400
    assert "Le montant ne peut pas être négatif." in response.content.decode()
    page = client.get(url(draft)).content.decode()
    assert "Parvis du collège" in page
    assert "Bonification" in page  # the per-camera bonus appears in the explanation
