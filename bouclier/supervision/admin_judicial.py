"""Back office view of judicial requisitions: read only.

Requisitions change through ``services_judicial`` alone (checked, audited, registered), so the
back office shows them and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bouclier.supervision.models import Requisition


@admin.register(Requisition)
class RequisitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["reference", "requisition_date", "officer_service", "status", "hold_placed_at"]
    list_filter = ["status"]
    search_fields = ["reference", "officer_name", "officer_service"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
