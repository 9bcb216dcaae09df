"""Data protection: anonymisation after two years, rights export, first names flagged."""

from __future__ import annotations

import datetime
import io
import json

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from bouclier.audit.models import AuditEntry
from bouclier.mediation import services, stats
from bouclier.mediation.models import FollowUp, Pupil, Referral, Request, Situation
from bouclier.mediation.names import likely_first_names
from bouclier.mediation.tests.conftest import Brigade, open_situation


def _closed_situation(brigade: Brigade, closed_days_ago: int) -> Situation:
    saisine = services.submit_request(
        brigade.head_meaux,
        college=brigade.meaux,
        urgent=False,
        kind="harassment",
        description="Texte libre de la saisine",
        preferred_slots="Lundi",
    )
    situation = services.take_request(brigade.mediator_meaux, saisine)
    opened = timezone.localdate() - datetime.timedelta(days=closed_days_ago + 30)
    Situation.objects.filter(pk=situation.pk).update(
        opened_on=opened,
        summary="Faits libres",
        assessment="Évaluation libre",
        closure_note="Bilan libre",
        status=Situation.Status.CLOSED,
        outcome=Situation.Outcome.REFERRED,
        intervention_on=opened,
        closed_at=timezone.now() - datetime.timedelta(days=closed_days_ago),
    )
    Pupil.objects.create(
        situation=situation, code="EL-OLD123", initials="A.B", level="4e", role="target"
    )
    FollowUp.objects.create(
        situation=situation,
        due_on=opened,
        done_on=opened,
        notes="Notes libres",
        created_by=brigade.lead,
    )
    Referral.objects.create(
        situation=situation,
        partner="education",
        reason="Motif libre",
        ground="family_consent",
        created_by=brigade.lead,
    )
    return situation


def test_anonymisation_leaves_no_code_nor_free_text(brigade: Brigade) -> None:
    old = _closed_situation(brigade, closed_days_ago=800)
    recent = _closed_situation(brigade, closed_days_ago=100)
    year = stats.current_school_year(old.opened_on)
    before = stats.compute(year)

    call_command("anonymise_mediation", stdout=io.StringIO())

    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert old.summary == old.assessment == old.closure_note == ""
    assert list(old.pupils.values_list("code", "initials")) == [("", "")]
    assert list(old.follow_ups.values_list("notes", flat=True)) == [""]
    assert list(old.referrals.values_list("reason", flat=True)) == [""]
    assert old.request is not None
    saisine = Request.objects.get(pk=old.request.pk)
    assert saisine.description == saisine.preferred_slots == ""
    # Nothing of the pupil's code is left anywhere in the situation's records.
    assert not Pupil.objects.filter(situation=old).exclude(code="").exists()
    # Statistics are kept; the recent situation is untouched; the job is journalled.
    after = stats.compute(year)
    assert after.by_category == before.by_category and after.situations == before.situations
    assert recent.pupils.get().code == "EL-OLD123"
    entry = AuditEntry.objects.get(action="mediation.situation.anonymised")
    assert entry.object_id == str(old.pk)
    assert not AuditEntry.objects.filter(data__icontains="EL-OLD123").exists()
    # An anonymised situation is not modified again.
    assert services.anonymise_due() == 0


def test_rights_export_by_code(client: Client, brigade: Brigade) -> None:
    situation = _closed_situation(brigade, closed_days_ago=10)
    client.force_login(brigade.lead)
    response = client.get("/mediation/droits/?code=el-old123&format=json")
    export = json.loads(response.content)
    assert export["code"] == "EL-OLD123"
    assert [entry["situation"] for entry in export["situations"]] == [situation.pk]
    assert export["situations"][0]["follow_ups"][0]["notes"] == "Notes libres"
    entry = AuditEntry.objects.filter(action="mediation.pupil.exported").latest("sequence")
    assert "EL-OLD123" not in json.dumps(entry.data)


def test_first_names_are_flagged() -> None:
    assert likely_first_names("Lucas a frappé Inès puis Ines ; la marque Lucas") == [
        "Lucas",
        "Inès",
        "Ines",
    ]
    assert likely_first_names("un élève de 5e, initiales T. B., très isolé") == []
    assert likely_first_names("lucas en minuscules n'est pas relevé") == []


def test_a_text_with_a_first_name_asks_for_confirmation(client: Client, brigade: Brigade) -> None:
    client.force_login(brigade.head_meaux)
    data = {
        "college": brigade.meaux.pk,
        "kind": "harassment",
        "description": "Mathis est moqué par sa classe.",
    }
    response = client.post("/mediation/saisines/nouvelle/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "semble contenir un prénom (Mathis)" in page
    assert "Je confirme que ce texte ne désigne aucun élève" in page
    assert not Request.objects.exists()
    response = client.post("/mediation/saisines/nouvelle/", {**data, "confirm_names": "on"})
    assert response.status_code == 302
    assert Request.objects.get().description == "Mathis est moqué par sa classe."


def test_situation_text_with_a_name_is_refused_until_confirmed(
    client: Client, brigade: Brigade
) -> None:
    situation = open_situation(brigade)
    client.force_login(brigade.mediator_meaux)
    response = client.post(
        f"/mediation/situations/{situation.pk}/modifier/",
        {"version": 1, "category": "conflict", "severity": 1, "assessment": "Vu avec Chloé."},
    )
    assert "semble contenir un prénom (Chloé)" in response.content.decode()
    situation.refresh_from_db()
    assert situation.assessment == ""


def test_anonymisation_is_a_scheduled_job(brigade: Brigade) -> None:
    from bouclier.core.scheduling import registered_jobs

    old = _closed_situation(brigade, closed_days_ago=750)
    job = next(job for job in registered_jobs() if job.name == "mediation.anonymise")
    assert job.run() == "1 situation(s) anonymisée(s)"
    old.refresh_from_db()
    assert old.anonymised_at is not None
