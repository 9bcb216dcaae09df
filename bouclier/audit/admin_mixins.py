"""Admin changes written to the audit trail, for every model of the back office."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from bouclier.audit.services import record


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose additions, changes and deletions are journalled."""

    def _audit(self, request: HttpRequest, obj: models.Model, verb: str, message: Any) -> None:
        meta = obj._meta
        record(
            f"{meta.app_label}.{meta.model_name}.{verb}",
            request=request,
            target=obj,
            data={"via": "administration", "message": str(message)[:2000]},
        )

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, obj, "created", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, obj, "changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            self._audit(request, obj, "deleted", "")
        return super().log_deletions(request, queryset)
