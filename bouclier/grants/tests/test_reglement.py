"""The règlement in the database: default load, dated sets in force, validation, snapshots."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from bouclier.audit.models import AuditEntry
from bouclier.grants.default_reglement import VALID_FROM
from bouclier.grants.management.commands.load_reglement import load_default_reglement
from bouclier.grants.models import AidLine, ParameterSet
from bouclier.grants.services.reglement import parameters_in_force, sets_in_force
from bouclier.grants.services.rules import parse_rules

pytestmark = pytest.mark.django_db


def test_load_reglement_is_idempotent_and_never_overwrites_an_edit() -> None:
    out = StringIO()
    call_command("load_reglement", stdout=out)
    assert AidLine.objects.count() == 3
    assert ParameterSet.objects.count() == 3
    assert "jeu créé" in out.getvalue()
    assert AuditEntry.objects.filter(action="grants.parameterset.created").count() == 3

    video = ParameterSet.objects.get(aid_line__code="videoprotection")
    video.base_rate = Decimal(40)
    video.save()
    out = StringIO()
    call_command("load_reglement", stdout=out)
    assert "déjà présent" in out.getvalue()
    assert ParameterSet.objects.count() == 3
    video.refresh_from_db()
    assert video.base_rate == Decimal(40)

    load_default_reglement(reset=True)
    video.refresh_from_db()
    assert video.base_rate == Decimal(50)
    assert AuditEntry.objects.filter(action="grants.parameterset.reset").count() == 3


def test_the_set_in_force_is_the_latest_started_and_published() -> None:
    load_default_reglement()
    video = AidLine.objects.get(code="videoprotection")
    first = parameters_in_force(video, VALID_FROM)
    assert first is not None and first.valid_from == VALID_FROM
    assert parameters_in_force(video, VALID_FROM - datetime.timedelta(days=1)) is None

    later = ParameterSet.objects.get(pk=first.pk)
    later.pk = None
    later.valid_from = datetime.date(2025, 1, 1)
    later.base_rate = Decimal(45)
    later.save()
    draft = ParameterSet.objects.get(pk=later.pk)
    draft.pk = None
    draft.valid_from = datetime.date(2025, 6, 1)
    draft.is_published = False
    draft.save()

    assert parameters_in_force("videoprotection", datetime.date(2024, 12, 31)) == first
    assert parameters_in_force("videoprotection", datetime.date(2025, 1, 1)) == later
    # An unpublished draft never applies, even after its date.
    assert parameters_in_force(video, datetime.date(2026, 1, 1)) == later
    assert parameters_in_force("inconnu", datetime.date(2026, 1, 1)) is None
    assert [s.aid_line.code for s in sets_in_force(datetime.date(2025, 2, 1))] == [
        "equipement_police",
        "videoprotection",
        "locaux_police",
    ]


def test_snapshot_recomputes_the_same_rules_after_the_set_is_edited() -> None:
    load_default_reglement()
    parameter_set = ParameterSet.objects.get(aid_line__code="equipement_police")
    kept = parameter_set.snapshot()
    before = parse_rules(kept)
    parameter_set.base_rate = Decimal(20)
    parameter_set.save()
    assert parse_rules(kept) == before
    assert parameter_set.rules().base_rate == Decimal(20)


def test_model_validation_names_the_faulty_json_field_in_french() -> None:
    load_default_reglement()
    parameter_set = ParameterSet.objects.get(aid_line__code="videoprotection")
    parameter_set.unit_bonuses = [{"code": "camera", "libelle": "x", "mode": "aide"}]
    parameter_set.expense_categories = "pas une liste"
    with pytest.raises(ValidationError) as error:
        parameter_set.full_clean()
    messages = error.value.message_dict
    assert "une liste JSON […] est attendue" in messages["expense_categories"][0]
    assert "clé obligatoire manquante" in messages["unit_bonuses"][0]

    parameter_set = ParameterSet.objects.get(aid_line__code="videoprotection")
    parameter_set.unit_bonuses[0]["categories_comptees"] = ["drone"]
    with pytest.raises(ValidationError, match="catégorie « drone » non définie"):
        parameter_set.full_clean()

    duplicate = ParameterSet.objects.get(aid_line__code="videoprotection")
    duplicate.pk = None
    with pytest.raises(ValidationError, match="déjà un jeu de paramètres"):
        duplicate.full_clean()
