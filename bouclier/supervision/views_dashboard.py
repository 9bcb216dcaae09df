"""The supervision dashboards: alarms, false alarms, handling times, availability, extractions.

Figures are computed by ``dashboard`` over the user's scope (``access.visible_sites``: a
mayor sees their commune's figures only), drawn as server-side SVG and given as tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bouclier.accounts.access import role_required
from bouclier.supervision import dashboard
from bouclier.supervision.access import INCIDENT_READERS
from bouclier.supervision.charts import bar_chart

DEFAULT_DAYS = 30
MAX_DAYS = 366


class PeriodForm(forms.Form):
    du = forms.DateField(label=gettext_lazy("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(
        label=gettext_lazy("Au (inclus)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("du"), data.get("au")
        if start and end:
            if end < start:
                self.add_error("au", gettext_lazy("La fin précède le début."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("au", gettext_lazy("Une période d'un an au plus."))
        return data


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return _("%(m)s min") % {"m": f"{seconds / 60:.1f}".replace(".", ",")}


def _period(start: dt.date, end: dt.date) -> dashboard.Period:
    zone = timezone.get_current_timezone()
    return dashboard.Period(
        dt.datetime.combine(start, dt.time.min, zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone),
    )


@role_required(*INCIDENT_READERS)
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"du": today - dt.timedelta(days=DEFAULT_DAYS - 1), "au": today}
    form = PeriodForm(request.GET or initial)
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["du"], form.cleaned_data["au"]
    else:
        start, end = initial["du"], initial["au"]
    period = _period(start, end)
    user = request.user
    by_site = dashboard.alarms_by_site(user, period)
    by_commune = dashboard.alarms_by_commune(user, period)
    by_rule = dashboard.alarms_by_rule(user, period)
    false, qualified = dashboard.false_alarm_share(user, period)
    take = dashboard.time_to_take(user, period)
    close = dashboard.time_to_close(user, period)
    availability = dashboard.camera_availability(user, period)
    extractions = dashboard.extractions(user, period)

    def counts_chart(title: str, rows: list[dashboard.Row]) -> Any:
        return bar_chart(title, [(row.label, row.n, str(row.n)) for row in rows])

    return render(
        request,
        "supervision/dashboard/overview.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "sections": [
                (
                    "par-site",
                    _("Alarmes par site"),
                    _("Site"),
                    by_site,
                    counts_chart(_("Alarmes par site"), by_site),
                ),
                (
                    "par-commune",
                    _("Alarmes par commune"),
                    _("Commune"),
                    by_commune,
                    counts_chart(_("Alarmes par commune"), by_commune),
                ),
                (
                    "par-type",
                    _("Alarmes par type (règle)"),
                    _("Règle"),
                    by_rule,
                    counts_chart(_("Alarmes par type (règle)"), by_rule),
                ),
                (
                    "extractions",
                    _("Extractions judiciaires par site"),
                    _("Site"),
                    extractions,
                    counts_chart(_("Extractions judiciaires par site"), extractions),
                ),
            ],
            "false": false,
            "qualified": qualified,
            "false_share": round(100 * false / qualified) if qualified else None,
            "false_chart": bar_chart(
                _("Qualification des incidents"),
                [
                    (_("Fausses alarmes"), false, str(false)),
                    (_("Alarmes réelles"), qualified - false, str(qualified - false)),
                ],
            )
            if qualified
            else "",
            "times": [
                (_("Délai de prise en charge"), take, _minutes(take.p50), _minutes(take.p95)),
                (_("Délai de clôture"), close, _minutes(close.p50), _minutes(close.p95)),
            ],
            "times_chart": bar_chart(
                _("Délais en minutes (p50, p95)"),
                [
                    (label, (value or 0) / 60, _minutes(value))
                    for label, value in (
                        (_("Prise en charge p50"), take.p50),
                        (_("Prise en charge p95"), take.p95),
                        (_("Clôture p50"), close.p50),
                        (_("Clôture p95"), close.p95),
                    )
                ],
            ),
            "availability": [
                (row, f"{100 * row.share:.2f}".replace(".", ",")) for row in availability
            ],
            "availability_chart": bar_chart(
                _("Disponibilité des caméras (%)"),
                [
                    (row.camera, 100 * row.share, f"{100 * row.share:.1f} %".replace(".", ","))
                    for row in availability
                ],
            ),
        },
    )
