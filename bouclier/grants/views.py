"""Public pages of the aids: the simulation and the règlement in force (no account needed).

Thin views: they parse the request, read the set in force, call the pure computation and
render. Both pages are public on purpose: a town hall simulates and reads the rules before it
has an account, as on the Département's site today.
"""

from __future__ import annotations

import datetime
import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bouclier.grants.forms import MAX_LINES, FunderFormSet, SimulationForm, expense_formset
from bouclier.grants.models import AidLine, ParameterSet
from bouclier.grants.services.computation import Computation, compute
from bouclier.grants.services.reglement import parameters_in_force, sets_in_force
from bouclier.grants.services.rules import SCALAR_RULES, RuleError, Rules

logger = logging.getLogger(__name__)
DEFAULT_ROWS = 5


def _rows(raw: str | None) -> int:
    """Number of blank expense rows asked for in ``?lignes=`` (bounded, default 5)."""
    try:
        return max(1, min(int(raw or DEFAULT_ROWS), MAX_LINES))
    except ValueError:
        return DEFAULT_ROWS


def _rules_or_none(parameter_set: ParameterSet) -> Rules | None:
    try:
        return parameter_set.rules()
    except RuleError:
        # Only a set written around the back office's validation can get here; the page says
        # the rules are being corrected rather than failing.
        logger.exception("Jeu de paramètres illisible : %s", parameter_set.pk)
        return None


def simulation(request: HttpRequest) -> HttpResponse:
    aid_lines = list(AidLine.objects.all())
    code = request.GET.get("dispositif", "")
    aid_line = next((line for line in aid_lines if line.code == code), None)
    context: dict[str, object] = {"aid_lines": aid_lines, "aid_line": aid_line}
    if aid_line is None:
        if code:
            context["error"] = _("Dispositif inconnu : choisissez-en un dans la liste.")
        return render(request, "grants/simulation_choice.html", context)

    parameter_set = parameters_in_force(aid_line)
    rules = _rules_or_none(parameter_set) if parameter_set is not None else None
    if parameter_set is None or rules is None:
        context["error"] = _(
            "Aucun règlement lisible n'est en vigueur aujourd'hui pour ce dispositif : "
            "la simulation est momentanément indisponible."
        )
        return render(request, "grants/simulation_choice.html", context)

    rows = _rows(request.GET.get("lignes"))
    formset_class = expense_formset(rows)
    result: Computation | None = None
    if request.method == "POST":
        form = SimulationForm(request.POST, rules=rules)
        lines = formset_class(request.POST, prefix="lignes", form_kwargs={"rules": rules})
        funders = FunderFormSet(request.POST, prefix="financeurs")
        if form.is_valid() and lines.is_valid() and funders.is_valid():
            application = form.application(lines, funders)
            result = compute(rules, application)
            categories = {line.category for line in application.expense_lines}
            context["documents"] = [
                d for d in rules.required_documents if d.applies(categories, application.conditions)
            ]
    else:
        form = SimulationForm(rules=rules)
        lines = formset_class(prefix="lignes", form_kwargs={"rules": rules})
        funders = FunderFormSet(prefix="financeurs")
    context.update(
        {
            "parameter_set": parameter_set,
            "rules": rules,
            "form": form,
            "lines": lines,
            "funders": funders,
            "result": result,
            "more_rows": min(rows + 5, MAX_LINES) if rows < MAX_LINES else None,
        }
    )
    return render(request, "grants/simulation.html", context, status=200)


def _date_param(raw: str | None) -> tuple[datetime.date, bool]:
    """The date asked for in ``?date=`` (ISO), or today; the flag says whether it was valid."""
    today = timezone.localdate()
    if not raw:
        return today, True
    try:
        return datetime.date.fromisoformat(raw.strip()[:10]), True
    except ValueError:
        return today, False


def reglement(request: HttpRequest) -> HttpResponse:
    on_date, valid = _date_param(request.GET.get("date"))
    sections = []
    for parameter_set in sets_in_force(on_date):
        rules = _rules_or_none(parameter_set)
        versions = ParameterSet.objects.published().filter(aid_line=parameter_set.aid_line)
        sections.append(
            {
                "parameter_set": parameter_set,
                "rules": rules,
                "versions": versions.order_by("-valid_from"),
                "scalar_sources": (
                    [
                        (label, rules.source_of(rule))
                        for rule, label in SCALAR_RULES.items()
                        if rules.source_of(rule) is not None
                    ]
                    if rules is not None
                    else []
                ),
            }
        )
    return render(
        request,
        "grants/reglement.html",
        {
            "on_date": on_date,
            "is_today": on_date == timezone.localdate(),
            "date_error": None if valid else _("Date invalide : le règlement du jour est affiché."),
            "sections": sections,
        },
    )
