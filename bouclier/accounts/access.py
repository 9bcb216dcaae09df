"""Scoped access: the one place that says what a user may see.

Later contexts build their own ``access_*`` helpers on these functions, so that every query
is filtered by the user's memberships in force, and a refusal is decided here, not by hiding a
link. Objects a user may not see are answered with 404, so their existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from bouclier.accounts.models import Membership, Organisation
from bouclier.accounts.roles import OrganisationKind, Role
from bouclier.territory.models import College, Commune

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

_CACHE_ATTR = "_bouclier_roles"
# Roles whose holders see the whole territory's organisations (the Département's staff).
DEPARTMENT_WIDE = frozenset(
    set(Role) - {Role.APPLICANT, Role.COLLEGE_HEAD, Role.REQUISITIONING_OFFICER}
)


def active_memberships(user: AnyUser) -> QuerySet[Membership]:
    """The user's memberships in force today, with their organisations."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.active().filter(user_id=user.pk).select_related("organisation")


def user_roles(user: AnyUser) -> frozenset[Role]:
    """The roles the user holds today (cached on the user object for the request)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(Role(m.role) for m in active_memberships(user))
        if user.is_authenticated:
            setattr(user, _CACHE_ATTR, cached)
    return cast(frozenset[Role], cached)


def has_role(user: AnyUser, *roles: Role) -> bool:
    """True when the user holds at least one of ``roles`` today."""
    return bool(user_roles(user) & set(roles))


def organisations_for(user: AnyUser, *roles: Role) -> QuerySet[Organisation]:
    """Organisations in which the user holds one of ``roles`` (any role if none given)."""
    memberships = active_memberships(user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Organisation.objects.filter(pk__in=memberships.values("organisation_id"))


def communes_for(user: AnyUser, *roles: Role) -> QuerySet[Commune]:
    """Communes the user acts for: their commune, or every member commune of their EPCI."""
    organisations = organisations_for(user, *roles)
    return Commune.objects.filter(
        Q(organisation__in=organisations) | Q(epci__organisation__in=organisations)
    ).distinct()


def colleges_for(user: AnyUser, *roles: Role) -> QuerySet[College]:
    """Collèges whose organisation the user belongs to with one of ``roles``."""
    return College.objects.filter(organisation__in=organisations_for(user, *roles))


def visible_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """All organisations for the Département's staff; one's own for everybody else."""
    if user_roles(user) & DEPARTMENT_WIDE:
        return Organisation.objects.all()
    return organisations_for(user)


def access_organisation(user: AnyUser, pk: int) -> Organisation:
    """Fetch an organisation only if the user may see it; 404 otherwise."""
    organisation = visible_organisations(user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def is_department_staff(user: AnyUser) -> bool:
    """True for anyone holding a role in a service of the Département."""
    return (
        active_memberships(user)
        .filter(organisation__kind=OrganisationKind.DEPARTMENT_SERVICE)
        .exists()
    )


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def role_required(*roles: Role) -> Callable[[View], View]:
    """Decorate a view: anonymous users go to the login page, others need one of ``roles``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorator
