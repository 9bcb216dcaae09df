"""The programme's indicators for a school year, with small cells suppressed, and their charts.

No group of one to four (under ``THRESHOLD``) is ever shown, as it could point to a pupil:
such a cell reads "< 5"; an empty group (0) points to nobody and is shown. When a breakdown
shows its total and a single cell is hidden, the next smallest non-empty cell is hidden too,
so the hidden one cannot be worked out by subtraction. Rates and durations are
shown only when computed over at least ``THRESHOLD`` cases. Nothing here names a pupil.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bouclier.mediation.models import (
    Category,
    Objective,
    Presence,
    PreventionAction,
    Programme,
    Request,
    Severity,
    Situation,
)
from bouclier.territory.models import College

THRESHOLD = 5
SUPPRESSED = "< 5"


@dataclass
class Cell:
    label: str
    count: int | None  # None: suppressed

    @property
    def display(self) -> str:
        return SUPPRESSED if self.count is None else str(self.count)


@dataclass
class Breakdown:
    title: str
    cells: list[Cell]
    total: int | None
    chart: SafeString = field(default_factory=lambda: mark_safe(""))

    @property
    def total_display(self) -> str:
        return SUPPRESSED if self.total is None else str(self.total)


def small(count: int) -> bool:
    return 0 < count < THRESHOLD


def shown(count: int) -> int | None:
    """A single count, or None when it is a small group."""
    return None if small(count) else count


def breakdown(title: str, counts: Iterable[tuple[str, int]]) -> Breakdown:
    """Suppress small cells, then one more when a lone hidden cell could be deduced."""
    pairs = list(counts)
    total = sum(count for _label, count in pairs)
    hidden = {index for index, (_label, count) in enumerate(pairs) if small(count)}
    if len(hidden) == 1 and not small(total):
        # Hiding an empty cell would not help: the smallest non-empty one is hidden.
        visible = [
            (count, index)
            for index, (_label, count) in enumerate(pairs)
            if index not in hidden and count > 0
        ]
        if visible:
            hidden.add(min(visible)[1])
    cells = [
        Cell(label, None if index in hidden else count)
        for index, (label, count) in enumerate(pairs)
    ]
    result = Breakdown(title, cells, shown(total))
    result.chart = bar_chart(result)
    return result


def rate(numerator: int, denominator: int) -> str:
    """A percentage, or "< 5" when fewer than five cases are behind it."""
    if not denominator:
        return "–"
    if small(denominator):
        return SUPPRESSED
    return f"{round(100 * numerator / denominator)} %"


def school_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the school year starting in September of ``year``."""
    return datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)


