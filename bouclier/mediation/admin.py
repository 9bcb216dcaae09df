"""Back office of the brigade's organisation, kept by the chef de groupe.

Assignments of mediators, the grouping of collèges into districts, protocols with the
collèges and the yearly programme belong to the chef de groupe: they get their own admin site
at ``/mediation/gestion/``, opened by role to the chef de groupe and administrators, every
change journalled (``AuditedAdmin``). Cases (situations, pupils) are deliberately not in any
admin: they are reached through the pages that scope and log every read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.access import has_role
from bouclier.accounts.roles import Role
from bouclier.audit.admin_mixins import AuditedAdmin
from bouclier.mediation.models import Assignment, Objective, Programme, Protocol
from bouclier.territory.models import College, District

MANAGING_ROLES = (Role.MEDIATION_LEAD, Role.ADMINISTRATOR)


def may_manage(request: HttpRequest) -> bool:
    return bool(request.user.is_active and has_role(request.user, *MANAGING_ROLES))


class MediationAdminSite(admin.AdminSite):
    site_header = _("Bouclier – organisation de la brigade de médiation")
    site_title = _("Organisation de la brigade")
    index_title = _("Affectations, protocoles et programme")
    site_url = "/mediation/organisation/"

    def has_permission(self, request: HttpRequest) -> bool:
        return may_manage(request)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        # As elsewhere: anonymous visitors go to the platform's login page, people without
        # the role get a 403 rather than the admin's own login form.
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may_manage(request):
                raise PermissionDenied
            response: HttpResponse = inner(request, *args, **kwargs)
            return response

        return guarded


mediation_admin_site = MediationAdminSite(name="mediation_admin")


class RoleAuditedAdmin(AuditedAdmin):
    """Model permissions by role (chef de groupe, administrator) rather than Django perms."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage(request)


class AssignmentAdmin(RoleAuditedAdmin):
    list_display = [
        "mediator",
        "district",
        "college",
        "diagnostic_start",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["district"]
    list_select_related = ["mediator", "district", "college"]


class ProtocolAdmin(RoleAuditedAdmin):
    list_display = ["college", "head_name", "signed_on"]
    search_fields = ["college__name", "head_name"]
    list_select_related = ["college"]


class ObjectiveInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Objective
    extra = 1

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage(request)


class ProgrammeAdmin(RoleAuditedAdmin):
    list_display = ["year", "title"]
    inlines = [ObjectiveInline]


class DistrictAdmin(RoleAuditedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class CollegeDistrictAdmin(RoleAuditedAdmin):
    """The chef de groupe groups collèges into districts; the rest is the territory's data."""

    list_display = ["name", "uai", "commune", "district"]
    list_filter = ["district"]
    search_fields = ["name", "uai"]
    list_select_related = ["commune", "district"]
    fields = ["name", "uai", "commune", "district"]
    readonly_fields = ["name", "uai", "commune"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Districts and collèges are the territory's: the main admin already holds them.
mediation_admin_site.register(District, DistrictAdmin)
mediation_admin_site.register(College, CollegeDistrictAdmin)
for site in (mediation_admin_site, admin.site):
    site.register(Assignment, AssignmentAdmin)
    site.register(Protocol, ProtocolAdmin)
    site.register(Programme, ProgrammeAdmin)
