"""The territory directory: communes, EPCI, collèges and sites, searchable by staff."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.access import DEPARTMENT_WIDE, role_required
from bouclier.territory.models import College, Commune, DepartmentalSite, Epci

TABS = {
    "communes": _("Communes"),
    "epci": _("Intercommunalités"),
    "colleges": _("Collèges"),
    "sites": _("Sites départementaux"),
}


def search(
    tab: str, q: str
) -> QuerySet[Commune] | QuerySet[Epci] | QuerySet[College] | QuerySet[DepartmentalSite]:
    """Objects of one tab matching ``q`` on their name or codes."""
    if tab == "epci":
        return Epci.objects.filter(Q(name__icontains=q) | Q(siren=q)).order_by("name")
    if tab == "colleges":
        return College.objects.select_related("commune", "district").filter(
            Q(name__icontains=q) | Q(uai__iexact=q) | Q(commune__name__icontains=q)
        )
    if tab == "sites":
        return DepartmentalSite.objects.select_related("commune").filter(
            Q(name__icontains=q) | Q(commune__name__icontains=q)
        )
    return Commune.objects.select_related("epci").filter(
        Q(name__icontains=q) | Q(insee_code=q) | Q(postal_codes__contains=q) | Q(siren=q)
    )


@role_required(*DEPARTMENT_WIDE)
def directory(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("onglet", "communes")
    if tab not in TABS:
        tab = "communes"
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(search(tab, q), 50).get_page(request.GET.get("page"))
    query = urlencode({"onglet": tab, "q": q})
    return render(
        request,
        "territory/directory.html",
        {
            "tabs": TABS,
            "tab": tab,
            "q": q,
            "page": page,
            "query": query,
        },
    )
