"""Server-rendered SVG bar charts: no JavaScript, escaped text, paired with a data table.

The chart is decorative for assistive technologies only in part: it carries a title and
``role="img"`` with a label, and the page shows the same figures in a table right after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR = 22
GAP = 6
LABEL_WIDTH = 220
CHART_WIDTH = 360
VALUE_WIDTH = 70


def bar_chart(title: str, rows: Sequence[tuple[str, float, str]]) -> SafeString:
    """Horizontal bars: each row is (label, value, value shown as text)."""
    if not rows:
        return SafeString("")
    top = max(value for _label, value, _text in rows) or 1.0
    height = len(rows) * (BAR + GAP) + GAP
    width = LABEL_WIDTH + CHART_WIDTH + VALUE_WIDTH
    bars = format_html_join(
        "",
        '<g><text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar"></rect>'
        '<text x="{}" y="{}" class="chart-value">{}</text></g>',
        (
            (
                LABEL_WIDTH - 8,
                GAP + index * (BAR + GAP) + BAR * 0.7,
                label[:34],
                LABEL_WIDTH,
                GAP + index * (BAR + GAP),
                round(CHART_WIDTH * value / top, 1),
                BAR,
                LABEL_WIDTH + round(CHART_WIDTH * value / top, 1) + 6,
                GAP + index * (BAR + GAP) + BAR * 0.7,
                text,
            )
            for index, (label, value, text) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{}" '
        'viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet">'
        "<title>{}</title>{}</svg>",
        title,
        width,
        height,
        title,
        bars,
    )
