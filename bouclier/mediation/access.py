"""Need-to-know access to the brigade's data, built on ``accounts.access``.

A mediator sees the situations and requests of the collèges assigned to them (directly or
through their district); the chef de groupe sees everything; a collège's head sees the
requests of their collège and how they progress, never a situation's details; nobody else
sees anything. Objects out of scope are answered with 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from bouclier.accounts.access import colleges_for, has_role
from bouclier.accounts.roles import Role
from bouclier.mediation.models import Assignment, Request, Situation
from bouclier.territory.models import College

if TYPE_CHECKING:
    from bouclier.accounts.access import AnyUser

BRIGADE = (Role.MEDIATOR, Role.MEDIATION_LEAD)


def is_lead(user: AnyUser) -> bool:
    return has_role(user, Role.MEDIATION_LEAD)


def current_assignments(user: AnyUser) -> QuerySet[Assignment]:
    """The user's assignments in force today (none unless they hold the mediator role)."""
    if not has_role(user, Role.MEDIATOR):
        return Assignment.objects.none()
    today = timezone.localdate()
    return Assignment.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        mediator_id=user.pk,
        valid_from__lte=today,
    )


def mediator_colleges(user: AnyUser) -> QuerySet[College]:
    """Collèges a mediator works in: those assigned, and every collège of their districts."""
    assignments = current_assignments(user)
    return College.objects.filter(
        Q(pk__in=assignments.filter(college__isnull=False).values("college_id"))
        | Q(district__in=assignments.filter(college__isnull=True).values("district_id"))
    )


def brigade_colleges(user: AnyUser) -> QuerySet[College]:
    """Collèges whose cases the user may see: all for the chef de groupe, else assigned ones."""
    if is_lead(user):
        return College.objects.all()
    return mediator_colleges(user)


def visible_situations(user: AnyUser) -> QuerySet[Situation]:
    if is_lead(user):
        return Situation.objects.all()
    if has_role(user, Role.MEDIATOR):
        return Situation.objects.filter(college__in=mediator_colleges(user))
    return Situation.objects.none()


def visible_requests(user: AnyUser) -> QuerySet[Request]:
    """Requests of the user's collèges: as a member of the brigade or as the collège's head."""
    if is_lead(user):
        return Request.objects.all()
    scope = Q(college__in=colleges_for(user, Role.COLLEGE_HEAD))
    if has_role(user, Role.MEDIATOR):
        scope |= Q(college__in=mediator_colleges(user))
    return Request.objects.filter(scope)


def may_handle_request(user: AnyUser, request: Request) -> bool:
    """The chef de groupe, or a mediator working in the request's collège."""
    return is_lead(user) or (
        has_role(user, Role.MEDIATOR)
        and mediator_colleges(user).filter(pk=request.college_id).exists()
    )


def access_situation(user: AnyUser, pk: int) -> Situation:
    situation = (
        visible_situations(user)
        .select_related("college__district", "mediator")
        .filter(pk=pk)
        .first()
    )
    if situation is None:
        raise Http404
    return situation


def access_request(user: AnyUser, pk: int) -> Request:
    found = visible_requests(user).select_related("college", "taken_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
