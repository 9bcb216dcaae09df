"""The « rapport d'information » of an incident as a PDF, rendered by WeasyPrint.

Timeline, snapshots, qualification, actions and operator, as peer centres write for every
trigger. Snapshots are embedded (data URIs): the PDF is self-contained.
"""

from __future__ import annotations

import base64
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from bouclier.supervision.models import Incident


def _snapshot_uri(field: Any) -> str:
    if not field:
        return ""
    try:
        with field.open("rb") as handle:
            data = handle.read()
    except OSError:  # a snapshot already purged by its retention: the report says so
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def timeline(incident: Incident) -> list[tuple[Any, str, str]]:
    """(time, what, detail) of the alarms and actions, in order."""
    events: list[tuple[Any, str, str]] = []
    for alarm in incident.alarms.select_related("camera").order_by("raised_at"):
        events.append((alarm.raised_at, f"Alarme « {alarm.rule} »", str(alarm.camera)))
    if incident.taken_at:
        events.append((incident.taken_at, "Prise en charge", str(incident.owner or "")))
    for action in incident.actions.select_related("by"):
        detail = " – ".join(
            part
            for part in (action.service, action.reference, action.recipient, action.note)
            if part
        )
        events.append((action.at, str(action.get_kind_display()), detail))
    if incident.qualified_at:
        events.append(
            (
                incident.qualified_at,
                "Qualification",
                f"{incident.get_qualification_display()} : {incident.get_cause_display()}",
            )
        )
    if incident.closed_at:
        events.append((incident.closed_at, "Clôture", ""))
    return sorted(events, key=lambda event: event[0])


def incident_report_pdf(incident: Incident) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]  # no type hints shipped

    alarms = [
        {"alarm": alarm, "snapshot": _snapshot_uri(alarm.snapshot)}
        for alarm in incident.alarms.select_related("camera").order_by("raised_at")
    ]
    html = render_to_string(
        "supervision/console/report.html",
        {
            "incident": incident,
            "alarms": alarms,
            "timeline": timeline(incident),
            "generated_at": timezone.localtime(),
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
