"""State changes of the operator console: incidents, actions, logbook, access register.

Every function checks who acts and from which state, writes the audit trail, and refuses an
invalid step with a French message (``ConsoleError``) without changing anything.

Incident life cycle (as commercial hypervisors do): new -> in progress (taken: it is then the
operator's) -> on hold -> in progress ... -> closed (once qualified).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bouclier.accounts.access import has_role, user_roles
from bouclier.accounts.models import Membership, User
from bouclier.accounts.roles import Role
from bouclier.accounts.services import send_templated_email
from bouclier.audit.services import record
from bouclier.supervision.access import CENTRE
from bouclier.supervision.models import (
    AccessRecord,
    Alarm,
    Camera,
    Incident,
    IncidentAction,
    LogbookEntry,
    Site,
    SiteInstruction,
)
from bouclier.supervision.models_console import FALSE_CAUSES, REGISTER_RETENTION_DAYS

DEFAULT_CORRELATION_MINUTES = 10
DEFAULT_PRIORITY = 2


class ConsoleError(Exception):
    """A refused console step; its message is shown to the operator as is."""


def correlation_minutes() -> float:
    """Alarms of one site this close together form one incident (setting)."""
    return float(getattr(settings, "SUPERVISION_CORRELATION_MINUTES", DEFAULT_CORRELATION_MINUTES))


def instruction_for(site: Site, rule: str) -> SiteInstruction | None:
    """The most specific procedure: this site and rule, then this site, then the defaults."""
    candidates = SiteInstruction.objects.filter(
        Q(site=site) | Q(site__isnull=True), Q(rule=rule) | Q(rule="")
    )
    best: SiteInstruction | None = None
    best_rank = -1
    for instruction in candidates:
        rank = (2 if instruction.site_id else 0) + (1 if instruction.rule else 0)
        if rank > best_rank:
            best, best_rank = instruction, rank
    return best


def attach(alarm: Alarm) -> Incident:
    """Group a new alarm with the open incident of its site within the window, or open one."""
    site = alarm.camera.site
    instruction = instruction_for(site, alarm.rule)
    priority = instruction.priority if instruction is not None else DEFAULT_PRIORITY
    window = dt.timedelta(minutes=correlation_minutes())
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update()
            .filter(site=site, last_alarm_at__gte=alarm.raised_at - window)
            .exclude(status=Incident.Status.CLOSED)
            .order_by("-last_alarm_at")
            .first()
        )
        if incident is None:
            incident = Incident.objects.create(
                site=site,
                priority=priority,
                opened_at=alarm.raised_at,
                last_alarm_at=alarm.raised_at,
            )
        else:
            incident.last_alarm_at = max(incident.last_alarm_at, alarm.raised_at)
            incident.opened_at = min(incident.opened_at, alarm.raised_at)
            incident.priority = min(incident.priority, priority)
            incident.save(update_fields=["last_alarm_at", "opened_at", "priority", "updated_at"])
        alarm.incident = incident
        alarm.save(update_fields=["incident"])
    return incident


# -- the workflow ---------------------------------------------------------------------------


def _check_centre(user: User) -> None:
    if not has_role(user, *CENTRE):
        raise ConsoleError(_("Seuls les opérateurs du centre de supervision traitent les alarmes."))


def _check_owner(user: User, incident: Incident) -> None:
    _check_centre(user)
    if incident.status == Incident.Status.CLOSED:
        raise ConsoleError(_("Cet incident est clos : il ne peut plus être modifié."))
    if incident.status != Incident.Status.IN_PROGRESS:
        raise ConsoleError(_("Prenez d'abord cet incident en charge."))
    if incident.owner_id != user.pk:
        raise ConsoleError(_("Cet incident est traité par %(name)s.") % {"name": incident.owner})


def _locked(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("owner", "site")
        .get(pk=incident.pk)
    )


def _audit(
    verb: str,
    incident: Incident,
    user: User,
    request: HttpRequest | None,
    reason: str = "",
    **data: Any,
) -> None:
    record(
        f"supervision.incident.{verb}",
        request=request,
        actor=user,
        target=incident,
        reason=reason,
        data={"site": incident.site.name, "status": incident.status, **data},
    )


def take(user: User, incident: Incident, request: HttpRequest | None = None) -> Incident:
    """Take a new or waiting incident: it is then the operator's alone."""
    _check_centre(user)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == Incident.Status.CLOSED:
            raise ConsoleError(_("Cet incident est clos : il ne peut plus être pris."))
        if incident.status == Incident.Status.IN_PROGRESS:
            if incident.owner_id == user.pk:
                raise ConsoleError(_("Vous traitez déjà cet incident."))
            raise ConsoleError(
                _("Cet incident est déjà pris par %(name)s.") % {"name": incident.owner}
            )
        incident.status = Incident.Status.IN_PROGRESS
        incident.owner = user
        incident.taken_at = incident.taken_at or timezone.now()
        incident.save(update_fields=["status", "owner", "taken_at", "updated_at"])
        _audit("taken", incident, user, request)
    return incident


