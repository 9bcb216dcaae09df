"""The whole study as a PDF, rendered by WeasyPrint from an HTML template.

The PDF carries the same figures as the pages (the same service calls), so that what a town
hall prints is what it saw; its stylesheet is inline because WeasyPrint reads no page CSP.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bouclier.videoguide.models import PriorityZone, Study
from bouclier.videoguide.services import studies


def render_study_pdf(study: Study, request: HttpRequest | None = None) -> bytes:
    """Render ``study`` (description, check, checklist, budget and funding) as PDF bytes."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # no type hints shipped

    cameras = studies.cameras_of(study)
    path = reverse("videoguide:study", args=[study.token])
    html = render_to_string(
        "videoguide/study_pdf.html",
        {
            "study": study,
            "cameras": cameras,
            "check": studies.plan_check(study, cameras),
            "items": studies.checklist(study, cameras),
            "funding": studies.funding(study, cameras),
            "region": studies.region_rate_for(study),
            "study_url": f"{settings.BASE_URL}{path}",
            "today": timezone.localdate(),
            "zone_labels": [
                PriorityZone(code).label
                for code in study.priority_zones
                if code in PriorityZone.values
            ],
        },
        request=request,
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
