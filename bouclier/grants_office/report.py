"""The Commission permanente session report: one structure read by the session page, the PDF
and the XLSX, so that the three always say the same.

Per aid line: the files on the agenda with the amount proposed (and, once voted, the outcome,
the amount granted and the deliberation number), the totals, and the year's envelope
(amount, committed, remaining, pending proposals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bouclier.grants.models import AidLine
from bouclier.grants_office.models import AgendaItem, Outcome, Session
from bouclier.grants_office.services import EnvelopeFigures, envelope_figures

ZERO = Decimal(0)


@dataclass
class ReportLine:
    aid_line: AidLine
    items: list[AgendaItem] = field(default_factory=list)
    proposed: Decimal = ZERO
    granted: Decimal = ZERO
    envelope: EnvelopeFigures | None = None


@dataclass
class SessionReport:
    session: Session
    lines: list[ReportLine]

    @property
    def items(self) -> list[AgendaItem]:
        return [item for line in self.lines for item in line.items]

    @property
    def voted(self) -> list[AgendaItem]:
        return [item for item in self.items if item.outcome != Outcome.PENDING]

    @property
    def proposed(self) -> Decimal:
        return sum((line.proposed for line in self.lines), ZERO)

    @property
    def granted(self) -> Decimal:
        return sum((line.granted for line in self.lines), ZERO)


def session_report(session: Session) -> SessionReport:
    """The agenda grouped by aid line (in the règlement's order), with the envelopes."""
    items = session.items.select_related(
        "application__organisation", "application__aid_line"
    ).order_by("application__aid_line__position", "pk")
    figures = {f.aid_line.pk: f for f in envelope_figures(session.date.year)}
    lines: dict[int, ReportLine] = {}
    for item in items:
        aid_line = item.application.aid_line
        line = lines.setdefault(
            aid_line.pk, ReportLine(aid_line=aid_line, envelope=figures.get(aid_line.pk))
        )
        line.items.append(item)
        line.proposed += item.proposed_amount
        if item.outcome == Outcome.GRANTED and item.granted_amount is not None:
            line.granted += item.granted_amount
    return SessionReport(session, list(lines.values()))
