"""Back office of the supervision centre: sites, cameras (zones, masks, rules), workers.

Every change is journalled (``AuditedAdmin``) and validated by the worker's own rules
(``workerconfig``), so what is saved here is what a worker can run. Workers are created with
``manage.py create_video_worker`` (the token is shown once); their leases and what they
report are read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import ModelChoiceField
from django.http import HttpRequest

from bouclier.audit.admin_mixins import AuditedAdmin
from bouclier.supervision.models import (
    Alarm,
    ArmingSchedule,
    Camera,
    DetectionRule,
    Mask,
    Segment,
    Site,
    TechnicalEvent,
    VideoWorker,
    Zone,
)


class ZoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Zone
    extra = 0


class MaskInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Mask
    extra = 0


class RuleInline(admin.StackedInline):  # type: ignore[type-arg]
    model = DetectionRule
    extra = 0

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "zone":
            # Only this camera's zones (a new camera has none yet: save it, then add rules).
            match = request.resolver_match
            object_id = str(match.kwargs.get("object_id", "")) if match is not None else ""
            camera_id = int(object_id) if object_id.isdigit() else 0
            kwargs["queryset"] = Zone.objects.filter(camera_id=camera_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "kind", "commune"]
    list_filter = ["kind"]
    search_fields = ["name", "commune__name"]
    autocomplete_fields = ["commune", "college", "departmental_site"]


@admin.register(ArmingSchedule)
class ArmingScheduleAdmin(AuditedAdmin):
    list_display = ["name", "label", "timezone"]


@admin.register(Camera)
class CameraAdmin(AuditedAdmin):
    list_display = ["name", "site", "enabled", "retention_days", "worker", "lease_expires_at"]
    list_filter = ["enabled", "site__kind"]
    search_fields = ["name", "label", "site__name"]
    readonly_fields = ["worker", "lease_expires_at"]
    inlines = [ZoneInline, MaskInline, RuleInline]


@admin.register(VideoWorker)
class VideoWorkerAdmin(AuditedAdmin):
    list_display = ["name", "enabled", "last_seen_at", "last_address", "version"]
    readonly_fields = ["last_seen_at", "last_address", "version", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # manage.py create_video_worker: the token must be shown once


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alarm)
class AlarmAdmin(ReadOnlyAdmin):
    list_display = ["camera", "rule", "raised_at", "received_at", "worker"]
    list_filter = ["rule"]


@admin.register(TechnicalEvent)
class TechnicalEventAdmin(ReadOnlyAdmin):
    list_display = ["camera", "kind", "condition", "occurred_at", "worker"]
    list_filter = ["kind"]


@admin.register(Segment)
class SegmentAdmin(ReadOnlyAdmin):
    list_display = ["camera", "start", "end", "size", "codec", "deleted_at"]


# The console's reference data (conventions, approvals, instructions).
from bouclier.supervision import admin_console as admin_console  # noqa: E402
from bouclier.supervision import admin_judicial as admin_judicial  # noqa: E402
