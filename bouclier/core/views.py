"""Home pages (public, per role, and for accounts with no role yet) and error pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from bouclier.accounts.access import active_memberships, user_roles
from bouclier.accounts.roles import ROLE_DESCRIPTIONS, Role
from bouclier.core.navigation import items_for_role


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    roles = user_roles(request.user)
    if not roles:
        return render(request, "core/no_role.html")
    memberships = active_memberships(request.user).order_by("role")
    sections = [
        {
            "role": Role(role),
            "description": ROLE_DESCRIPTIONS[Role(role)],
            "organisations": sorted(m.organisation.name for m in memberships if m.role == role),
            "items": items_for_role(Role(role)),
        }
        for role in sorted(roles, key=lambda r: list(Role).index(r))
    ]
    return render(request, "core/home.html", {"sections": sections})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and supervision."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/500.html", status=500)
