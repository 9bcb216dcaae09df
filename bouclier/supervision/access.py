"""Who sees what in the supervision centre, built on ``accounts.access``.

- The centre's operators and supervisors see the Département's own sites (collèges,
  departmental sites) and a commune's sites only while a convention covering them is in
  force: when it ends, the commune's cameras, images and alarms vanish from the console.
- A mayor (an elected official of a commune organisation) sees their own commune's alarms,
  incidents and statistics, and nothing else; never an image.
- A collège head is informed of the incidents on their collège.
- Images (snapshots, live view, recordings) need, on top, a valid prefectoral approval.
Objects out of scope are answered with 404, so their existence is not revealed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bouclier.accounts.access import colleges_for, has_role, organisations_for
from bouclier.accounts.roles import Role
from bouclier.supervision.models import (
    Alarm,
    Approval,
    Camera,
    Convention,
    Incident,
    Site,
)
from bouclier.territory.models import Commune

if TYPE_CHECKING:
    from bouclier.accounts.access import AnyUser

CENTRE = (Role.CSD_OPERATOR, Role.CSD_SUPERVISOR)
INCIDENT_READERS = (*CENTRE, Role.ELECTED_OFFICIAL, Role.COLLEGE_HEAD)
REGISTER_READERS = (Role.DPO, Role.CSD_SUPERVISOR)


class ApprovalRequired(PermissionDenied):
    """Image views refused to someone without a valid prefectoral approval."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Vous n'avez pas d'agrément préfectoral en cours de validité : la consultation "
                "des images vous est refusée (CSI L132-14-1). Le superviseur du centre peut "
                "vérifier votre agrément."
            )
        )


def conventions_in_force(day: dt.date | None = None) -> QuerySet[Convention]:
    day = day or timezone.localdate()
    return Convention.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day
    )


def operated_sites(day: dt.date | None = None) -> QuerySet[Site]:
    """Sites the centre may watch today: its own, and communes' sites under a convention."""
    conventions = conventions_in_force(day)
    covered_explicitly = Site.objects.filter(conventions__in=conventions).values("pk")
    # A convention naming no site covers all of its commune's sites.
    whole_communes = conventions.filter(sites__isnull=True).values("commune_id")
    return Site.objects.filter(
        ~Q(kind=Site.Kind.COMMUNE) | Q(pk__in=covered_explicitly) | Q(commune__in=whole_communes)
    )


def mayor_communes(user: AnyUser) -> QuerySet[Commune]:
    """Communes whose organisation the user serves as an elected official (the mayor)."""
    return Commune.objects.filter(organisation__in=organisations_for(user, Role.ELECTED_OFFICIAL))


def is_centre(user: AnyUser) -> bool:
    return has_role(user, *CENTRE)


def visible_sites(user: AnyUser) -> QuerySet[Site]:
    """Sites whose alarms and incidents the user may see (never more)."""
    query = Q(pk__in=[])
    if is_centre(user):
        query |= Q(pk__in=operated_sites().values("pk"))
    if has_role(user, Role.ELECTED_OFFICIAL):
        query |= Q(commune__in=mayor_communes(user))
    if has_role(user, Role.COLLEGE_HEAD):
        query |= Q(college__in=colleges_for(user, Role.COLLEGE_HEAD))
    return Site.objects.filter(query)


def visible_cameras(user: AnyUser) -> QuerySet[Camera]:
    """Cameras the centre's staff may work on; nobody else handles cameras."""
    if not is_centre(user):
        return Camera.objects.none()
    return Camera.objects.filter(site__in=operated_sites())


def visible_incidents(user: AnyUser) -> QuerySet[Incident]:
    return Incident.objects.filter(site__in=visible_sites(user))


def visible_alarms(user: AnyUser) -> QuerySet[Alarm]:
    return Alarm.objects.filter(camera__site__in=visible_sites(user))


def access_incident(user: AnyUser, pk: int) -> Incident:
    incident = visible_incidents(user).select_related("site", "owner").filter(pk=pk).first()
    if incident is None:
        raise Http404
    return incident


def access_alarm(user: AnyUser, pk: int) -> Alarm:
    alarm = visible_alarms(user).select_related("camera__site").filter(pk=pk).first()
    if alarm is None:
        raise Http404
    return alarm


def access_camera(user: AnyUser, pk: int) -> Camera:
    camera = visible_cameras(user).select_related("site").filter(pk=pk).first()
    if camera is None:
        raise Http404
    return camera


def valid_approval(user: AnyUser, day: dt.date | None = None) -> Approval | None:
    """The user's prefectoral approval in force on ``day`` (today), if any."""
    if not user.is_authenticated:
        return None
    day = day or timezone.localdate()
    for approval in Approval.objects.filter(user_id=user.pk, granted_on__lte=day):
        if approval.valid_on(day):
            return approval
    return None


def require_image_access(user: AnyUser) -> Approval:
    """Images only for the centre's staff holding a valid approval; a clear refusal otherwise."""
    if not is_centre(user):
        raise PermissionDenied
    approval = valid_approval(user)
    if approval is None:
        raise ApprovalRequired
    return approval
