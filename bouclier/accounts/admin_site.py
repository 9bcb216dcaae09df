"""Admin sites opened by role: the main one to administrators, others to a context's managers.

Every site answers like the rest of the platform: anonymous visitors go to the platform's login
page, people without the role get a 403 rather than the admin's own login form; model
permissions come from the same roles rather than from Django permission groups.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, ClassVar

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.access import has_role
from bouclier.accounts.roles import Role
from bouclier.audit.admin_mixins import AuditedAdmin


def guard_admin_view(
    view: Callable[..., Any],
    protected: Callable[..., Any],
    allowed: Callable[[HttpRequest], bool],
) -> Callable[..., Any]:
    """Wrap an admin view: login page for anonymous visitors, 403 for those not ``allowed``."""

    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not allowed(request):
            raise PermissionDenied
        return protected(request, *args, **kwargs)

    return update_wrapper(checked, view)


def holds_role(request: HttpRequest, roles: tuple[Role, ...]) -> bool:
    return bool(request.user.is_active and has_role(request.user, *roles))


class RoleAdminSite(AdminSite):
    """An admin site for the holders of ``roles`` (e.g. the grants manager's règlement)."""

    roles: ClassVar[tuple[Role, ...]] = (Role.ADMINISTRATOR,)

    def has_permission(self, request: HttpRequest) -> bool:
        return holds_role(request, self.roles)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        return guard_admin_view(view, super().admin_view(view, cacheable), self.has_permission)


class RoleAuditedAdmin(AuditedAdmin):
    """Journalled model admin whose permissions are the holding of ``managing_roles``."""

    managing_roles: ClassVar[tuple[Role, ...]] = (Role.ADMINISTRATOR,)

    def may_manage(self, request: HttpRequest) -> bool:
        return holds_role(request, self.managing_roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_manage(request)


def restrict_admin_to_administrators(site: AdminSite) -> None:
    """Make ``site`` check the administrator role and log in through the platform's page.

    A logged-in user without the role gets 403 rather than the admin's own login form, which
    would only invite them to log in again.
    """

    def has_permission(request: HttpRequest) -> bool:
        return holds_role(request, (Role.ADMINISTRATOR,))

    def login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", request.get_full_path()))

    original_admin_view = site.admin_view

    def admin_view(view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        return guard_admin_view(view, original_admin_view(view, cacheable), has_permission)

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.login = login  # type: ignore[method-assign]
    site.admin_view = admin_view  # type: ignore[method-assign,assignment]
    site.site_header = _("Bouclier – administration")
    site.site_title = _("Bouclier")
    site.index_title = _("Données de référence et comptes")
