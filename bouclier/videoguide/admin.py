"""Back office of the guide's reference data: unit costs and the Région's rates.

They belong to the grants manager, like the règlement: registered on the règlement's admin
site (``/aides/gestion/``, grants managers and administrators) and on the main admin for
administrators, with the règlement's role-based permissions (``RoleAuditedAdmin``); every
change is journalled. Studies are listed read-only for
administrators: they are the visitors' documents.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from bouclier.audit.admin_mixins import AuditedAdmin
from bouclier.grants.admin import RoleAuditedAdmin, grants_admin_site
from bouclier.videoguide.models import RegionRate, Study, UnitCost


class UnitCostAdmin(RoleAuditedAdmin):
    list_display = ["label", "amount", "quantity_rule", "grants_category", "origin"]
    list_editable = ["amount"]
    ordering = ["position", "code"]


class RegionRateAdmin(RoleAuditedAdmin):
    list_display = ["first_installation", "priority_security_zone", "rate", "origin"]


class StudyAdmin(AuditedAdmin):
    list_display = ["__str__", "commune", "owner", "expires_at", "updated_at"]
    list_filter = ["expires_at"]
    search_fields = ["name", "commune__name"]
    exclude = ["token"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


for site in (admin.site, grants_admin_site):
    site.register(UnitCost, UnitCostAdmin)
    site.register(RegionRate, RegionRateAdmin)
admin.site.register(Study, StudyAdmin)