def add_action(
    user: User,
    incident: Incident,
    kind: str,
    *,
    at: dt.datetime | None = None,
    service: str = "",
    reference: str = "",
    recipient: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> IncidentAction:
    """Record what the operator did, with its time; an information e-mail is sent here."""
    kinds = IncidentAction.Kind
    if kind not in kinds.values or kind == kinds.HOLD:
        raise ConsoleError(_("Action inconnue."))
    now = timezone.now()
    at = at or now
    if at > now + dt.timedelta(minutes=1):
        raise ConsoleError(_("L'heure d'une action ne peut être dans le futur."))
    if kind in (kinds.POLICE_CALL, kinds.GENDARMERIE_CALL, kinds.FIRE_CALL) and not (
        service.strip() and reference.strip()
    ):
        raise ConsoleError(
            _("Un appel aux forces est noté avec le service appelé et la référence donnée.")
        )
    if kind == kinds.INFORM_EMAIL and "@" not in recipient:
        raise ConsoleError(_("Indiquez l'adresse e-mail du destinataire."))
    if kind in (kinds.DOUBT_REMOVAL, kinds.NOTE, kinds.CALLBACK) and not note.strip():
        raise ConsoleError(_("Décrivez ce qui a été vu ou fait."))
    with transaction.atomic():
        incident = _locked(incident)
        _check_owner(user, incident)
        action = IncidentAction.objects.create(
            incident=incident,
            kind=kind,
            at=at,
            by=user,
            service=service.strip(),
            reference=reference.strip(),
            recipient=recipient.strip(),
            note=note.strip(),
        )
        incident.save(update_fields=["updated_at"])
        _audit(
            "action_recorded",
            incident,
            user,
            request,
            action=kind,
            at=at.isoformat(),
            service=action.service,
            reference=action.reference,
            recipient=action.recipient,
        )
        if kind == kinds.INFORM_EMAIL:
            send_templated_email(
                "supervision/email/incident_info",
                action.recipient,
                {"incident": incident, "action": action, "base_url": settings.BASE_URL},
            )
    return action


def qualify(
    user: User,
    incident: Incident,
    qualification: str,
    cause: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Incident:
    """A false alarm with its cause, or a real one with its nature."""
    if qualification not in Incident.Qualification.values:
        raise ConsoleError(_("Choisissez fausse alarme ou alarme réelle."))
    if cause not in Incident.Cause.values:
        raise ConsoleError(_("Choisissez une cause."))
    is_false = qualification == Incident.Qualification.FALSE_ALARM
    if is_false != (cause in FALSE_CAUSES):
        raise ConsoleError(
            _("Cette cause ne convient pas à une fausse alarme.")
            if is_false
            else _("Cette cause ne convient pas à une alarme réelle.")
        )
    with transaction.atomic():
        incident = _locked(incident)
        _check_owner(user, incident)
        incident.qualification = qualification
        incident.cause = cause
        incident.qualification_note = note.strip()
        incident.qualified_at = timezone.now()
        incident.save(
            update_fields=[
                "qualification",
                "cause",
                "qualification_note",
                "qualified_at",
                "updated_at",
            ]
        )
        _audit("qualified", incident, user, request, qualification=qualification, cause=cause)
    return incident


def hold(
    user: User, incident: Incident, reason: str, request: HttpRequest | None = None
) -> Incident:
    """Put aside (waiting for the patrol, a call-back...): anyone may take it up again."""
    if not reason.strip():
        raise ConsoleError(_("Indiquez ce que l'on attend."))
    with transaction.atomic():
        incident = _locked(incident)
        _check_owner(user, incident)
        incident.status = Incident.Status.ON_HOLD
        incident.save(update_fields=["status", "updated_at"])
        IncidentAction.objects.create(
            incident=incident,
            kind=IncidentAction.Kind.HOLD,
            at=timezone.now(),
            by=user,
            note=reason.strip(),
        )
        _audit("put_on_hold", incident, user, request, reason=reason.strip())
    return incident


def close(
    user: User, incident: Incident, note: str = "", request: HttpRequest | None = None
) -> Incident:
    """Close a qualified incident; nothing changes it afterwards."""
    with transaction.atomic():
        incident = _locked(incident)
        _check_owner(user, incident)
        if not incident.qualification:
            raise ConsoleError(_("Qualifiez l'incident avant de le clore."))
        if note.strip():
            IncidentAction.objects.create(
                incident=incident,
                kind=IncidentAction.Kind.NOTE,
                at=timezone.now(),
                by=user,
                note=note.strip(),
            )
        incident.status = Incident.Status.CLOSED
        incident.closed_at = timezone.now()
        incident.save(update_fields=["status", "closed_at", "updated_at"])
        _audit("closed", incident, user, request)
    return incident


# -- the logbook ----------------------------------------------------------------------------


def write_logbook(
    user: User,
    text: str,
    *,
    incident: Incident | None = None,
    alarm: Alarm | None = None,
    camera: Camera | None = None,
    corrects: LogbookEntry | None = None,
    request: HttpRequest | None = None,
) -> LogbookEntry:
    """Add a line to the main courante; a correction is a new line referring to the old."""
    _check_centre(user)
    if not text.strip():
        raise ConsoleError(_("L'entrée de main courante est vide."))
    if corrects is not None:
        # A correction keeps the corrected entry's links unless new ones are given.
        incident = incident or corrects.incident
        alarm = alarm or corrects.alarm
        camera = camera or corrects.camera
    entry = LogbookEntry.objects.create(
        author=user,
        text=text.strip(),
        incident=incident,
        alarm=alarm,
        camera=camera,
        corrects=corrects,
    )
    record(
        "supervision.logbook.written",
        request=request,
        actor=user,
        target=entry,
        data={"corrects": corrects.pk if corrects is not None else None},
    )
    return entry


# -- the access register --------------------------------------------------------------------


def register_access(
    user: User | None,
    action: str,
    reason: str,
    *,
    camera: Camera | None = None,
    range_start: dt.datetime | None = None,
    range_end: dt.datetime | None = None,
    who: str = "",
    role: str = "",
    details: dict[str, Any] | None = None,
) -> AccessRecord:
    """One line of the register: who, role, when, why, which camera and time range."""
    if not reason.strip():
        raise ConsoleError(_("Indiquez le motif de la consultation."))
    if user is not None and user.is_authenticated:
        who = who or str(getattr(user, "email", ""))
        role = role or ",".join(sorted(user_roles(user)))
    return AccessRecord.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        who=who or "?",
        role=role,
        action=action,
        reason=reason.strip(),
        camera=camera,
        camera_name=camera.name if camera is not None else "",
        range_start=range_start,
        range_end=range_end,
        details=details or {},
    )


def purge_register(now: dt.datetime | None = None) -> int:
    """Delete register lines older than three years (idempotent: the scheduled job)."""
    limit = (now or timezone.now()) - dt.timedelta(days=REGISTER_RETENTION_DAYS)
    count, _by_model = AccessRecord.objects.filter(at__lt=limit).delete()
    if count:
        record(
            "supervision.access_register.purged",
            reason="conservation de trois ans échue",
            data={"deleted": count, "before": limit.isoformat()},
        )
    return count


def college_heads(site: Site) -> list[str]:
    """E-mail addresses of the heads of the site's collège (to inform them)."""
    if site.college_id is None:
        return []
    holders = Membership.objects.active().filter(
        role=Role.COLLEGE_HEAD, organisation__college_id=site.college_id
    )
    return list(
        User.objects.filter(pk__in=holders.values("user_id"), is_active=True).values_list(
            "email", flat=True
        )
    )
