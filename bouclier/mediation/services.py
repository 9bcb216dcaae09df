"""State changes of the brigade's records: typed, checked, journalled, all or nothing.

Each function checks who acts and from which state, refuses an invalid change with a French
message (``MediationError``) leaving everything as it was, and writes the audit trail. Changes
to a situation carry the version the writer saw: when somebody else saved in between, the
change is refused with ``ConflictError`` and the writer's input is given back to them.
Journal entries never hold pupils' codes nor free text: the journal cannot be anonymised.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bouclier.accounts.access import colleges_for, has_role
from bouclier.accounts.models import Membership, User
from bouclier.accounts.roles import Role
from bouclier.accounts.services import send_templated_email
from bouclier.audit.services import record
from bouclier.mediation.access import (
    brigade_colleges,
    current_assignments,
    is_lead,
    may_handle_request,
    visible_situations,
)
from bouclier.mediation.models import (
    Assignment,
    FollowUp,
    Presence,
    PreventionAction,
    Pupil,
    Referral,
    Request,
    Situation,
)
from bouclier.territory.models import College

if TYPE_CHECKING:
    from django.db.models import QuerySet

Status = Situation.Status
RETENTION_DAYS = 2 * 365
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class MediationError(Exception):
    """A refused change; ``message`` says why, in French, to the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConflictError(MediationError):
    """Somebody else saved the situation since the writer opened it."""


def _stage(status: str) -> str:
    return str(Status(status).label)


# ---------------------------------------------------------------------------------------
# Requests (saisines)


def submit_request(
    actor: User,
    *,
    college: College,
    urgent: bool,
    kind: str,
    description: str,
    preferred_slots: str = "",
    http: HttpRequest | None = None,
) -> Request:
    if not colleges_for(actor, Role.COLLEGE_HEAD).filter(pk=college.pk).exists():
        raise MediationError(_("Vous ne pouvez saisir la brigade que pour votre collège."))
    if not description.strip():
        raise MediationError(_("Décrivez la situation."))
    with transaction.atomic():
        saisine = Request.objects.create(
            college=college,
            requested_by=actor,
            urgent=urgent,
            kind=kind,
            description=description.strip(),
            preferred_slots=preferred_slots.strip(),
        )
        record(
            "mediation.request.submitted",
            request=http,
            actor=actor,
            target=saisine,
            data={"college": college.uai, "urgent": urgent, "kind": kind},
        )
        if urgent:
            # An urgent request calls for an answer within the day: the collège's mediators
            # and the chef de groupe are told at once (no detail in the e-mail).
            for email in sorted(_brigade_emails(college)):
                send_templated_email("mediation/email/urgent_request", email, {"saisine": saisine})
    return saisine


def _brigade_emails(college: College) -> set[str]:
    today = timezone.localdate()
    leads = Membership.objects.active(today).filter(role=Role.MEDIATION_LEAD)
    emails = set(leads.values_list("user__email", flat=True))
    assignments = (
        Assignment.objects.filter(valid_from__lte=today)
        .exclude(valid_until__lt=today)
        .filter(Q(college=college) | Q(college__isnull=True, district=college.district))
    )
    emails |= set(assignments.values_list("mediator__email", flat=True))
    return emails


def default_mediator(college: College) -> User | None:
    """The mediator assigned to the collège itself, or else to its district."""
    today = timezone.localdate()
    assignments = Assignment.objects.filter(valid_from__lte=today).exclude(valid_until__lt=today)
    for assignment in (
        assignments.filter(college=college).select_related("mediator").first(),
        assignments.filter(college__isnull=True, district=college.district)
        .select_related("mediator")
        .first(),
    ):
        if assignment is not None:
            return assignment.mediator
    return None


def take_request(actor: User, saisine: Request, *, http: HttpRequest | None = None) -> Situation:
    """Take a request in charge: it is answered, and a situation is opened for it."""
    if not may_handle_request(actor, saisine):
        raise MediationError(
            _("Seuls le chef de groupe et les médiateurs du collège prennent en charge.")
        )
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=saisine.pk)
        if locked.status != Request.Status.RECEIVED:
            raise MediationError(_("Cette saisine est déjà prise en charge."))
        locked.status = Request.Status.TAKEN
        locked.taken_by = actor
        locked.taken_at = timezone.now()
        locked.save(update_fields=["status", "taken_by", "taken_at"])
        mediator = actor if has_role(actor, Role.MEDIATOR) else default_mediator(locked.college)
        situation = Situation.objects.create(
            college=locked.college,
            request=locked,
            mediator=mediator,
            created_by=actor,
            category=locked.kind,
        )
        record(
            "mediation.request.taken",
            request=http,
            actor=actor,
            target=locked,
            data={"situation": situation.pk, "within_the_day": locked.answered_within_the_day},
        )
        send_templated_email(
            "mediation/email/request_taken",
            locked.requested_by.email,
            {"saisine": locked, "taken_by": actor},
        )
    saisine.refresh_from_db()
    return situation


