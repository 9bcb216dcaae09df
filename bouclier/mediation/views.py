"""Pages of the brigade: thin views over ``services`` (changes) and ``access`` (scoping).

Every object is fetched through the access helpers (404 when out of scope); every change goes
through a service function, whose refusal is shown to the user as a message at the form.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bouclier.accounts.access import colleges_for, has_role, role_required
from bouclier.accounts.models import Membership, User
from bouclier.accounts.roles import Role
from bouclier.mediation import services, stats
from bouclier.mediation.access import (
    access_request,
    access_situation,
    brigade_colleges,
    is_lead,
    may_handle_request,
    visible_requests,
    visible_situations,
)
from bouclier.mediation.forms import (
    ClosureForm,
    CompleteFollowUpForm,
    ExportForm,
    FollowUpForm,
    InterventionForm,
    PlanForm,
    PresenceForm,
    PreventionForm,
    PupilForm,
    ReasonForm,
    ReassignForm,
    ReferralForm,
    ReferralStatusForm,
    RequestForm,
    SituationCreateForm,
    SituationEditForm,
)
from bouclier.mediation.models import (
    Assignment,
    FollowUp,
    Presence,
    PreventionAction,
    Programme,
    Protocol,
    Referral,
    Request,
    Situation,
)
from bouclier.mediation.services import MediationError
from bouclier.territory.models import District

BRIGADE = (Role.MEDIATOR, Role.MEDIATION_LEAD)
REQUESTERS = (Role.MEDIATOR, Role.MEDIATION_LEAD, Role.COLLEGE_HEAD)
INDICATOR_READERS = (Role.MEDIATOR, Role.MEDIATION_LEAD, Role.ELECTED_OFFICIAL)
PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _page(request: HttpRequest, queryset: QuerySet[Any]) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def mediators() -> QuerySet[User]:
    """People holding the mediator role today."""
    today = timezone.localdate()
    holders = Membership.objects.active(today).filter(role=Role.MEDIATOR).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("last_name", "first_name")


def _open_tasks(situations: QuerySet[Situation]) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(situation__in=situations, done_on__isnull=True)
        .exclude(situation__status=Situation.Status.CLOSED)
        .select_related("situation__college")
        .order_by("due_on")
    )


# ---------------------------------------------------------------------------------------
# Dashboard and requests


@role_required(*REQUESTERS)
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context: dict[str, Any] = {
        "is_head": has_role(user, Role.COLLEGE_HEAD),
        "in_brigade": has_role(user, *BRIGADE),
        "is_lead": is_lead(user),
    }
    requests = visible_requests(user).select_related("college")
    context["pending_requests"] = requests.exclude(status=Request.Status.DONE)[:20]
    if context["in_brigade"]:
        situations = visible_situations(user)
        context["tasks"] = _open_tasks(situations)[:20]
        context["today"] = timezone.localdate()
        context["open_situations"] = (
            situations.exclude(status=Situation.Status.CLOSED)
            .select_related("college")
            .order_by("opened_on")[:20]
        )
        if context["is_lead"]:
            context["closures_to_validate"] = situations.filter(
                status=Situation.Status.CLOSURE_PENDING
            ).select_related("college")
    return render(request, "mediation/index.html", context)


@role_required(*REQUESTERS)
def request_list(request: HttpRequest) -> HttpResponse:
    requests = visible_requests(_user(request)).select_related("college", "taken_by")
    status = request.GET.get("etat", "")
    if status in Request.Status.values:
        requests = requests.filter(status=status)
    return render(
        request,
        "mediation/request_list.html",
        {
            "page": _page(request, requests),
            "statuses": Request.Status.choices,
            "status": status,
            "query": urlencode({"etat": status}) if status else "",
            "may_submit": has_role(_user(request), Role.COLLEGE_HEAD),
        },
    )


@role_required(Role.COLLEGE_HEAD)
def request_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    colleges = colleges_for(user, Role.COLLEGE_HEAD)
    form = RequestForm(request.POST or None, colleges=colleges)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saisine = services.submit_request(
                user,
                college=data["college"],
                urgent=data["urgent"],
                kind=data["kind"],
                description=data["description"],
                preferred_slots=data["preferred_slots"],
                http=request,
            )
        except MediationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Votre saisine est transmise à la brigade."))
            return redirect("mediation:request_detail", pk=saisine.pk)
    return render(request, "mediation/request_form.html", {"form": form})


@role_required(*REQUESTERS)
def request_detail(
    request: HttpRequest, pk: int, plan_form: PlanForm | None = None
) -> HttpResponse:
    user = _user(request)
    saisine = access_request(user, pk)
    handles = may_handle_request(user, saisine)
    situation = Situation.objects.filter(request=saisine).first()
    context = {
        "saisine": saisine,
        "may_handle": handles,
        # The collège's head follows the request, never the situation's details.
        "situation": situation if handles else None,
        "situation_closed": situation is not None and not situation.is_open,
        "plan_form": plan_form or PlanForm(),
        "steps": _request_steps(saisine),
    }
    return render(request, "mediation/request_detail.html", context)


def _request_steps(saisine: Request) -> list[dict[str, Any]]:
    return [
        {"label": _("Reçue"), "at": saisine.created_at},
        {"label": _("Prise en charge"), "at": saisine.taken_at},
        {"label": _("Intervention planifiée"), "at": saisine.planned_for},
        {"label": _("Intervention réalisée"), "at": saisine.done_at},
    ]


@role_required(*BRIGADE)
def request_take(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    saisine = access_request(_user(request), pk)
    try:
        situation = services.take_request(_user(request), saisine, http=request)
    except MediationError as error:
        messages.error(request, error.message)
        return redirect("mediation:request_detail", pk=pk)
    messages.success(request, _("Saisine prise en charge : une situation est ouverte."))
    return redirect("mediation:situation_detail", pk=situation.pk)


@role_required(*BRIGADE)
def request_plan(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    saisine = access_request(_user(request), pk)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.plan_intervention(
                _user(request), saisine, when=form.cleaned_data["when"], http=request
            )
        except MediationError as error:
            form.add_error("when", error.message)
        else:
            messages.success(request, _("Intervention planifiée."))
            return redirect("mediation:request_detail", pk=pk)
    return request_detail(request, pk, plan_form=form)


# ---------------------------------------------------------------------------------------
# Situations


@role_required(*BRIGADE)
def situation_list(request: HttpRequest) -> HttpResponse:
    situations = visible_situations(_user(request)).select_related("college", "mediator")
    status = request.GET.get("etape", "")
    if status in Situation.Status.values:
        situations = situations.filter(status=status)
    return render(
        request,
        "mediation/situation_list.html",
        {
            "page": _page(request, situations),
            "statuses": Situation.Status.choices,
            "status": status,
            "query": urlencode({"etape": status}) if status else "",
        },
    )


@role_required(*BRIGADE)
def situation_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = SituationCreateForm(request.POST or None, colleges=brigade_colleges(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            situation = services.create_situation(
                user,
                college=data["college"],
                category=data["category"],
                severity=data["severity"],
                summary=data["summary"],
                http=request,
            )
        except MediationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Situation ouverte."))
            return redirect("mediation:situation_detail", pk=situation.pk)
    return render(request, "mediation/situation_new.html", {"form": form})


def _detail(
    request: HttpRequest,
    situation: Situation,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    services.log_read(user, situation, request)
    version = {"version": situation.version}
    context: dict[str, Any] = {
        "situation": situation,
        "is_lead": is_lead(user),
        "pupils": situation.pupils.all(),
        "follow_ups": situation.follow_ups.all(),
        "referrals": situation.referrals.all(),
        "today": timezone.localdate(),
        "intervention_form": InterventionForm(
            initial={**version, "on": timezone.localdate()}, auto_id="int_%s"
        ),
        "closure_form": ClosureForm(initial=version, auto_id="clo_%s"),
        "reason_form": ReasonForm(initial=version, auto_id="why_%s"),
        "pupil_form": PupilForm(auto_id="pup_%s"),
        "follow_up_form": FollowUpForm(auto_id="fol_%s"),
        "complete_form": CompleteFollowUpForm(
            initial={"done_on": timezone.localdate()}, auto_id="com_%s"
        ),
        "referral_form": ReferralForm(
            initial={"referred_on": timezone.localdate()}, auto_id="ref_%s"
        ),
        "referral_statuses": Referral.Status.choices,
        "reassign_form": ReassignForm(
            initial={**version, "mediator": situation.mediator_id},
            mediators=mediators(),
            auto_id="rea_%s",
        ),
    }
    context.update(forms or {})
    return render(request, "mediation/situation_detail.html", context, status=status)


@role_required(*BRIGADE)
def situation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_situation(_user(request), pk))


@role_required(*BRIGADE)
def situation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    situation = access_situation(user, pk)
    current: Situation | None = None
    if request.method == "POST":
        form = SituationEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_situation(
                    user,
                    situation,
                    version=data["version"],
                    category=data["category"],
                    severity=data["severity"],
                    summary=data["summary"],
                    assessment=data["assessment"],
                    http=request,
                )
            except services.ConflictError as error:
                # Keep what the writer typed, show what is stored now, and take the new
                # version so that saving again is a deliberate choice.
                form.add_error(None, error.message)
                situation.refresh_from_db()
                current = situation
                data = request.POST.copy()
                data["version"] = str(situation.version)
                form.data = data
            except MediationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Situation enregistrée."))
                return redirect("mediation:situation_detail", pk=pk)
    else:
        form = SituationEditForm(
            initial={
                "version": situation.version,
                "category": situation.category,
                "severity": situation.severity,
                "summary": situation.summary,
                "assessment": situation.assessment,
            }
        )
    services.log_read(user, situation, request)
    return render(
        request,
        "mediation/situation_edit.html",
        {"form": form, "situation": situation, "current": current},
    )


def _versioned_action(
    request: HttpRequest, situation: Situation, action: str
) -> tuple[bool, dict[str, Any]]:
    """Run one workflow step; return whether it worked and the forms to show again."""
    user = _user(request)
    post = request.POST
    try:
        if action == "evaluer":
            services.start_assessment(
                user, situation, version=int(post.get("version", 0)), http=request
            )
        elif action == "intervenir":
            form = InterventionForm(post, auto_id="int_%s")
            if not form.is_valid():
                return False, {"intervention_form": form}
            data = form.cleaned_data
            services.record_intervention(
                user,
                situation,
                version=data["version"],
                method=data["method"],
                on=data["on"],
                http=request,
            )
        elif action == "suivre":
            services.start_follow_up(
                user, situation, version=int(post.get("version", 0)), http=request
            )
        elif action == "cloturer":
            closure = ClosureForm(post, auto_id="clo_%s")
            if not closure.is_valid():
                return False, {"closure_form": closure}
            data = closure.cleaned_data
            services.request_closure(
                user,
                situation,
                version=data["version"],
                outcome=data["outcome"],
                note=data["note"],
                http=request,
            )
        elif action == "valider":
            services.validate_closure(
                user, situation, version=int(post.get("version", 0)), http=request
            )
        elif action in {"refuser", "rouvrir"}:
            reason = ReasonForm(post, auto_id="why_%s")
            if not reason.is_valid():
                return False, {"reason_form": reason}
            step = services.reject_closure if action == "refuser" else services.reopen
            step(
                user,
                situation,
                version=reason.cleaned_data["version"],
                reason=reason.cleaned_data["reason"],
                http=request,
            )
        elif action == "reaffecter":
            reassign = ReassignForm(post, mediators=mediators(), auto_id="rea_%s")
            if not reassign.is_valid():
                return False, {"reassign_form": reassign}
            services.reassign(
                user,
                situation,
                version=reassign.cleaned_data["version"],
                mediator=reassign.cleaned_data["mediator"],
                http=request,
            )
        else:
            raise Http404
    except (ValueError, MediationError) as error:
        message = error.message if isinstance(error, MediationError) else _("Requête invalide.")
        return False, {"action_error": message}
    return True, {}


@role_required(*BRIGADE)
def situation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    situation = access_situation(_user(request), pk)
    done, forms = _versioned_action(request, situation, action)
    if done:
        messages.success(request, _("Situation mise à jour : %s.") % situation.get_status_display())
        return redirect("mediation:situation_detail", pk=pk)
    situation.refresh_from_db()
    return _detail(request, situation, forms, status=400)


@role_required(*BRIGADE)
def pupil_add(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    situation = access_situation(_user(request), pk)
    form = PupilForm(request.POST, auto_id="pup_%s")
    if form.is_valid():
        try:
            services.add_pupil(_user(request), situation, http=request, **form.cleaned_data)
        except MediationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Élève ajouté."))
            return redirect("mediation:situation_detail", pk=pk)
    return _detail(request, situation, {"pupil_form": form}, status=400)


@role_required(*BRIGADE)
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    situation = access_situation(_user(request), pk)
    form = FollowUpForm(request.POST, auto_id="fol_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_follow_up(
                _user(request),
                situation,
                due_on=data["due_on"],
                done_on=data["done_on"],
                notes=data["notes"],
                http=request,
            )
        except MediationError as error:
            form.add_error("due_on", error.message)
        else:
            messages.success(request, _("Entretien de suivi enregistré."))
            return redirect("mediation:situation_detail", pk=pk)
    return _detail(request, situation, {"follow_up_form": form}, status=400)


@role_required(*BRIGADE)
def follow_up_complete(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = _user(request)
    follow_up = FollowUp.objects.filter(pk=pk, situation__in=visible_situations(user)).first()
    if follow_up is None:
        raise Http404
    form = CompleteFollowUpForm(request.POST, auto_id="com_%s")
    if form.is_valid():
        try:
            services.complete_follow_up(
                user,
                follow_up,
                done_on=form.cleaned_data["done_on"],
                notes=form.cleaned_data["notes"],
                http=request,
            )
        except MediationError as error:
            form.add_error("done_on", error.message)
        else:
            messages.success(request, _("Entretien saisi comme réalisé."))
            return redirect("mediation:situation_detail", pk=follow_up.situation_id)
    return _detail(
        request, follow_up.situation, {"complete_form": form, "complete_for": follow_up.pk}, 400
    )


@role_required(*BRIGADE)
def referral_add(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    situation = access_situation(_user(request), pk)
    form = ReferralForm(request.POST, auto_id="ref_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_referral(
                _user(request),
                situation,
                partner=data["partner"],
                referred_on=data["referred_on"],
                reason=data["reason"],
                ground=data["ground"],
                http=request,
            )
        except MediationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Orientation enregistrée."))
            return redirect("mediation:situation_detail", pk=pk)
    return _detail(request, situation, {"referral_form": form}, status=400)


@role_required(*BRIGADE)
def referral_status(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = _user(request)
    referral = Referral.objects.filter(pk=pk, situation__in=visible_situations(user)).first()
    if referral is None:
        raise Http404
    form = ReferralStatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_referral_status(
                user, referral, status=form.cleaned_data["status"], http=request
            )
        except MediationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("État de l'orientation mis à jour."))
    else:
        messages.error(request, _("État d'orientation inconnu."))
    return redirect("mediation:situation_detail", pk=referral.situation_id)


# ---------------------------------------------------------------------------------------
# Prevention, presence, planning, workload


@role_required(*BRIGADE)
def prevention_list(request: HttpRequest) -> HttpResponse:
    actions = (
        PreventionAction.objects.filter(college__in=brigade_colleges(_user(request)))
        .select_related("college")
        .prefetch_related("mediators")
    )
    return render(
        request, "mediation/prevention_list.html", {"page": _page(request, actions), "query": ""}
    )


@role_required(*BRIGADE)
def prevention_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PreventionForm(
        request.POST or None,
        colleges=brigade_colleges(user),
        mediators=mediators(),
        initial={"date": timezone.localdate(), "mediators": [user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_prevention(
                user,
                college=data["college"],
                date=data["date"],
                kind=data["kind"],
                theme=data["theme"],
                classes=data["classes"],
                levels=data["levels"],
                pupils_reached=data["pupils_reached"],
                duration_minutes=data["duration_minutes"],
                mediators=list(data["mediators"]),
                http=request,
            )
        except MediationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Action de prévention enregistrée."))
            return redirect("mediation:prevention")
    return render(request, "mediation/prevention_form.html", {"form": form})


@role_required(*BRIGADE)
def presence_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    choices = mediators() if is_lead(user) else User.objects.filter(pk=user.pk)
    form = PresenceForm(
        request.POST or None,
        colleges=brigade_colleges(user),
        mediators=choices,
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_presence(user, http=request, **data)
        except MediationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Temps de présence enregistré."))
            return redirect("mediation:planning")
    return render(request, "mediation/presence_form.html", {"form": form})


def _week_start(raw: str | None) -> datetime.date:
    try:
        day = datetime.date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


@role_required(*BRIGADE)
def planning(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    start = _week_start(request.GET.get("semaine"))
    end = start + datetime.timedelta(days=6)
    people = mediators() if is_lead(user) else User.objects.filter(pk=user.pk)
    chosen = people.filter(pk=request.GET.get("mediateur") or user.pk).first() or people.first()
    days: list[dict[str, Any]] = []
    if chosen is not None:
        presences = Presence.objects.filter(
            mediator=chosen, date__range=(start, end)
        ).select_related("college")
        actions = PreventionAction.objects.filter(
            mediators=chosen, date__range=(start, end)
        ).select_related("college")
        planned = Request.objects.filter(
            situation__mediator=chosen, planned_for__date__range=(start, end)
        ).select_related("college")
        due = FollowUp.objects.filter(
            situation__mediator=chosen, due_on__range=(start, end), done_on__isnull=True
        ).select_related("situation__college")
        for offset in range(7):
            day = start + datetime.timedelta(days=offset)
            items: list[tuple[str, str, str]] = []
            items += [
                (f"{p.start:%H:%M}–{p.end:%H:%M}", str(p.get_kind_display()), p.college.name)
                for p in presences
                if p.date == day
            ]
            items += [
                ("", _("Prévention : %s") % a.get_theme_display(), a.college.name)
                for a in actions
                if a.date == day
            ]
            items += [
                (
                    f"{timezone.localtime(r.planned_for):%H:%M}" if r.planned_for else "",
                    _("Intervention (saisine n° %s)") % r.pk,
                    r.college.name,
                )
                for r in planned
                if r.planned_for and timezone.localdate(r.planned_for) == day
            ]
            items += [
                (
                    "",
                    _("Entretien de suivi (situation n° %s)") % f.situation_id,
                    f.situation.college.name,
                )
                for f in due
                if f.due_on == day
            ]
            days.append({"day": day, "items": sorted(items)})
    return render(
        request,
        "mediation/planning.html",
        {
            "start": start,
            "end": end,
            "previous": start - datetime.timedelta(days=7),
            "next": start + datetime.timedelta(days=7),
            "people": people,
            "chosen": chosen,
            "days": days,
            "is_lead": is_lead(user),
        },
    )


@role_required(Role.MEDIATION_LEAD)
def workload(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for person in mediators():
        situations = Situation.objects.filter(mediator=person).exclude(
            status=Situation.Status.CLOSED
        )
        rows.append(
            {
                "mediator": person,
                "open": situations.count(),
                "overdue": FollowUp.objects.filter(
                    situation__in=situations, done_on__isnull=True, due_on__lt=today
                ).count(),
                "colleges": ", ".join(
                    sorted(
                        {
                            str(a.college.name if a.college else a.district.name)
                            for a in Assignment.objects.filter(mediator=person).select_related(
                                "college", "district"
                            )
                        }
                    )
                ),
            }
        )
    unassigned = Situation.objects.filter(mediator__isnull=True).exclude(
        status=Situation.Status.CLOSED
    )
    overdue = (
        FollowUp.objects.filter(done_on__isnull=True, due_on__lt=today)
        .exclude(situation__status=Situation.Status.CLOSED)
        .select_related("situation__college", "situation__mediator")
        .order_by("due_on")
    )
    return render(
        request,
        "mediation/workload.html",
        {
            "rows": rows,
            "unassigned": unassigned.select_related("college"),
            "overdue": overdue[:50],
        },
    )


# ---------------------------------------------------------------------------------------
# Organisation, indicators, data protection


@role_required(*BRIGADE)
def organisation(request: HttpRequest) -> HttpResponse:
    year = stats.current_school_year()
    return render(
        request,
        "mediation/organisation.html",
        {
            "districts": District.objects.prefetch_related("colleges").order_by("name"),
            "assignments": Assignment.objects.select_related("mediator", "district", "college"),
            "protocols": Protocol.objects.select_related("college"),
            "programme": Programme.objects.filter(year=year).prefetch_related("objectives").first(),
            "is_lead": is_lead(_user(request)),
        },
    )


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("annee", ""))
    except ValueError:
        return stats.current_school_year()
    return year if 2020 <= year <= 2100 else stats.current_school_year()


@role_required(*INDICATOR_READERS)
def indicators(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    return render(
        request,
        "mediation/indicators.html",
        {
            "ind": stats.compute(year),
            "years": range(stats.current_school_year(), 2021, -1),
        },
    )


@role_required(*INDICATOR_READERS)
def report_pdf(request: HttpRequest) -> HttpResponse:
    from bouclier.mediation.reports import yearly_report_pdf

    year = _year(request)
    pdf = yearly_report_pdf(year)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="brigade-rapport-{year}-{year + 1}.pdf"'
    )
    return response


@role_required(Role.MEDIATION_LEAD, Role.DPO)
def pupil_export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.GET or None)
    export: dict[str, Any] | None = None
    if form.is_valid():
        export = services.pupil_export(_user(request), form.cleaned_data["code"], http=request)
        if request.GET.get("format") == "json":
            response = HttpResponse(
                json.dumps(export, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="export-{export["code"]}.json"'
            return response
    return render(
        request,
        "mediation/pupil_export.html",
        {
            "form": form,
            "export": export,
            "query": urlencode({"code": export["code"]}) if export else "",
        },
    )
