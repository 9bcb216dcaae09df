"""The acknowledgement of receipt, rendered as a PDF with WeasyPrint from an HTML template."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML  # type: ignore[import-untyped]

from bouclier.grants.models_files import Application
from bouclier.grants.services.computation import Computation
from bouclier.grants.services.rules import RequiredDocument


def acknowledgement_pdf(
    application: Application, result: Computation, missing: list[RequiredDocument]
) -> bytes:
    """File number, date, applicant, amount requested and its explanation, as PDF bytes."""
    # The acknowledgement is an administrative act in French, whatever the page's language.
    with translation.override("fr"):
        html = render_to_string(
            "grants/pdf/acknowledgement.html",
            {"application": application, "result": result, "missing": missing},
        )
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # write_pdf without a target always returns the bytes
    return bytes(pdf)