def plan_intervention(
    actor: User, saisine: Request, *, when: datetime.datetime, http: HttpRequest | None = None
) -> Request:
    if not may_handle_request(actor, saisine):
        raise MediationError(
            _("Seuls le chef de groupe et les médiateurs du collège planifient l'intervention.")
        )
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=saisine.pk)
        if locked.status not in {Request.Status.TAKEN, Request.Status.PLANNED}:
            raise MediationError(
                _("On planifie une intervention sur une saisine prise en charge et non réalisée.")
            )
        if when < locked.created_at:
            raise MediationError(_("L'intervention ne peut pas précéder la saisine."))
        locked.status = Request.Status.PLANNED
        locked.planned_for = when
        locked.save(update_fields=["status", "planned_for"])
        record(
            "mediation.request.planned",
            request=http,
            actor=actor,
            target=locked,
            data={"planned_for": when.isoformat()},
        )
    saisine.refresh_from_db()
    return saisine


def _mark_request_done(situation: Situation, actor: User, http: HttpRequest | None) -> None:
    if situation.request_id is None:
        return
    saisine = Request.objects.select_for_update().get(pk=situation.request_id)
    if saisine.status == Request.Status.DONE:
        return
    saisine.status = Request.Status.DONE
    saisine.done_at = timezone.now()
    saisine.save(update_fields=["status", "done_at"])
    record("mediation.request.done", request=http, actor=actor, target=saisine)


# ---------------------------------------------------------------------------------------
# Situations


def _check_may_act(actor: User, situation: Situation) -> None:
    if not visible_situations(actor).filter(pk=situation.pk).exists():
        raise MediationError(_("Vous n'intervenez pas dans le collège de cette situation."))


@contextmanager
def _locked(actor: User, situation: Situation, version: int | None) -> Iterator[Situation]:
    """Lock the situation's row, check the writer's version, and save with a new version."""
    _check_may_act(actor, situation)
    with transaction.atomic():
        current = Situation.objects.select_for_update().get(pk=situation.pk)
        if version is not None and current.version != version:
            raise ConflictError(
                _(
                    "Quelqu'un a enregistré cette situation pendant que vous la modifiiez : "
                    "rien n'a été écrasé. Vos saisies sont conservées ci-dessous ; relisez la "
                    "version actuelle, puis enregistrez de nouveau."
                )
            )
        if current.anonymised_at is not None:
            raise MediationError(_("Cette situation est anonymisée : elle ne se modifie plus."))
        yield current
        current.version += 1
        current.save()
    # The caller's object reflects what was saved.
    for field in Situation._meta.concrete_fields:
        setattr(situation, field.attname, getattr(current, field.attname))


def _require_stage(situation: Situation, allowed: set[str], action: str) -> None:
    if situation.status not in allowed:
        raise MediationError(
            _("Impossible de %(action)s : la situation est à l'étape « %(stage)s ».")
            % {"action": action, "stage": _stage(situation.status)}
        )


def create_situation(
    actor: User,
    *,
    college: College,
    category: str,
    severity: int,
    summary: str = "",
    http: HttpRequest | None = None,
) -> Situation:
    """Open a situation from a field observation (without a request)."""
    if not brigade_colleges(actor).filter(pk=college.pk).exists():
        raise MediationError(_("Vous n'intervenez pas dans ce collège."))
    with transaction.atomic():
        situation = Situation.objects.create(
            college=college,
            created_by=actor,
            mediator=actor if has_role(actor, Role.MEDIATOR) else default_mediator(college),
            category=category,
            severity=severity,
            summary=summary.strip(),
        )
        record(
            "mediation.situation.created",
            request=http,
            actor=actor,
            target=situation,
            data={"college": college.uai, "category": category, "severity": severity},
        )
    return situation


