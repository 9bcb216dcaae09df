"""Back office of the console's reference data: conventions, approvals, site instructions.

Registered from ``admin.py``'s import; every change is journalled (``AuditedAdmin``). The
logbook and the access register are not editable anywhere (written by services only).
"""

from __future__ import annotations

from django.contrib import admin

from bouclier.audit.admin_mixins import AuditedAdmin
from bouclier.supervision.models import Approval, Convention, SiteInstruction


@admin.register(Convention)
class ConventionAdmin(AuditedAdmin):
    list_display = ["commune", "reference", "starts_on", "ends_on"]
    search_fields = ["commune__name", "reference"]
    autocomplete_fields = ["commune"]
    filter_horizontal = ["sites"]


@admin.register(Approval)
class ApprovalAdmin(AuditedAdmin):
    list_display = ["user", "reference", "granted_on", "expires_on", "revoked_on"]
    search_fields = ["user__email", "user__last_name", "reference"]
    autocomplete_fields = ["user"]


@admin.register(SiteInstruction)
class SiteInstructionAdmin(AuditedAdmin):
    list_display = ["site", "rule", "priority"]
    list_filter = ["priority"]
