"""Exports: payment orders (CSV for the finance system), dashboards (XLSX), open data (SCDL),
the Commission permanente session report (XLSX).

The open-data export follows the SCDL "Subventions" schema (version 2.1.1 of
schema.data.gouv.fr/scdl/subventions): its column names, in its order, comma-separated UTF-8.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from openpyxl import Workbook

from bouclier.grants.models_files import PaymentRequest
from bouclier.grants_office.models import AgendaItem, Outcome
from bouclier.grants_office.queries import FUNDED_STATES, Row
from bouclier.grants_office.report import SessionReport

PAYMENT_COLUMNS = [
    "numero_dossier",
    "beneficiaire",
    "siren_beneficiaire",
    "dispositif",
    "nature_versement",
    "montant",
    "date_validation",
    "numero_deliberation",
    "exercice_engagement",
]
# The SCDL "Subventions" 2.1.1 columns, in the schema's order.
SCDL_COLUMNS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
# The Département de Seine-et-Marne as attributor. Its SIRET must be checked against the
# SIRENE register before publication (settings may override it): this value is not verified.
ATTRIBUTOR_NAME = "Département de Seine-et-Marne"
ATTRIBUTOR_SIRET = "22770001000019"
# Decree 2017-779: the data of agreements above 23,000 EUR must be published.
SCDL_THRESHOLD = Decimal(23000)


def _csv(rows: Iterable[Sequence[Any]], header: Sequence[str], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def paid_payments(
    start: datetime.date | None = None, end: datetime.date | None = None
) -> QuerySet[PaymentRequest]:
    payments = PaymentRequest.objects.filter(paid_at__isnull=False).select_related(
        "application__organisation", "application__aid_line"
    )
    if start is not None:
        payments = payments.filter(paid_at__date__gte=start)
    if end is not None:
        payments = payments.filter(paid_at__date__lte=end)
    return payments.order_by("paid_at", "pk")


def payment_orders_csv(payments: Iterable[PaymentRequest]) -> str:
    """One line per validated payment, ';'-separated with a decimal point, for the finance
    system's import."""
    rows = []
    for p in payments:
        a = p.application
        rows.append(
            [
                a.number,
                a.organisation.name,
                a.organisation.siren,
                a.aid_line.code,
                p.kind,
                f"{p.paid_amount:.2f}",
                p.paid_at.date().isoformat() if p.paid_at else "",
                a.deliberation_number,
                a.decided_at.year if a.decided_at else "",
            ]
        )
    return _csv(rows, PAYMENT_COLUMNS, ";")


def granted_items(year: int | None = None) -> QuerySet[AgendaItem]:
    items = AgendaItem.objects.filter(
        outcome=Outcome.GRANTED,
        granted_amount__gt=SCDL_THRESHOLD,
        application__state__in=FUNDED_STATES,
    ).select_related("session", "application__organisation", "application__aid_line")
    if year is not None:
        items = items.filter(session__date__year=year)
    return items.order_by("session__date", "pk")


def scdl_csv(items: Iterable[AgendaItem]) -> str:
    """Granted aids above 23,000 EUR in the SCDL "Subventions" schema."""
    rows = []
    for item in items:
        a = item.application
        payments = a.payment_requests.filter(paid_at__isnull=False).order_by("paid_at")
        dates = [p.paid_at.date().isoformat() for p in payments if p.paid_at]
        total_cost = a.eligible_base or Decimal(0)
        share = (item.granted_amount or Decimal(0)) / total_cost if total_cost else Decimal(0)
        rows.append(
            [
                getattr(settings, "GRANTS_ATTRIBUTOR_NAME", ATTRIBUTOR_NAME),
                getattr(settings, "GRANTS_ATTRIBUTOR_SIRET", ATTRIBUTOR_SIRET),
                item.session.date.isoformat(),
                item.deliberation_number,
                a.organisation.name,
                a.organisation.siren,
                "",
                a.title,
                f"{item.granted_amount:.2f}",
                "aide en numéraire",
                "échelonné",
                "_".join(dates[:1] + dates[-1:]) if len(dates) > 1 else "".join(dates),
                "",
                "non",
                f"{min(share, Decimal(1)):.4f}",
                a.aid_line.name,
            ]
        )
    return _csv(rows, SCDL_COLUMNS, ",")


def dashboard_xlsx(totals: dict[str, Any], tables: Sequence[tuple[str, str, list[Row]]]) -> bytes:
    """The dashboard's figures: a summary sheet and one sheet per table."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Synthèse"
    summary.append(["Indicateur", "Valeur"])
    labels = {
        "files": "Dossiers déposés",
        "requested": "Aide demandée (€)",
        "granted": "Aide accordée (€)",
        "paid": "Aide versée (€)",
        "cameras": "Caméras financées",
        "communes": "Communes aidées",
        "communes_total": "Communes de Seine-et-Marne",
        "days_to_vote": "Délai moyen du dépôt au vote (jours)",
    }
    for key, label in labels.items():
        value = totals[key]
        summary.append([label, float(value) if isinstance(value, Decimal) else value])
    for title, key_label, rows in tables:
        sheet = workbook.create_sheet(title[:31])
        sheet.append([key_label, "Dossiers", "Demandé (€)", "Accordé (€)", "Versé (€)"])
        for row in rows:
            sheet.append(
                [row.label, row.files, float(row.requested), float(row.granted), float(row.paid)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


SESSION_AGENDA_HEADER = [
    "Dispositif",
    "Dossier",
    "Bénéficiaire",
    "SIREN",
    "Objet",
    "Aide calculée (€)",
    "Montant proposé (€)",
    "Vote",
    "Montant accordé (€)",
    "N° de délibération",
    "Motif",
]
SESSION_ENVELOPE_HEADER = [
    "Dispositif",
    "Exercice",
    "Enveloppe (€)",
    "Engagé (€)",
    "Reste (€)",
    "Versé (€)",
    "Proposé à cette séance (€)",
    "Accordé à cette séance (€)",
    "Propositions en attente au-delà du reste",
]


def session_report_xlsx(report: SessionReport) -> bytes:
    """The session report: the agenda (and votes) sheet, and the envelopes sheet."""
    workbook = Workbook()
    agenda = workbook.active
    assert agenda is not None
    agenda.title = "Ordre du jour"
    agenda.append([str(report.session)])
    agenda.append(["Date de la séance", report.session.date])
    agenda.append(SESSION_AGENDA_HEADER)
    for line in report.lines:
        for item in line.items:
            a = item.application
            agenda.append(
                [
                    line.aid_line.name,
                    a.number,
                    a.organisation.name,
                    a.organisation.siren,
                    a.title,
                    _money(a.requested_amount),
                    float(item.proposed_amount),
                    str(item.get_outcome_display()),
                    _money(item.granted_amount),
                    item.deliberation_number,
                    item.reason,
                ]
            )
        total: list[Any] = [f"Total {line.aid_line.name}", *[None] * 5, float(line.proposed)]
        agenda.append([*total, None, float(line.granted)])
    envelopes = workbook.create_sheet("Enveloppes")
    envelopes.append(SESSION_ENVELOPE_HEADER)
    for line in report.lines:
        figures = line.envelope
        envelopes.append(
            [
                line.aid_line.name,
                report.session.date.year,
                _money(figures.amount) if figures else None,
                _money(figures.committed) if figures else None,
                _money(figures.remaining) if figures else None,
                _money(figures.paid) if figures else None,
                float(line.proposed),
                float(line.granted),
                "oui" if figures and figures.overflows else "non",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
