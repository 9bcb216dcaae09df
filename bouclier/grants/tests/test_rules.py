"""Strict reading of the règlement's JSON: the defaults parse, every mistake is named in French."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bouclier.grants.default_reglement import DEFAULT_SETS, EQUIPMENT
from bouclier.grants.services.rules import (
    Origin,
    RuleError,
    parse_expense_categories,
    parse_rule_sources,
    parse_rules,
)
from bouclier.grants.tests.helpers import snapshot


@pytest.mark.parametrize("default", DEFAULT_SETS, ids=lambda d: d["aid_line"]["code"])
def test_default_sets_parse_and_say_where_each_value_comes_from(default: dict[str, Any]) -> None:
    rules = parse_rules(snapshot(default))
    assert rules.public_funding_cap_rate == Decimal(80)
    assert rules.source_of("public_funding_cap_rate") is not None
    assert rules.source_of("public_funding_cap_rate").origin == Origin.LAW  # type: ignore[union-attr]
    for rule in ("base_rate", "per_file_ceiling", "advance_share", "completeness_deadline_days"):
        source = rules.source_of(rule)
        assert source is not None and source.is_reconstruction
    everything: list[Any] = [
        *rules.beneficiaries,
        *rules.expense_categories,
        *rules.ineligible_categories,
        *rules.rate_bonuses,
        *rules.unit_bonuses,
        *rules.exceptional_ceilings,
        *rules.required_documents,
        *rules.remarks,
    ]
    assert all(item.source.origin in Origin for item in everything)


def test_known_public_values_are_in_the_defaults() -> None:
    equipment = parse_rules(snapshot(EQUIPMENT))
    (partnership,) = equipment.rate_bonuses
    assert partnership.points == Decimal(10)
    assert partnership.source.origin == Origin.PUBLIC
    (burnt,) = equipment.exceptional_ceilings
    assert burnt.ceiling == Decimal(40000)
    assert {c.code for c in equipment.ineligible_categories} >= {"etudes", "maintenance"}
    radio_doc = next(d for d in equipment.required_documents if d.code.startswith("convention_i"))
    assert radio_doc.applies({"radio_portable"}, set())
    assert not radio_doc.applies({"vehicule"}, set())


def _category(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "radio",
        "libelle": "Radios",
        "plafond_unitaire": "1500",
        "source": {"origine": "reconstruction"},
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_category(plafond="1500"), "clé inconnue « plafond »"),
        (_category(plafond_unitaire="-1"), "le nombre doit être positif"),
        (_category(plafond_unitaire="abc"), "« abc » n'est pas un nombre"),
        (_category(plafond_unitaire="Infinity"), "un nombre fini est attendu"),
        (_category(plafond_unitaire="12.345"), "deux décimales au plus"),
        (_category(plafond_unitaire=True), "un nombre est attendu"),
        (_category(plafond_unitaire="1e12"), "valeur excessive"),
        (_category(code="Radio É"), "code invalide"),
        (_category(libelle="  "), "le texte ne peut pas être vide"),
        (_category(bonifiable="oui"), "true ou false est attendu"),
        (_category(source={"origine": "rumeur"}), "origine inconnue"),
        ({"code": "radio", "source": {"origine": "publique"}}, "clé obligatoire manquante"),
        ("radio", "un objet JSON"),
    ],
)
def test_bad_category_is_refused_with_a_french_message(entry: Any, message: str) -> None:
    with pytest.raises(RuleError) as error:
        parse_expense_categories([entry], "catégories")
    assert message in str(error.value)
    assert error.value.path.startswith("catégories")


def test_duplicates_and_dangling_references_are_refused() -> None:
    with pytest.raises(RuleError, match="apparaît deux fois"):
        parse_expense_categories([_category(), _category()])
    with pytest.raises(RuleError, match="règle inconnue"):
        parse_rule_sources({"taux": {"origine": "publique"}})
    data = snapshot(EQUIPMENT)
    data["expense_categories"][0]["beneficiaires"] = ["prefecture"]
    with pytest.raises(RuleError, match="bénéficiaire « prefecture » non défini"):
        parse_rules(data)
    data = snapshot(EQUIPMENT)
    data["required_documents"][-1]["si_conditions"] = ["inconnue"]
    with pytest.raises(RuleError, match="condition « inconnue » non définie"):
        parse_rules(data)
    data = snapshot(EQUIPMENT)
    data["ineligible_categories"][0]["code"] = "vehicule"
    with pytest.raises(RuleError, match="aussi une catégorie éligible"):
        parse_rules(data)
    with pytest.raises(RuleError, match="clé inconnue"):
        parse_rules({**snapshot(EQUIPMENT), "surprise": 1})
