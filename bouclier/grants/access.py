"""Who may see and act on application files: the grants context's ``access_*`` helpers.

Built on ``bouclier.accounts.access``: an applicant sees the files of the organisations in
which they hold the applicant role today, and nothing else; the Département's grants staff see
every submitted file (never another organisation's drafts, which are still private work).
A file the user may not see is answered with 404 so that its existence is not revealed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from bouclier.accounts.access import has_role, organisations_for
from bouclier.accounts.models import Organisation
from bouclier.accounts.roles import OrganisationKind, Role
from bouclier.grants.models_files import Application, State

if TYPE_CHECKING:
    from bouclier.accounts.access import AnyUser

# Roles of the Département that handle files (the instructor's queue and file page).
STAFF_ROLES = (Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER)
# Roles that record payments (the finance service, or the grants manager).
PAYMENT_ROLES = (Role.FINANCE, Role.GRANTS_MANAGER)
# Roles that take the Commission's decisions in the platform.
DECISION_ROLES = (Role.GRANTS_MANAGER,)


def applicant_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """The communes and EPCI for which the user files applications today."""
    return organisations_for(user, Role.APPLICANT).filter(
        kind__in=[OrganisationKind.COMMUNE, OrganisationKind.EPCI]
    )


def is_applicant_for(user: AnyUser, application: Application) -> bool:
    return applicant_organisations(user).filter(pk=application.organisation_id).exists()


def is_staff(user: AnyUser) -> bool:
    return has_role(user, *STAFF_ROLES)


def applications_for(user: AnyUser) -> QuerySet[Application]:
    """Every file the user may read."""
    scope = Q(organisation__in=applicant_organisations(user))
    if has_role(user, *STAFF_ROLES, *PAYMENT_ROLES):
        scope |= ~Q(state=State.DRAFT)
    return Application.objects.filter(scope)


def access_application(user: AnyUser, pk: int) -> Application:
    """Fetch a file only if the user may read it; 404 otherwise."""
    application = (
        applications_for(user).select_related("organisation", "aid_line").filter(pk=pk).first()
    )
    if application is None:
        raise Http404
    return application