def update_situation(
    actor: User,
    situation: Situation,
    *,
    version: int,
    category: str,
    severity: int,
    summary: str,
    assessment: str,
    http: HttpRequest | None = None,
) -> Situation:
    with _locked(actor, situation, version) as current:
        changed = [
            name
            for name, value in (
                ("category", category),
                ("severity", severity),
                ("summary", summary.strip()),
                ("assessment", assessment.strip()),
            )
            if getattr(current, name) != value
        ]
        current.category, current.severity = category, severity
        current.summary, current.assessment = summary.strip(), assessment.strip()
        record(
            "mediation.situation.updated",
            request=http,
            actor=actor,
            target=current,
            data={"fields": changed},
        )
    return situation


def start_assessment(
    actor: User, situation: Situation, *, version: int, http: HttpRequest | None = None
) -> Situation:
    with _locked(actor, situation, version) as current:
        _require_stage(current, {Status.NEW}, _("commencer l'évaluation"))
        current.status = Status.ASSESSMENT
        record("mediation.situation.assessment_started", request=http, actor=actor, target=current)
    return situation


def record_intervention(
    actor: User,
    situation: Situation,
    *,
    version: int,
    method: str,
    on: datetime.date,
    http: HttpRequest | None = None,
) -> Situation:
    if method not in Situation.Method.values:
        raise MediationError(_("Choisissez une méthode d'intervention."))
    with _locked(actor, situation, version) as current:
        _require_stage(current, {Status.ASSESSMENT, Status.FOLLOW_UP}, _("intervenir"))
        if on < current.opened_on:
            raise MediationError(
                _("L'intervention ne peut pas précéder l'ouverture de la situation (%s).")
                % f"{current.opened_on:%d/%m/%Y}"
            )
        if on > timezone.localdate():
            raise MediationError(_("Une intervention se saisit une fois faite : date future."))
        current.status = Status.INTERVENTION
        current.method, current.intervention_on = method, on
        _mark_request_done(current, actor, http)
        record(
            "mediation.situation.intervention_recorded",
            request=http,
            actor=actor,
            target=current,
            data={"method": method, "on": on.isoformat()},
        )
    return situation


def start_follow_up(
    actor: User, situation: Situation, *, version: int, http: HttpRequest | None = None
) -> Situation:
    with _locked(actor, situation, version) as current:
        _require_stage(current, {Status.INTERVENTION}, _("passer au suivi"))
        current.status = Status.FOLLOW_UP
        record("mediation.situation.follow_up_started", request=http, actor=actor, target=current)
    return situation


def request_closure(
    actor: User,
    situation: Situation,
    *,
    version: int,
    outcome: str,
    note: str = "",
    http: HttpRequest | None = None,
) -> Situation:
    """Propose closing; the chef de groupe's own proposal closes at once (he validates)."""
    if outcome not in Situation.Outcome.values:
        raise MediationError(_("Choisissez l'issue de la situation."))
    with _locked(actor, situation, version) as current:
        _require_stage(
            current,
            {Status.ASSESSMENT, Status.INTERVENTION, Status.FOLLOW_UP},
            _("demander la clôture"),
        )
        if outcome == Situation.Outcome.REFERRED and not current.referrals.exists():
            raise MediationError(
                _("Une situation « orientée » suppose une orientation enregistrée d'abord.")
            )
        if current.follow_ups.filter(done_on__isnull=True).exists():
            raise MediationError(
                _("Des entretiens de suivi restent à faire : saisissez-les avant de clore.")
            )
        current.outcome, current.closure_note = outcome, note.strip()
        current.closure_requested_by = actor
        current.status = Status.CLOSURE_PENDING
        record(
            "mediation.situation.closure_requested",
            request=http,
            actor=actor,
            target=current,
            data={"outcome": outcome},
        )
        if is_lead(actor):
            _close(current, actor, http)
    return situation


def _note(situation: Situation, label: str, text: str) -> None:
    """Keep a reason on the situation (anonymised with it), never in the journal."""
    line = f"{label} ({timezone.localdate():%d/%m/%Y}) : {text.strip()}"
    situation.closure_note = f"{situation.closure_note}\n{line}".strip()


def _close(current: Situation, actor: User, http: HttpRequest | None) -> None:
    current.status = Status.CLOSED
    current.closed_at, current.closed_by = timezone.now(), actor
    _mark_request_done(current, actor, http)
    record(
        "mediation.situation.closed",
        request=http,
        actor=actor,
        target=current,
        data={"outcome": current.outcome},
    )


