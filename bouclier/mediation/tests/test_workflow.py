"""The situation workflow: each step a checked, journalled service; refusals change nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from bouclier.audit.models import AuditEntry
from bouclier.mediation import services
from bouclier.mediation.models import Category, Referral, Request, Situation
from bouclier.mediation.services import ConflictError, MediationError
from bouclier.mediation.tests.conftest import Brigade, open_situation

TODAY = datetime.date.today


def test_request_to_closure(brigade: Brigade) -> None:
    saisine = services.submit_request(
        brigade.head_meaux,
        college=brigade.meaux,
        urgent=True,
        kind=Category.HARASSMENT,
        description="Un élève de 6e isolé et moqué depuis la rentrée.",
        preferred_slots="Mardi matin",
    )
    situation = services.take_request(brigade.mediator_meaux, saisine)
    saisine.refresh_from_db()
    assert saisine.status == Request.Status.TAKEN and saisine.answered_within_the_day
    services.plan_intervention(
        brigade.mediator_meaux, saisine, when=timezone.now() + datetime.timedelta(hours=2)
    )
    services.start_assessment(brigade.mediator_meaux, situation, version=situation.version)
    services.add_pupil(brigade.mediator_meaux, situation, level="6e", role="target", initials="T.B")
    services.record_intervention(
        brigade.mediator_meaux,
        situation,
        version=situation.version,
        method=Situation.Method.SHARED_CONCERN,
        on=TODAY(),
    )
    saisine.refresh_from_db()
    assert saisine.status == Request.Status.DONE
    services.start_follow_up(brigade.mediator_meaux, situation, version=situation.version)
    follow_up = services.add_follow_up(brigade.mediator_meaux, situation, due_on=TODAY())
    services.complete_follow_up(brigade.mediator_meaux, follow_up, done_on=TODAY())
    services.request_closure(
        brigade.mediator_meaux, situation, version=situation.version, outcome="resolved"
    )
    assert situation.status == Situation.Status.CLOSURE_PENDING
    with pytest.raises(MediationError, match="Seul le chef de groupe"):
        services.validate_closure(brigade.mediator_meaux, situation, version=situation.version)
    services.validate_closure(brigade.lead, situation, version=situation.version)
    situation.refresh_from_db()
    assert situation.status == Situation.Status.CLOSED and situation.closed_by == brigade.lead
    services.reopen(brigade.mediator_meaux, situation, version=situation.version, reason="Récidive")
    assert situation.status == Situation.Status.ASSESSMENT and situation.reopen_count == 1
    actions = set(
        AuditEntry.objects.filter(action__startswith="mediation.").values_list("action", flat=True)
    )
    assert {
        "mediation.request.submitted",
        "mediation.request.taken",
        "mediation.request.planned",
        "mediation.request.done",
        "mediation.situation.intervention_recorded",
        "mediation.situation.closed",
        "mediation.situation.reopened",
    } <= actions


def test_invalid_transitions_are_refused_and_change_nothing(brigade: Brigade) -> None:
    situation = open_situation(brigade)
    with pytest.raises(MediationError, match="étape « Nouvelle »"):
        services.start_follow_up(brigade.mediator_meaux, situation, version=situation.version)
    with pytest.raises(MediationError, match="étape « Nouvelle »"):
        services.reopen(brigade.lead, situation, version=situation.version, reason="x")
    situation.refresh_from_db()
    assert situation.status == Situation.Status.NEW and situation.version == 1


def test_a_follow_up_dated_before_its_intervention_is_refused(brigade: Brigade) -> None:
    situation = open_situation(brigade)
    situation.opened_on = TODAY() - datetime.timedelta(days=10)
    situation.save()
    services.start_assessment(brigade.mediator_meaux, situation, version=situation.version)
    services.record_intervention(
        brigade.mediator_meaux,
        situation,
        version=situation.version,
        method="conflict",
        on=TODAY() - datetime.timedelta(days=3),
    )
    with pytest.raises(MediationError, match="avant l'intervention"):
        services.add_follow_up(
            brigade.mediator_meaux, situation, due_on=TODAY() - datetime.timedelta(days=5)
        )
    assert not situation.follow_ups.exists()


def test_referred_outcome_needs_a_referral(brigade: Brigade) -> None:
    situation = open_situation(brigade)
    services.start_assessment(brigade.mediator_meaux, situation, version=situation.version)
    with pytest.raises(MediationError, match="orientation"):
        services.request_closure(
            brigade.lead, situation, version=situation.version, outcome="referred"
        )
    services.add_referral(
        brigade.mediator_meaux,
        situation,
        partner=Referral.Partner.CRIP,
        referred_on=TODAY(),
        reason="Danger au domicile évoqué.",
        ground=Referral.Ground.CHILD_IN_DANGER,
    )
    services.request_closure(brigade.lead, situation, version=situation.version, outcome="referred")
    assert situation.status == Situation.Status.CLOSED


def test_two_mediators_editing_one_situation_get_a_conflict(brigade: Brigade) -> None:
    situation = open_situation(brigade)
    seen = situation.version
    services.update_situation(
        brigade.lead,
        situation,
        version=seen,
        category="harassment",
        severity=2,
        summary="Première version",
        assessment="",
    )
    stale = Situation.objects.get(pk=situation.pk)
    with pytest.raises(ConflictError):
        services.update_situation(
            brigade.mediator_meaux,
            stale,
            version=seen,
            category="harassment",
            severity=1,
            summary="Seconde version",
            assessment="",
        )
    stale.refresh_from_db()
    assert stale.summary == "Première version" and stale.severity == 2


def test_conflict_page_keeps_the_second_writers_text(client: Client, brigade: Brigade) -> None:
    situation = open_situation(brigade)
    services.update_situation(
        brigade.lead,
        situation,
        version=1,
        category="harassment",
        severity=1,
        summary="Texte du chef de groupe",
        assessment="",
    )
    client.force_login(brigade.mediator_meaux)
    response = client.post(
        f"/mediation/situations/{situation.pk}/modifier/",
        {"version": 1, "category": "conflict", "severity": 1, "summary": "Mon texte à moi"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "pendant que vous la modifiiez" in page
    assert "Mon texte à moi" in page and "Texte du chef de groupe" in page
    situation.refresh_from_db()
    assert situation.summary == "Texte du chef de groupe"
    # Saving again, deliberately, with the version now shown, works.
    response = client.post(
        f"/mediation/situations/{situation.pk}/modifier/",
        {
            "version": situation.version,
            "category": "conflict",
            "severity": 1,
            "summary": "Mon texte",
        },
    )
    assert response.status_code == 302


def test_a_step_refused_in_the_browser_says_why(client: Client, brigade: Brigade) -> None:
    situation = open_situation(brigade)
    client.force_login(brigade.mediator_meaux)
    response = client.post(f"/mediation/situations/{situation.pk}/suivre/", {"version": 1})
    assert response.status_code == 400
    assert "Impossible de passer au suivi" in response.content.decode()


def test_prevention_and_presence_are_recorded(client: Client, brigade: Brigade) -> None:
    client.force_login(brigade.mediator_meaux)
    response = client.post(
        "/mediation/prevention/nouvelle/",
        {
            "college": brigade.meaux.pk,
            "date": "2026-01-12",
            "kind": "awareness",
            "theme": "cyber_harassment",
            "classes": "5e A, 5e B",
            "levels": ["5e"],
            "pupils_reached": 52,
            "duration_minutes": 110,
            "mediators": [brigade.mediator_meaux.pk],
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/mediation/presences/nouvelle/",
        {
            "mediator": brigade.mediator_meaux.pk,
            "college": brigade.meaux.pk,
            "kind": "playground",
            "date": "2026-01-13",
            "start": "12:00",
            "end": "11:00",
        },
    )
    assert "La fin doit suivre le début." in response.content.decode()
    # A mediator of Meaux does not record anything in Melun.
    response = client.post(
        "/mediation/prevention/nouvelle/",
        {
            "college": brigade.melun.pk,
            "date": "2026-01-12",
            "kind": "awareness",
            "theme": "sexism",
            "classes": "4e A",
            "levels": ["4e"],
            "pupils_reached": 25,
            "duration_minutes": 60,
            "mediators": [brigade.mediator_meaux.pk],
        },
    )
    assert response.status_code == 200
    planning = client.get("/mediation/planning/?semaine=2026-01-12").content.decode()
    assert "Prévention : Cyberharcèlement" in planning


def test_workload_shows_overdue_follow_ups(client: Client, brigade: Brigade) -> None:
    situation = open_situation(brigade)
    situation.opened_on = TODAY() - datetime.timedelta(days=20)
    situation.save()
    services.start_assessment(brigade.mediator_meaux, situation, version=situation.version)
    services.record_intervention(
        brigade.mediator_meaux,
        situation,
        version=situation.version,
        method="family",
        on=TODAY() - datetime.timedelta(days=15),
    )
    services.add_follow_up(
        brigade.mediator_meaux, situation, due_on=TODAY() - datetime.timedelta(days=2)
    )
    client.force_login(brigade.lead)
    page = client.get("/mediation/charge/").content.decode()
    assert f"/mediation/situations/{situation.pk}/" in page
    client.force_login(brigade.mediator_meaux)
    assert "en retard" in client.get("/mediation/").content.decode()


def test_an_urgent_request_alerts_the_brigade(
    brigade: Brigade, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_request(
            brigade.head_meaux,
            college=brigade.meaux,
            urgent=True,
            kind=Category.PHYSICAL_VIOLENCE,
            description="Bagarre à la sortie.",
        )
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {brigade.mediator_meaux.email, brigade.lead.email}
    assert all("Bagarre" not in str(message.body) for message in mail.outbox)


def test_reasons_stay_on_the_situation_not_in_the_journal(brigade: Brigade) -> None:
    situation = open_situation(brigade)
    services.start_assessment(brigade.mediator_meaux, situation, version=situation.version)
    services.request_closure(
        brigade.mediator_meaux, situation, version=situation.version, outcome="no_follow_up"
    )
    services.reject_closure(
        brigade.lead, situation, version=situation.version, reason="Revoir la famille T."
    )
    assert situation.status == Situation.Status.ASSESSMENT
    assert "Revoir la famille T." in situation.closure_note
    entry = AuditEntry.objects.get(action="mediation.situation.closure_rejected")
    assert "Revoir" not in entry.reason and "Revoir" not in str(entry.data)
