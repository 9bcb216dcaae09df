"""Budget and funding against hand-computed cases; the cap on public funding always holds."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bouclier.grants.tests.helpers import video_rules
from bouclier.videoguide.services.funding import BudgetLine, fund

RULES = video_rules()


def lines(cameras: int, camera_cost: str = "8400", room: str = "45000") -> list[BudgetLine]:
    return [
        BudgetLine("camera", "Caméra installée", "camera", cameras, Decimal(camera_cost), True),
        BudgetLine("salle", "Salle de supervision", "ecran", 1, Decimal(room), True),
    ]


def test_ten_cameras_and_a_local_room_by_hand() -> None:
    result = fund(
        lines(10),
        rules=RULES,
        beneficiary="commune",
        covering_cameras=0,
        region_rate=Decimal(35),
        state_funding=Decimal(0),
    )
    # 10 x 8,400 + 45,000 = 129,000; Région 35 % = 45,150.
    assert result.total_cost == Decimal(129000)
    assert result.region_amount == Decimal(45150)
    # Département: 10 x 8,000 (ceiling) x 50 % + 3,000 (ceiling) x 50 % = 41,500, capped at
    # the 30,000 per-file ceiling of the règlement.
    assert result.department is not None
    assert result.department.lines_aid == Decimal(41500)
    assert result.department_amount == Decimal(30000)
    assert result.public_total == Decimal(75150)
    assert result.commune_share == Decimal(53850)
    assert result.maintenance_low == Decimal(2580)


def test_cameras_covering_a_college_get_the_per_camera_bonus() -> None:
    result = fund(
        lines(10),
        rules=RULES,
        beneficiary="commune",
        covering_cameras=2,
        region_rate=Decimal(35),
        state_funding=Decimal(0),
    )
    # +6,000 per camera on the aid and on the ceiling: min(41,500 + 12,000, 30,000 + 12,000).
    assert result.department_amount == Decimal(42000)


def test_the_cap_limits_region_then_department() -> None:
    result = fund(
        lines(10),
        rules=RULES,
        beneficiary="commune",
        covering_cameras=0,
        region_rate=Decimal(35),
        state_funding=Decimal(100000),
    )
    # Cap: 80 % of 129,000 = 103,200; the State's 100,000 leave 3,200 to the Région, 0 after.
    assert result.public_cap == Decimal(103200)
    assert result.region_amount == Decimal(3200)
    assert result.region_capped
    assert result.department_amount == Decimal(0)
    assert result.public_total == Decimal(103200)
    assert result.commune_share == Decimal(25800)


def test_without_rules_in_force_there_is_no_department_aid() -> None:
    result = fund(
        lines(3),
        rules=None,
        beneficiary="commune",
        covering_cameras=0,
        region_rate=Decimal(30),
        state_funding=Decimal(0),
    )
    assert result.department is None
    assert result.department_amount == 0
    assert result.region_amount == Decimal("21060")  # 30 % of 3 x 8,400 + 45,000


amounts = st.decimals(min_value=0, max_value=200000, places=2, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=40),
    amounts,
    amounts,
    st.integers(min_value=0, max_value=10),
    st.decimals(min_value=0, max_value=100, places=2),
    amounts,
)
def test_public_funding_never_exceeds_the_cap(
    cameras: int,
    camera_cost: Decimal,
    room: Decimal,
    covering: int,
    region_rate: Decimal,
    state: Decimal,
) -> None:
    result = fund(
        lines(cameras, str(camera_cost), str(room)),
        rules=RULES,
        beneficiary="commune",
        covering_cameras=covering,
        region_rate=region_rate,
        state_funding=state,
    )
    assert result.public_total <= result.total_cost * Decimal("0.8")
    assert result.commune_share >= result.total_cost * Decimal("0.2")
    assert min(result.region_amount, result.state_amount, result.department_amount) >= 0
