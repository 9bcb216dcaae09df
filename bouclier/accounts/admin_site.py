"""The Django admin opened to holders of the administrator role only."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.access import has_role
from bouclier.accounts.roles import Role


def restrict_admin_to_administrators(site: AdminSite) -> None:
    """Make ``site`` check the administrator role and log in through the platform's page.

    A logged-in user without the role gets 403 rather than the admin's own login form, which
    would only invite them to log in again.
    """

    def has_permission(request: HttpRequest) -> bool:
        return bool(request.user.is_active and has_role(request.user, Role.ADMINISTRATOR))

    def login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", request.get_full_path()))

    original_admin_view = site.admin_view

    def admin_view(view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        protected = original_admin_view(view, cacheable)

        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_permission(request):
                raise PermissionDenied
            return protected(request, *args, **kwargs)

        return update_wrapper(checked, view)

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.login = login  # type: ignore[method-assign]
    site.admin_view = admin_view  # type: ignore[method-assign,assignment]
    site.site_header = _("Bouclier – administration")
    site.site_title = _("Bouclier")
    site.index_title = _("Données de référence et comptes")
