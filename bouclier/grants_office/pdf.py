"""PDFs of the Département's side, rendered with WeasyPrint from HTML templates: the
notification letter of a granted aid, the règlement in force and the Commission permanente
session report."""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML  # type: ignore[import-untyped]

from bouclier.grants.services import applications as files
from bouclier.grants.services.reglement import sets_in_force
from bouclier.grants.services.rules import SCALAR_RULES, RuleError
from bouclier.grants_office.models import AgendaItem
from bouclier.grants_office.report import SessionReport


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    # Administrative acts are in French, whatever the language of the page that asked.
    with translation.override("fr"):
        html = render_to_string(template, context)
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # write_pdf without a target always returns the bytes
    return bytes(pdf)


def notification_letter_pdf(item: AgendaItem) -> bytes:
    """The letter telling the beneficiary the amount granted and what comes next."""
    application = item.application
    return _pdf(
        "grants_office/pdf/letter.html",
        {
            "item": item,
            "application": application,
            "rules": files.rules_for(application),
            "advance": files.advance_amount(application),
            "today": timezone.localdate(),
        },
    )


def reglement_sections(on_date: datetime.date) -> list[dict[str, Any]]:
    """The same data as the published page: each aid line's set in force and its rules."""
    sections = []
    for parameter_set in sets_in_force(on_date):
        try:
            rules = parameter_set.rules()
        except RuleError:
            rules = None
        sections.append(
            {
                "parameter_set": parameter_set,
                "rules": rules,
                "scalar_sources": [
                    (label, rules.source_of(rule))
                    for rule, label in SCALAR_RULES.items()
                    if rules is not None and rules.source_of(rule) is not None
                ],
            }
        )
    return sections


def reglement_pdf(on_date: datetime.date) -> bytes:
    return _pdf(
        "grants_office/pdf/reglement.html",
        {"on_date": on_date, "sections": reglement_sections(on_date)},
    )


def session_report_pdf(report: SessionReport) -> bytes:
    """The agenda per aid line with the envelopes, and the decisions once voted."""
    return _pdf(
        "grants_office/pdf/session_report.html",
        {"report": report, "session": report.session, "today": timezone.localdate()},
    )