def validate_closure(
    actor: User, situation: Situation, *, version: int, http: HttpRequest | None = None
) -> Situation:
    if not is_lead(actor):
        raise MediationError(_("Seul le chef de groupe valide la clôture d'une situation."))
    with _locked(actor, situation, version) as current:
        _require_stage(current, {Status.CLOSURE_PENDING}, _("valider la clôture"))
        _close(current, actor, http)
    return situation


def reject_closure(
    actor: User,
    situation: Situation,
    *,
    version: int,
    reason: str,
    http: HttpRequest | None = None,
) -> Situation:
    if not is_lead(actor):
        raise MediationError(_("Seul le chef de groupe refuse la clôture d'une situation."))
    if not reason.strip():
        raise MediationError(_("Dites pourquoi la clôture est refusée."))
    with _locked(actor, situation, version) as current:
        _require_stage(current, {Status.CLOSURE_PENDING}, _("refuser la clôture"))
        current.status = Status.FOLLOW_UP if current.intervention_on else Status.ASSESSMENT
        current.outcome = ""
        _note(current, _("Clôture refusée"), reason)
        record("mediation.situation.closure_rejected", request=http, actor=actor, target=current)
    return situation


def reopen(
    actor: User,
    situation: Situation,
    *,
    version: int,
    reason: str,
    http: HttpRequest | None = None,
) -> Situation:
    if not reason.strip():
        raise MediationError(_("Dites pourquoi la situation est rouverte."))
    with _locked(actor, situation, version) as current:
        _require_stage(current, {Status.CLOSED}, _("rouvrir"))
        current.status = Status.ASSESSMENT
        current.outcome, current.closed_at, current.closed_by = "", None, None
        current.closure_requested_by = None
        current.reopen_count += 1
        _note(current, _("Réouverture"), reason)
        record("mediation.situation.reopened", request=http, actor=actor, target=current)
    return situation


def reassign(
    actor: User,
    situation: Situation,
    *,
    version: int,
    mediator: User,
    http: HttpRequest | None = None,
) -> Situation:
    """The chef de groupe rebalances the workload: another mediator becomes the referent."""
    if not is_lead(actor):
        raise MediationError(_("Seul le chef de groupe répartit les situations."))
    if not has_role(mediator, Role.MEDIATOR):
        raise MediationError(_("La personne choisie n'est pas médiatrice ou médiateur."))
    with _locked(actor, situation, version) as current:
        _require_stage(current, set(Status.values) - {Status.CLOSED}, _("réaffecter"))
        current.mediator = mediator
        record(
            "mediation.situation.reassigned",
            request=http,
            actor=actor,
            target=current,
            data={"mediator": mediator.pk},
        )
    return situation


def log_read(actor: User, situation: Situation, http: HttpRequest | None = None) -> None:
    """Every read of a situation is journalled (who, when, which situation)."""
    record("mediation.situation.viewed", request=http, actor=actor, target=situation)


# ---------------------------------------------------------------------------------------
# Pupils, follow-ups, referrals


def new_pupil_code() -> str:
    return "EL-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def add_pupil(
    actor: User,
    situation: Situation,
    *,
    level: str,
    role: str,
    initials: str = "",
    code: str = "",
    http: HttpRequest | None = None,
) -> Pupil:
    _check_may_act(actor, situation)
    if not situation.is_open or situation.anonymised_at:
        raise MediationError(_("On n'ajoute pas d'élève à une situation close."))
    with transaction.atomic():
        pupil = Pupil(
            situation=situation,
            level=level,
            role=role,
            initials=initials.strip().upper(),
            code=code.strip().upper() or new_pupil_code(),
        )
        pupil.full_clean()
        pupil.save()
        record(
            "mediation.pupil.added",
            request=http,
            actor=actor,
            target=situation,
            data={"role": role, "level": level},
        )
    return pupil


def _check_after_intervention(situation: Situation, day: datetime.date | None) -> None:
    if day is not None and situation.intervention_on and day < situation.intervention_on:
        raise MediationError(
            _("Un suivi ne peut pas être daté avant l'intervention du %s.")
            % f"{situation.intervention_on:%d/%m/%Y}"
        )


