"""Back office of the règlement: aid lines and dated parameter sets, edited by the grants manager.

The platform's main admin is for administrators only (``accounts.admin_site``) and Django model
permissions are granted to administrators only (``accounts.backends``). The règlement belongs
to the grants manager, so it gets its own admin site, mounted at ``/aides/gestion/``, opened to
grants managers and administrators by role; every change is journalled (``AuditedAdmin``).
The same models are also registered on the main admin for administrators.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.admin_site import RoleAdminSite
from bouclier.accounts.admin_site import RoleAuditedAdmin as BaseRoleAuditedAdmin
from bouclier.accounts.roles import Role
from bouclier.grants.models import AidLine, ParameterSet

MANAGING_ROLES = (Role.GRANTS_MANAGER, Role.ADMINISTRATOR)


class GrantsAdminSite(RoleAdminSite):
    roles = MANAGING_ROLES
    site_header = _("Bouclier – gestion du règlement des aides")
    site_title = _("Règlement des aides")
    index_title = _("Dispositifs et jeux de paramètres")
    site_url = "/aides/reglement/"


grants_admin_site = GrantsAdminSite(name="grants_admin")


class PrettyJSONField(forms.JSONField):
    """JSON shown indented, one entry per line, so that a long list stays editable."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class RoleAuditedAdmin(BaseRoleAuditedAdmin):
    """The règlement's models, for grants managers and administrators; JSON shown indented."""

    managing_roles = MANAGING_ROLES
    formfield_overrides = {
        models.JSONField: {
            "form_class": PrettyJSONField,
            "widget": forms.Textarea(attrs={"rows": 18, "cols": 100}),
        },
    }


class AidLineAdmin(RoleAuditedAdmin):
    list_display = ["name", "code", "position"]
    search_fields = ["name", "code"]


class ParameterSetAdmin(RoleAuditedAdmin):
    list_display = [
        "aid_line",
        "valid_from",
        "title",
        "is_published",
        "base_rate",
        "per_file_ceiling",
    ]
    list_filter = ["aid_line", "is_published"]
    search_fields = ["title", "aid_line__name"]
    date_hierarchy = "valid_from"
    list_select_related = ["aid_line"]
    # "Save as new" is how a new dated version is made from the one in force.
    save_as = True
    readonly_fields = ["created_at", "updated_at"]

    # A published set may already have been applied to files: it is replaced by a newer
    # dated set, never deleted; only an unpublished draft can be deleted.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_manage(request) and (obj is None or not obj.is_published)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    fieldsets = [
        (None, {"fields": ["aid_line", "valid_from", "title", "is_published"]}),
        (
            _("Taux, plafonds, délais"),
            {
                "fields": [
                    "base_rate",
                    "per_file_ceiling",
                    "public_funding_cap_rate",
                    "advance_share",
                    "completeness_deadline_days",
                    "works_start_deadline_months",
                    "balance_request_deadline_months",
                    "rule_sources",
                ]
            },
        ),
        (
            _("Bénéficiaires et dépenses"),
            {"fields": ["beneficiaries", "expense_categories", "ineligible_categories"]},
        ),
        (
            _("Bonifications et plafonds exceptionnels"),
            {"fields": ["rate_bonuses", "unit_bonuses", "exceptional_ceilings"]},
        ),
        (_("Pièces et remarques"), {"fields": ["required_documents", "remarks"]}),
        (_("Historique"), {"fields": ["created_at", "updated_at"]}),
    ]


for site in (grants_admin_site, admin.site):
    site.register(AidLine, AidLineAdmin)
    site.register(ParameterSet, ParameterSetAdmin)
