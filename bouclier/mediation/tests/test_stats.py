"""Indicators: small cells suppressed (and a second one when deducible), PDF report."""

from __future__ import annotations

import datetime
import io

from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from bouclier.mediation import stats
from bouclier.mediation.models import Category, Pupil, Situation
from bouclier.mediation.stats import SUPPRESSED, breakdown, rate
from bouclier.mediation.tests.conftest import Brigade


def test_groups_under_five_are_suppressed() -> None:
    result = breakdown("t", [("a", 12), ("b", 4), ("c", 1), ("d", 0), ("e", 30)])
    assert [cell.display for cell in result.cells] == ["12", SUPPRESSED, SUPPRESSED, "0", "30"]
    assert result.total == 47


def test_a_lone_hidden_cell_hides_the_next_smallest_one() -> None:
    result = breakdown("t", [("a", 12), ("b", 3), ("c", 0), ("d", 30)])
    # Total 45 minus the visible cells would give "b": "a" (the smallest non-empty) goes too.
    assert [cell.display for cell in result.cells] == [SUPPRESSED, SUPPRESSED, "0", "30"]
    assert "<title>t</title>" in result.chart and "&lt; 5" in result.chart


def test_small_totals_and_rates_are_suppressed() -> None:
    assert breakdown("t", [("a", 3), ("b", 1)]).total is None
    assert rate(2, 4) == SUPPRESSED
    assert rate(4, 8) == "50 %"
    assert rate(0, 0) == "–"


def _situations(brigade: Brigade, count: int, category: str, year: int) -> None:
    for index in range(count):
        Situation.objects.create(
            college=brigade.meaux,
            created_by=brigade.mediator_meaux,
            category=category,
            opened_on=datetime.date(year, 10, 1) + datetime.timedelta(days=index),
            status=Situation.Status.CLOSED,
            outcome=Situation.Outcome.RESOLVED,
            closed_at=timezone.make_aware(datetime.datetime(year, 12, 1, 12)),
        )


def test_indicators_never_show_a_small_group(brigade: Brigade) -> None:
    year = 2024
    _situations(brigade, 7, Category.HARASSMENT, year)
    _situations(brigade, 2, Category.SEXISM, year)
    indicators = stats.compute(year)
    cells = {cell.label: cell.display for cell in indicators.by_category.cells}
    assert cells["Harcèlement"] == SUPPRESSED  # hidden too: 9 - 7 would give the 2
    assert cells["Sexisme"] == SUPPRESSED
    assert indicators.situations == 9 and indicators.resolution_rate == "100 %"
    for breakdown_ in (indicators.by_college, indicators.by_district, indicators.by_severity):
        for cell in breakdown_.cells:
            assert cell.count is None or cell.count == 0 or cell.count >= 5


def test_yearly_report_pdf(client: Client, brigade: Brigade) -> None:
    year = 2024
    _situations(brigade, 6, Category.CONFLICT, year)
    _situations(brigade, 3, Category.RACISM, year)
    Pupil.objects.create(
        situation=Situation.objects.earliest("pk"), code="EL-SECRET", level="5e", role="target"
    )
    client.force_login(brigade.lead)
    response = client.get(f"/mediation/indicateurs/rapport.pdf?annee={year}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "rapport annuel 2024-2025" in text
    assert "Situations par catégorie" in text
    assert "< 5" in text
    assert "EL-SECRET" not in text


def test_indicators_page(client: Client, brigade: Brigade) -> None:
    _situations(brigade, 5, Category.CONFLICT, 2024)
    client.force_login(brigade.lead)
    page = client.get("/mediation/indicateurs/?annee=2024").content.decode()
    assert "<svg" in page and "Situations par catégorie" in page