def add_follow_up(
    actor: User,
    situation: Situation,
    *,
    due_on: datetime.date,
    done_on: datetime.date | None = None,
    notes: str = "",
    http: HttpRequest | None = None,
) -> FollowUp:
    _check_may_act(actor, situation)
    _require_stage(situation, {Status.INTERVENTION, Status.FOLLOW_UP}, _("prévoir un suivi"))
    _check_after_intervention(situation, due_on)
    _check_after_intervention(situation, done_on)
    if done_on is not None and done_on > timezone.localdate():
        raise MediationError(_("Un entretien ne peut pas être réalisé dans le futur."))
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            situation=situation,
            due_on=due_on,
            done_on=done_on,
            notes=notes.strip(),
            created_by=actor,
        )
        record(
            "mediation.follow_up.added",
            request=http,
            actor=actor,
            target=situation,
            data={"due_on": due_on.isoformat(), "done": done_on is not None},
        )
    return follow_up


def complete_follow_up(
    actor: User,
    follow_up: FollowUp,
    *,
    done_on: datetime.date,
    notes: str = "",
    http: HttpRequest | None = None,
) -> FollowUp:
    situation = follow_up.situation
    _check_may_act(actor, situation)
    if follow_up.done_on is not None:
        raise MediationError(_("Cet entretien est déjà saisi comme réalisé."))
    _check_after_intervention(situation, done_on)
    if done_on > timezone.localdate():
        raise MediationError(_("Un entretien ne peut pas être réalisé dans le futur."))
    with transaction.atomic():
        follow_up.done_on = done_on
        if notes.strip():
            follow_up.notes = notes.strip()
        follow_up.save(update_fields=["done_on", "notes"])
        record(
            "mediation.follow_up.completed",
            request=http,
            actor=actor,
            target=situation,
            data={"follow_up": follow_up.pk, "done_on": done_on.isoformat()},
        )
    return follow_up


def add_referral(
    actor: User,
    situation: Situation,
    *,
    partner: str,
    referred_on: datetime.date,
    reason: str,
    ground: str,
    http: HttpRequest | None = None,
) -> Referral:
    _check_may_act(actor, situation)
    if situation.anonymised_at is not None:
        raise MediationError(_("Cette situation est anonymisée : elle ne se modifie plus."))
    if ground not in Referral.Ground.values:
        raise MediationError(_("Indiquez l'accord recueilli ou la base légale du partage."))
    if referred_on < situation.opened_on:
        raise MediationError(_("Une orientation ne peut pas précéder l'ouverture de la situation."))
    with transaction.atomic():
        referral = Referral.objects.create(
            situation=situation,
            partner=partner,
            referred_on=referred_on,
            reason=reason.strip(),
            ground=ground,
            created_by=actor,
        )
        record(
            "mediation.referral.added",
            request=http,
            actor=actor,
            target=situation,
            data={"partner": partner, "ground": ground},
        )
    return referral


def set_referral_status(
    actor: User, referral: Referral, *, status: str, http: HttpRequest | None = None
) -> Referral:
    _check_may_act(actor, referral.situation)
    if status not in Referral.Status.values:
        raise MediationError(_("État d'orientation inconnu."))
    if referral.status == Referral.Status.CLOSED:
        raise MediationError(_("Cette orientation est terminée."))
    with transaction.atomic():
        previous, referral.status = referral.status, status
        referral.save(update_fields=["status"])
        record(
            "mediation.referral.status_changed",
            request=http,
            actor=actor,
            target=referral.situation,
            data={"referral": referral.pk, "from": previous, "to": status},
        )
    return referral


# ---------------------------------------------------------------------------------------
# Prevention and presence


def record_prevention(
    actor: User,
    *,
    college: College,
    date: datetime.date,
    kind: str,
    theme: str,
    classes: str,
    levels: Sequence[str],
    pupils_reached: int,
    duration_minutes: int,
    mediators: Sequence[User],
    http: HttpRequest | None = None,
) -> PreventionAction:
    if not brigade_colleges(actor).filter(pk=college.pk).exists():
        raise MediationError(_("Vous n'intervenez pas dans ce collège."))
    if not mediators:
        raise MediationError(_("Indiquez au moins un médiateur."))
    if any(not has_role(mediator, Role.MEDIATOR) for mediator in mediators):
        raise MediationError(_("Seuls des médiateurs animent une action de prévention."))
    with transaction.atomic():
        action = PreventionAction.objects.create(
            college=college,
            date=date,
            kind=kind,
            theme=theme,
            classes=classes.strip(),
            levels=list(levels),
            pupils_reached=pupils_reached,
            duration_minutes=duration_minutes,
            created_by=actor,
        )
        action.mediators.set(mediators)
        record(
            "mediation.prevention.recorded",
            request=http,
            actor=actor,
            target=action,
            data={"college": college.uai, "theme": theme, "pupils": pupils_reached},
        )
    return action


