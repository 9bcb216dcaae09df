"""The computation against cases computed by hand (default règlement, reconstructed values)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bouclier.grants.services.computation import compute
from bouclier.grants.tests.helpers import (
    application,
    equipment_rules,
    line,
    premises_rules,
    private,
    public,
    video_rules,
)

POLICE = "commune_police_municipale"


def test_equipment_with_partnership_bonus_and_other_public_funder() -> None:
    # 4 radios at 2,000 capped at 1,500 -> 6,000; 1 vehicle at 25,000 (ceiling 30,000).
    # Rate 50 + 10 = 60 %: 3,600 + 15,000 = 18,600, under the 20,000 per-file ceiling.
    # 80 % of 33,000 = 26,400, minus 10,000 from the Région -> 16,400.
    result = compute(
        equipment_rules(),
        application(
            POLICE,
            line("radio_portable", 4, "2000"),
            line("vehicule", 1, "25000"),
            conditions=("demarche_partenariale",),
            funders=(public("Région Île-de-France", "10000"),),
        ),
    )
    radios, vehicle = result.lines
    assert radios.eligible_unit_cost == Decimal(1500)
    assert radios.ceiling_applied
    assert radios.eligible_base == Decimal(6000)
    assert radios.rate == Decimal(60)
    assert radios.aid == Decimal(3600)
    assert vehicle.aid == Decimal(15000)
    assert not vehicle.ceiling_applied
    assert result.subtotal == Decimal(18600)
    assert result.after_file_ceiling == Decimal(18600)
    assert result.public_cap == Decimal(26400)
    assert result.public_room == Decimal(16400)
    assert result.amount == Decimal(16400)
    labels = [step.label for step in result.steps]
    assert labels[-1] == "Montant de l'aide, arrondi à l'euro inférieur"
    assert any("plafond des financements publics" in label for label in labels)


def test_equipment_without_bonus_private_funders_do_not_count() -> None:
    result = compute(
        equipment_rules(),
        application(
            POLICE,
            line("radio_portable", 4, "2000"),
            line("vehicule", 1, "25000"),
            funders=(private("Mécène", "20000"),),
        ),
    )
    assert result.lines_aid == Decimal(15500)  # 3,000 + 12,500 at 50 %
    assert result.other_public_funding == Decimal(0)
    assert result.amount == Decimal(15500)


def test_per_file_ceiling_and_exceptional_ceiling() -> None:
    lines = (line("vehicule", 2, "30000"),)
    ordinary = compute(
        equipment_rules(),
        application(POLICE, *lines, conditions=("demarche_partenariale",)),
    )
    assert ordinary.subtotal == Decimal(36000)  # 60,000 x 60 %
    assert ordinary.amount == Decimal(20000)  # per-file ceiling
    burnt = compute(
        equipment_rules(),
        application(POLICE, *lines, conditions=("demarche_partenariale", "vehicule_incendie")),
    )
    assert burnt.per_file_ceiling == Decimal(40000)
    assert burnt.amount == Decimal(36000)  # under 40,000 and under 80 % of 60,000


def test_asvp_commune_gets_nothing_for_police_only_equipment() -> None:
    result = compute(
        equipment_rules(),
        application(
            "commune_sans_police",
            line("cinemometre", 1, "5000"),
            line("radio_portable", 2, "1000"),
        ),
    )
    speed_gun, radios = result.lines
    assert not speed_gun.eligible
    assert speed_gun.aid == 0
    assert "bénéficiaire" in speed_gun.reason
    assert radios.eligible
    # The cap counts only the covered expenses: 80 % of 2,000 = 1,600 > 1,000.
    assert result.covered_cost == Decimal(2000)
    assert result.amount == Decimal(1000)


def test_video_cameras_covering_a_college_get_the_bonus_beyond_the_ceiling() -> None:
    # 10 cameras at 9,000 capped at 8,000 -> 80,000 x 50 % = 40,000, ceiling 30,000;
    # 3 cameras cover a collège: +18,000 to the aid and to the ceiling -> 48,000;
    # 80 % of 90,000 = 72,000 minus 30,000 from the State -> 42,000.
    result = compute(
        video_rules(),
        application(
            "commune",
            line("camera", 10, "9000"),
            bonus_units={"camera_site_departemental": 3},
            funders=(public("État (FIPD)", "30000"),),
        ),
    )
    (bonus,) = result.bonuses
    assert bonus.units_retained == 3
    assert bonus.amount == Decimal(18000)
    assert result.subtotal == Decimal(58000)
    assert result.per_file_ceiling == Decimal(48000)
    assert result.after_file_ceiling == Decimal(48000)
    assert result.public_room == Decimal(42000)
    assert result.amount == Decimal(42000)


def test_bonus_units_cannot_exceed_the_cameras_bought() -> None:
    result = compute(
        video_rules(),
        application(
            "commune",
            line("camera", 2, "5000"),
            line("etudes", 1, "3000"),
            bonus_units={"camera_site_departemental": 5},
        ),
    )
    (bonus,) = result.bonuses
    assert bonus.units_declared == 5
    assert bonus.units_retained == 2
    assert "2 retenue(s)" in bonus.note
    # 10,000 x 50 % + 12,000 = 17,000, but 80 % of the 10,000 covered (studies excluded).
    assert result.amount == Decimal(8000)


def test_ceiling_mode_bonus_only_raises_the_ceiling() -> None:
    rules = video_rules()
    snapshot_bonus = {
        "code": "camera_site_departemental",
        "libelle": "Caméra couvrant un collège",
        "unite": "caméra",
        "montant_par_unite": "6000",
        "mode": "plafond",
        "categories_comptees": ["camera"],
        "source": {"origine": "reconstruction"},
    }
    rules = video_rules(unit_bonuses=[snapshot_bonus])
    result = compute(
        rules,
        application(
            "commune", line("camera", 10, "8000"), bonus_units={"camera_site_departemental": 2}
        ),
    )
    assert result.subtotal == Decimal(40000)  # nothing added to the aid
    assert result.per_file_ceiling == Decimal(42000)  # 30,000 + 2 x 6,000
    assert result.amount == Decimal(40000)


def test_rounding_is_down_to_the_euro() -> None:
    result = compute(equipment_rules(), application(POLICE, line("radio_portable", 1, "1234.57")))
    assert result.before_rounding == Decimal("617.285")
    assert result.amount == Decimal(617)
    assert result.steps[-1].detail == "617,285 € avant arrondi"


def test_only_ineligible_expenses_give_zero() -> None:
    result = compute(
        video_rules(),
        application("commune", line("etudes", 1, "12000"), line("maintenance", 3, "500")),
    )
    assert all(not r.eligible and r.aid == 0 for r in result.lines)
    assert result.lines[0].reason == "Dépense non éligible : les études ne sont pas financées"
    assert result.amount == 0


def test_other_public_funding_above_the_cap_leaves_nothing() -> None:
    result = compute(
        premises_rules(),
        application(
            POLICE,
            line("construction", 1, "500000"),
            funders=(public("Région", "300000"), public("État (DSIL)", "150000")),
        ),
    )
    assert result.after_file_ceiling == Decimal(150000)  # 30 % is 150,000, the ceiling
    assert result.public_cap == Decimal(400000)
    assert result.public_room == 0
    assert result.amount == 0


def test_premises_have_no_unit_ceiling() -> None:
    result = compute(premises_rules(), application(POLICE, line("rehabilitation", 1, "200000")))
    assert result.lines[0].unit_ceiling is None
    assert result.lines[0].eligible_base == Decimal(200000)
    assert result.amount == Decimal(60000)


def test_unknown_beneficiary_or_category_gives_zero() -> None:
    rules = equipment_rules()
    assert compute(rules, application("epci", line("radio_portable", 1, "1000"))).amount == 0
    unknown = compute(rules, application(POLICE, line("drone", 1, "1000")))
    assert unknown.lines[0].reason == "Catégorie inconnue de ce dispositif."
    assert unknown.amount == 0


@pytest.mark.parametrize(
    ("lines", "funders"),
    [
        ((line("radio_portable", -1, "100"),), ()),
        ((line("radio_portable", 1, "-100"),), ()),
        ((line("radio_portable", 1, "NaN"),), ()),
        ((line("radio_portable", 1, "100"),), (public("Région", "-5"),)),
    ],
)
def test_negative_or_non_finite_values_are_refused(lines: tuple, funders: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=r"positi|négati"):
        compute(equipment_rules(), application(POLICE, *lines, funders=funders))
