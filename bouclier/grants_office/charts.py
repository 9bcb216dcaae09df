"""Server-rendered SVG bar charts: no JavaScript, a title and a description for screen readers
(the same figures are always given in a table next to the chart)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from bouclier.grants.services.formatting import format_euros

WIDTH, LABEL_WIDTH, BAR_HEIGHT, GAP = 640, 220, 22, 8


def bar_chart(
    title: str, items: Sequence[tuple[str, Decimal | int]], *, money: bool = True
) -> SafeString:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    peak = max((Decimal(v) for _label, v in items), default=Decimal(0)) or Decimal(1)
    height = max(len(items), 1) * (BAR_HEIGHT + GAP) + GAP
    span = WIDTH - LABEL_WIDTH - 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    ]
    for index, (label, value) in enumerate(items):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = int(span * Decimal(value) / peak)
        text = format_euros(Decimal(value)) if money else str(value)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" text-anchor="end" font-size="12">'
            f"{escape(label[:32])}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1)}" height="{BAR_HEIGHT}" '
            f'fill="#1d4f91"></rect>'
            f'<text x="{LABEL_WIDTH + max(length, 1) + 6}" y="{y + 16}" font-size="12">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    # Every piece of text above went through escape(): the markup is ours.
    return mark_safe("".join(parts))  # noqa: S308
