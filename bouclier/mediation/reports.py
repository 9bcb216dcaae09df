"""The programme's yearly report as a PDF, rendered by WeasyPrint from the indicators.

It holds aggregated, suppressed figures only (``stats``): no situation, no pupil.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from bouclier.mediation import stats


def yearly_report_pdf(year: int) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]  # no type hints shipped

    html = render_to_string(
        "mediation/report.html",
        {"ind": stats.compute(year), "generated_at": timezone.localtime()},
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