def current_school_year(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


@dataclass
class Indicators:
    year: int
    start: datetime.date
    end: datetime.date
    requests: int | None
    urgent_requests: int | None
    urgent_within_day: str
    situations: int | None
    closed: int | None
    resolution_rate: str
    median_days_to_closure: str
    prevention_actions: int | None
    pupils_reached: int | None
    colleges_covered: int
    colleges_total: int
    by_category: Breakdown
    by_severity: Breakdown
    by_college: Breakdown
    by_district: Breakdown
    by_theme: Breakdown
    objectives: list[dict[str, object]]

    @property
    def coverage(self) -> str:
        if not self.colleges_total:
            return "–"
        return f"{round(100 * self.colleges_covered / self.colleges_total)} %"


def _counts(
    labels: dict[str, str], rows: Iterable[dict[str, object]], key: str
) -> list[tuple[str, int]]:
    found = Counter({str(row[key]): int(str(row["n"])) for row in rows})
    return [(label, found.get(value, 0)) for value, label in labels.items()]


def compute(year: int) -> Indicators:
    start, end = school_year_bounds(year)
    requests = Request.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    urgent = requests.filter(urgent=True, taken_at__isnull=False)
    urgent_in_day = sum(1 for saisine in urgent if saisine.answered_within_the_day)
    situations = Situation.objects.filter(opened_on__gte=start, opened_on__lte=end)
    closed = Situation.objects.filter(
        status=Situation.Status.CLOSED, closed_at__date__gte=start, closed_at__date__lte=end
    )
    resolved = closed.filter(outcome=Situation.Outcome.RESOLVED).count()
    durations = [
        (timezone.localdate(s.closed_at) - s.opened_on).days
        for s in closed.only("opened_on", "closed_at")
        if s.closed_at is not None
    ]
    median = (
        _("%s jours") % round(statistics.median(durations))
        if len(durations) >= THRESHOLD
        else (SUPPRESSED if durations else "–")
    )
    actions = PreventionAction.objects.filter(date__gte=start, date__lte=end)
    pupils = actions.aggregate(total=Sum("pupils_reached"))["total"] or 0

    public = College.objects.filter(sector=College.Sector.PUBLIC)
    active_ids = (
        set(situations.values_list("college_id", flat=True))
        | set(actions.values_list("college_id", flat=True))
        | set(
            Presence.objects.filter(date__gte=start, date__lte=end).values_list(
                "college_id", flat=True
            )
        )
    )
    covered = public.filter(pk__in=active_ids).count()

    by_college_rows = situations.values("college__name").annotate(n=Count("pk"))
    colleges = {
        name: name for name in public.filter(pk__in=active_ids).values_list("name", flat=True)
    }
    by_district_rows = situations.values("college__district__name").annotate(n=Count("pk"))
    districts = {
        str(row["college__district__name"]): str(
            row["college__district__name"] or _("Sans secteur")
        )
        for row in by_district_rows
    }
    themes = {str(v): str(label) for v, label in PreventionAction.Theme.choices}
    theme_rows = actions.values("theme").annotate(n=Sum("pupils_reached"))

    programme = Programme.objects.filter(year=year).first()
    achieved = {
        Objective.Indicator.PUPILS_REACHED: pupils,
        Objective.Indicator.PREVENTION_ACTIONS: actions.count(),
        Objective.Indicator.COLLEGES_COVERED: covered,
        Objective.Indicator.SITUATIONS_CLOSED: closed.count(),
    }
    objectives: list[dict[str, object]] = []
    if programme is not None:
        for objective in programme.objectives.all():
            value = achieved[Objective.Indicator(objective.indicator)]
            objectives.append(
                {
                    "label": objective.get_indicator_display(),
                    "target": objective.target,
                    # Collèges are not people: their count is shown as it is.
                    "achieved": value
                    if objective.indicator == Objective.Indicator.COLLEGES_COVERED
                    else (shown(value) if shown(value) is not None else SUPPRESSED),
                }
            )
    return Indicators(
        year=year,
        start=start,
        end=end,
        requests=shown(requests.count()),
        urgent_requests=shown(requests.filter(urgent=True).count()),
        urgent_within_day=rate(urgent_in_day, urgent.count()),
        situations=shown(situations.count()),
        closed=shown(closed.count()),
        resolution_rate=rate(resolved, closed.count()),
        median_days_to_closure=median,
        prevention_actions=shown(actions.count()),
        pupils_reached=shown(pupils),
        colleges_covered=covered,
        colleges_total=public.count(),
        by_category=breakdown(
            _("Situations par catégorie"),
            _counts(
                {str(v): str(label) for v, label in Category.choices},
                situations.values("category").annotate(n=Count("pk")),
                "category",
            ),
        ),
        by_severity=breakdown(
            _("Situations par gravité"),
            _counts(
                {str(value): str(label) for value, label in Severity.choices},
                situations.values("severity").annotate(n=Count("pk")),
                "severity",
            ),
        ),
        by_college=breakdown(
            _("Situations par collège"), _counts(colleges, by_college_rows, "college__name")
        ),
        by_district=breakdown(
            _("Situations par secteur"),
            _counts(districts, by_district_rows, "college__district__name"),
        ),
        by_theme=breakdown(
            _("Élèves sensibilisés par thème"), _counts(themes, theme_rows, "theme")
        ),
        objectives=objectives,
    )


def bar_chart(data: Breakdown) -> SafeString:
    """A horizontal bar chart in SVG, drawn on the server; hidden cells get no bar."""
    row, label_width, bar_width = 26, 260, 300
    values = [cell.count for cell in data.cells if cell.count is not None]
    top = max(values, default=0) or 1
    height = row * max(len(data.cells), 1) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{label_width + bar_width + 60}" height="{height}" '
        f'viewBox="0 0 {label_width + bar_width + 60} {height}">',
        f"<title>{escape(data.title)}</title>",
    ]
    for index, cell in enumerate(data.cells):
        y = 5 + index * row
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="#1e1e1e">{escape(cell.label)}</text>'
        )
        if cell.count is not None and cell.count > 0:
            width = max(2, round(bar_width * cell.count / top))
            parts.append(
                f'<rect x="{label_width}" y="{y + 4}" width="{width}" height="{row - 8}" '
                f'fill="#000091"></rect>'
            )
        else:
            width = 0
        parts.append(
            f'<text x="{label_width + width + 6}" y="{y + 17}" font-size="13" '
            f'fill="#1e1e1e">{escape(cell.display)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