def record_presence(
    actor: User,
    *,
    mediator: User,
    college: College,
    kind: str,
    date: datetime.date,
    start: datetime.time,
    end: datetime.time,
    http: HttpRequest | None = None,
) -> Presence:
    if mediator.pk != actor.pk and not is_lead(actor):
        raise MediationError(_("Vous saisissez vos propres temps de présence."))
    if not has_role(mediator, Role.MEDIATOR):
        raise MediationError(_("La personne choisie n'est pas médiatrice ou médiateur."))
    if end <= start:
        raise MediationError(_("La fin doit suivre le début."))
    if not brigade_colleges(actor).filter(pk=college.pk).exists():
        raise MediationError(_("Vous n'intervenez pas dans ce collège."))
    with transaction.atomic():
        presence = Presence.objects.create(
            mediator=mediator, college=college, kind=kind, date=date, start=start, end=end
        )
        record(
            "mediation.presence.recorded",
            request=http,
            actor=actor,
            target=presence,
            data={"college": college.uai, "mediator": mediator.pk},
        )
    return presence


# ---------------------------------------------------------------------------------------
# Data protection


def anonymise(situation: Situation) -> None:
    """Remove pupils' codes and initials and every free text; keep what statistics count."""
    with transaction.atomic():
        current = Situation.objects.select_for_update().get(pk=situation.pk)
        current.pupils.update(code="", initials="")
        current.follow_ups.update(notes="")
        current.referrals.update(reason="")
        if current.request_id is not None:
            Request.objects.filter(pk=current.request_id).update(description="", preferred_slots="")
        current.summary = current.assessment = current.closure_note = ""
        current.anonymised_at = timezone.now()
        current.version += 1
        current.save()
        record(
            "mediation.situation.anonymised",
            target=current,
            reason="Conservation de 2 ans après la clôture échue",
        )


def due_for_anonymisation(now: datetime.datetime | None = None) -> QuerySet[Situation]:
    limit = (now or timezone.now()) - datetime.timedelta(days=RETENTION_DAYS)
    return Situation.objects.filter(
        status=Status.CLOSED, closed_at__lte=limit, anonymised_at__isnull=True
    )


def anonymise_due(now: datetime.datetime | None = None) -> int:
    count = 0
    for situation in due_for_anonymisation(now).order_by("pk"):
        anonymise(situation)
        count += 1
    return count


def pupil_export(actor: User, code: str, http: HttpRequest | None = None) -> dict[str, Any]:
    """Everything held about one pupil code, for a rights request (access, rectification)."""
    code = code.strip().upper()
    pupils = (
        Pupil.objects.filter(code=code, situation__in=_export_scope(actor))
        .select_related("situation__college")
        .order_by("situation__opened_on")
    )
    entries = []
    for pupil in pupils:
        situation = pupil.situation
        entries.append(
            {
                "situation": situation.pk,
                "college": situation.college.name,
                "opened_on": situation.opened_on.isoformat(),
                "status": str(situation.get_status_display()),
                "category": str(situation.get_category_display()),
                "severity": situation.severity,
                "role": str(pupil.get_role_display()),
                "level": str(pupil.get_level_display()),
                "initials": pupil.initials,
                "summary": situation.summary,
                "assessment": situation.assessment,
                "follow_ups": [
                    {
                        "due_on": f.due_on.isoformat(),
                        "done_on": f.done_on.isoformat() if f.done_on else None,
                        "notes": f.notes,
                    }
                    for f in situation.follow_ups.all()
                ],
                "referrals": [
                    {
                        "partner": str(r.get_partner_display()),
                        "on": r.referred_on.isoformat(),
                        "status": str(r.get_status_display()),
                        "ground": str(r.get_ground_display()),
                        "reason": r.reason,
                    }
                    for r in situation.referrals.all()
                ],
            }
        )
    # The code itself stays out of the journal, which is never anonymised.
    record(
        "mediation.pupil.exported",
        request=http,
        actor=actor,
        data={"situations": len(entries)},
        reason="Demande d'exercice des droits",
    )
    return {"code": code, "exported_at": timezone.now().isoformat(), "situations": entries}


def _export_scope(actor: User) -> QuerySet[Situation]:
    if has_role(actor, Role.DPO, Role.MEDIATION_LEAD):
        return Situation.objects.all()
    return Situation.objects.none()


def assignments_of(user: User) -> QuerySet[Assignment]:
    return current_assignments(user).select_related("district", "college")
