"""Read-only REST API for the Département's other systems: files and Commission decisions.

Scoped to the Département's staff (grants, finance, elected officials); drafts are never
exposed. Described in the OpenAPI schema (``/api/schema/``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import permissions, serializers, viewsets

from bouclier.accounts.access import has_role
from bouclier.grants.models_files import Application, State
from bouclier.grants_office.access import API_ROLES
from bouclier.grants_office.models import AgendaItem, Outcome


class DepartmentStaff(permissions.BasePermission):
    message = "Réservé aux services du Département."

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user.is_authenticated and has_role(request.user, *API_ROLES))


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    organisation_siren = serializers.CharField(source="organisation.siren", read_only=True)
    aid_line = serializers.CharField(source="aid_line.code", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "organisation",
            "organisation_siren",
            "aid_line",
            "state",
            "title",
            "requested_amount",
            "eligible_base",
            "proposed_amount",
            "granted_amount",
            "advance_paid",
            "balance_paid",
            "deliberation_number",
            "submitted_at",
            "decided_at",
            "notified_at",
            "closed_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer[AgendaItem]):
    application = serializers.CharField(source="application.number", read_only=True)
    session_date = serializers.DateField(source="session.date", read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "application",
            "session_date",
            "proposed_amount",
            "outcome",
            "granted_amount",
            "deliberation_number",
            "voted_at",
        ]
        read_only_fields = fields


class ApplicationViewSet(viewsets.ReadOnlyModelViewSet[Application]):
    """Submitted application files, oldest first."""

    serializer_class = ApplicationSerializer
    permission_classes = [DepartmentStaff]

    def get_queryset(self) -> QuerySet[Application]:
        return (
            Application.objects.exclude(state=State.DRAFT)
            .select_related("organisation", "aid_line")
            .order_by("pk")
        )


class DecisionViewSet(viewsets.ReadOnlyModelViewSet[AgendaItem]):
    """Votes of the Commission permanente (granted, refused or postponed)."""

    serializer_class = DecisionSerializer
    permission_classes = [DepartmentStaff]

    def get_queryset(self) -> QuerySet[AgendaItem]:
        return (
            AgendaItem.objects.exclude(outcome=Outcome.PENDING)
            .select_related("application", "session")
            .order_by("pk")
        )
