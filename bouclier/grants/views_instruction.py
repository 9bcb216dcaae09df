"""Linking accounts to communes and EPCI, and the old address of the instructors' queue.

The instructors' queue itself lives with the Département's side (``grants_office``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bouclier.accounts.access import role_required
from bouclier.accounts.models import Organisation, User
from bouclier.grants.access import STAFF_ROLES
from bouclier.grants.forms_files import LinkSearchForm
from bouclier.grants.models_files import LinkRequest
from bouclier.grants.services.applications import TransitionError
from bouclier.grants.services.links import (
    decide_link,
    link_requests_to_decide,
    request_link,
    search_organisations,
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@role_required(*STAFF_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    """The first, minimal queue's address now leads to the Département's full queue."""
    query = request.META.get("QUERY_STRING", "")
    target = reverse("grants_office:queue")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


@login_required
def link(request: HttpRequest) -> HttpResponse:
    """Ask to act for a commune or an EPCI; decide the requests one may decide."""
    user = _user(request)
    form = LinkSearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = list(search_organisations(form.cleaned_data["q"]))
    if request.method == "POST":
        raw = request.POST.get("organisation", "")
        organisation = Organisation.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if organisation is None:
            messages.error(request, _("Choisissez une commune ou une intercommunalité."))
        else:
            try:
                request_link(
                    user, organisation, note=request.POST.get("note", "")[:300], request=request
                )
            except TransitionError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "Demande envoyée : elle sera confirmée par le Département ou par un"
                        " demandeur déjà rattaché. Vous serez prévenu(e) par e-mail."
                    ),
                )
        return redirect("grants:link")
    return render(
        request,
        "grants/files/link.html",
        {
            "form": form,
            "results": results,
            "mine": LinkRequest.objects.filter(user=user).select_related("organisation")[:20],
            "to_decide": link_requests_to_decide(user),
        },
    )


@require_POST
@login_required
def link_decision(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    link_request = link_requests_to_decide(user).filter(pk=pk).first()
    if link_request is None:
        raise Http404
    accept = request.POST.get("decision") == "accept"
    try:
        decide_link(link_request, user, accept=accept, request=request)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Rattachement confirmé.") if accept else _("Rattachement refusé.")
        )
    return redirect("grants:link")
