"""Back office of the brigade's organisation, kept by the chef de groupe.

Assignments of mediators, the grouping of collèges into districts, protocols with the
collèges and the yearly programme belong to the chef de groupe: they get their own admin site
at ``/mediation/gestion/``, opened by role to the chef de groupe and administrators, every
change journalled (``AuditedAdmin``). Cases (situations, pupils) are deliberately not in any
admin: they are reached through the pages that scope and log every read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.admin_site import RoleAdminSite, holds_role
from bouclier.accounts.admin_site import RoleAuditedAdmin as BaseRoleAuditedAdmin
from bouclier.accounts.roles import Role
from bouclier.mediation.models import Assignment, Objective, Programme, Protocol
from bouclier.territory.models import College, District

MANAGING_ROLES = (Role.MEDIATION_LEAD, Role.ADMINISTRATOR)


class MediationAdminSite(RoleAdminSite):
    roles = MANAGING_ROLES
    site_header = _("Bouclier – organisation de la brigade de médiation")
    site_title = _("Organisation de la brigade")
    index_title = _("Affectations, protocoles et programme")
    site_url = "/mediation/organisation/"


mediation_admin_site = MediationAdminSite(name="mediation_admin")


class RoleAuditedAdmin(BaseRoleAuditedAdmin):
    """The brigade's organisation, for the chef de groupe and administrators."""

    managing_roles = MANAGING_ROLES


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
        return holds_role(request, MANAGING_ROLES)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return holds_role(request, MANAGING_ROLES)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return holds_role(request, MANAGING_ROLES)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return holds_role(request, MANAGING_ROLES)


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
