"""Back office for the territory's reference data, searchable by name and codes."""

from __future__ import annotations

from django.contrib import admin

from bouclier.audit.admin_mixins import AuditedAdmin
from bouclier.territory.models import College, Commune, DepartmentalSite, District, Epci


@admin.register(Epci)
class EpciAdmin(AuditedAdmin):
    list_display = ["name", "kind", "siren", "population", "communes_in_department"]
    list_filter = ["kind"]
    search_fields = ["name", "siren"]


@admin.register(Commune)
class CommuneAdmin(AuditedAdmin):
    list_display = ["name", "insee_code", "postal_codes", "population", "epci"]
    list_filter = ["arrondissement", "epci"]
    search_fields = ["name", "insee_code", "postal_codes", "siren"]
    list_select_related = ["epci"]


@admin.register(District)
class DistrictAdmin(AuditedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(College)
class CollegeAdmin(AuditedAdmin):
    list_display = ["name", "uai", "commune", "district", "sector", "is_sample"]
    list_filter = ["district", "sector", "is_sample"]
    search_fields = ["name", "uai", "commune__name"]
    autocomplete_fields = ["commune"]
    list_select_related = ["commune", "district"]


@admin.register(DepartmentalSite)
class DepartmentalSiteAdmin(AuditedAdmin):
    list_display = ["name", "kind", "commune", "is_sample"]
    list_filter = ["kind", "is_sample"]
    search_fields = ["name", "commune__name", "address"]
    autocomplete_fields = ["commune", "college"]
