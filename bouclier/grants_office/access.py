"""Who may do what on the Département's side; built on ``bouclier.grants.access``.

Instruction pages and sessions belong to the grants staff; payments to the finance service
(and the grants manager); dashboards are also open, read-only, to elected officials. An
opinion is readable only by the person it was asked of (and by the staff): 404 otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from bouclier.accounts.access import has_role
from bouclier.accounts.roles import Role
from bouclier.grants.access import DECISION_ROLES, PAYMENT_ROLES, STAFF_ROLES
from bouclier.grants_office.models import Opinion

if TYPE_CHECKING:
    from bouclier.accounts.access import AnyUser

__all__ = ["API_ROLES", "DASHBOARD_ROLES", "DECISION_ROLES", "PAYMENT_ROLES", "STAFF_ROLES"]

DASHBOARD_ROLES = (Role.GRANTS_MANAGER, Role.ELECTED_OFFICIAL, Role.FINANCE)
# The REST API is for the Département's other systems, through its staff's accounts.
API_ROLES = (*STAFF_ROLES, Role.FINANCE, Role.ELECTED_OFFICIAL)


def opinions_for(user: AnyUser) -> QuerySet[Opinion]:
    """The opinions asked of the user."""
    if not user.is_authenticated:
        return Opinion.objects.none()
    return Opinion.objects.filter(requested_from_id=user.pk)


def access_opinion(user: AnyUser, pk: int) -> Opinion:
    """An opinion asked of the user (or any, for the staff); 404 otherwise."""
    scope = Opinion.objects.all() if has_role(user, *STAFF_ROLES) else opinions_for(user)
    opinion = scope.select_related("application__organisation", "application__aid_line").filter(
        pk=pk
    )
    found = opinion.first()
    if found is None:
        raise Http404
    return found
