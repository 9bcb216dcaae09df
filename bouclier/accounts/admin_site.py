"""The Django admin opened to holders of the administrator role only."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.access import has_role
from bouclier.accounts.roles import Role


def restrict_admin_to_administrators(site: AdminSite) -> None:
    """Make ``site`` check the administrator role and log in through the platform's page."""

    def has_permission(request: HttpRequest) -> bool:
        return bool(request.user.is_active and has_role(request.user, Role.ADMINISTRATOR))

    def login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
        return redirect_to_login(request.GET.get("next", request.get_full_path()))

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.login = login  # type: ignore[method-assign]
    site.site_header = _("Bouclier – administration")
    site.site_title = _("Bouclier")
    site.index_title = _("Données de référence et comptes")
