"""Pages of the operator console: thin views over ``services_console`` and ``access``.

Every object is fetched through the access helpers (404 out of scope); images need a valid
prefectoral approval and are written to the access register; live view and recordings also
need a reason, declared once per incident and kept in the session for a short while.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bouclier.accounts.access import role_required
from bouclier.accounts.models import User
from bouclier.audit.services import record
from bouclier.supervision import services_console as services
from bouclier.supervision.access import (
    CENTRE,
    INCIDENT_READERS,
    REGISTER_READERS,
    ApprovalRequired,
    access_alarm,
    access_camera,
    access_incident,
    is_centre,
    require_image_access,
    valid_approval,
    visible_cameras,
    visible_incidents,
)
from bouclier.supervision.forms_console import (
    ActionForm,
    CloseForm,
    HoldForm,
    LogbookForm,
    QualifyForm,
    ReasonForm,
    RegisterFilterForm,
)
from bouclier.supervision.models import (
    AccessRecord,
    Alarm,
    Incident,
    LiveImage,
    LogbookEntry,
    Segment,
)
from bouclier.supervision.reports_console import incident_report_pdf

GRANTS_KEY = "supervision_view_grants"
GRANT_MINUTES = 15
PAGE_SIZE = 30


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _approval_refused(request: HttpRequest, error: ApprovalRequired) -> HttpResponse:
    return render(
        request, "supervision/console/approval_required.html", {"message": error}, status=403
    )


# -- the queue ------------------------------------------------------------------------------


def open_incidents(user: User) -> QuerySet[Incident]:
    """The queue: open incidents the user may see, by priority then age (oldest first)."""
    return (
        visible_incidents(user)
        .exclude(status=Incident.Status.CLOSED)
        .select_related("site", "owner")
        .annotate(alarm_count=Count("alarms"), last_alarm_id=Max("alarms__pk"))
        .order_by("priority", "opened_at")
    )


def _queue_rows(user: User) -> list[dict[str, Any]]:
    rows = []
    for incident in open_incidents(user)[:100]:
        latest = (
            Alarm.objects.filter(incident=incident)
            .select_related("camera")
            .order_by("-raised_at")
            .first()
        )
        instruction = (
            services.instruction_for(incident.site, latest.rule) if latest is not None else None
        )
        rows.append({"incident": incident, "latest": latest, "instruction": instruction})
    return rows


def _queue_context(user: User) -> dict[str, Any]:
    rows = _queue_rows(user)
    last = max((row["incident"].last_alarm_id or 0 for row in rows), default=0)
    return {
        "rows": rows,
        "last_alarm": last,
        "images": valid_approval(user) is not None,
        "now": timezone.now(),
    }


@role_required(*CENTRE)
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = _queue_context(user)
    context["approval"] = valid_approval(user)
    return render(request, "supervision/console/queue.html", context)


def _stream(user: User) -> Iterator[str]:
    """Send the queue whenever it changes; end after a while (the browser reconnects)."""
    seconds = float(getattr(settings, "SUPERVISION_STREAM_SECONDS", 25))
    # A quarter of a second between looks: one cheap aggregate per console, and an alarm
    # reaches the operators well within a second (bench/alarm_fanout.py).
    poll = float(getattr(settings, "SUPERVISION_STREAM_POLL", 0.25))
    deadline = time.monotonic() + seconds
    signature: object = None
    yield "retry: 1000\n\n"
    while True:
        incidents = visible_incidents(user).exclude(status=Incident.Status.CLOSED)
        # One query tells whether anything changed: open incidents, their last change and
        # their last alarm.
        current = incidents.aggregate(
            count=Count("pk", distinct=True), changed=Max("updated_at"), alarm=Max("alarms__pk")
        )
        if current != signature:
            signature = current
            context = _queue_context(user)
            html = render_to_string("supervision/console/_queue.html", context)
            payload = json.dumps({"html": html, "last_alarm": context["last_alarm"]})
            yield f"event: queue\ndata: {payload}\n\n"
        else:
            yield ": ping\n\n"  # keeps proxies from closing an idle connection
        if time.monotonic() >= deadline:
            return
        time.sleep(poll)


@role_required(*CENTRE)
def stream(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_stream(_user(request)), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


# -- incidents ------------------------------------------------------------------------------


@role_required(*INCIDENT_READERS)
def incident_list(request: HttpRequest) -> HttpResponse:
    """History of the incidents the user may see, with a few figures (mayors' view too)."""
    user = _user(request)
    incidents = visible_incidents(user).select_related("site__commune", "owner")
    status = request.GET.get("etat", "")
    if status in Incident.Status.values:
        incidents = incidents.filter(status=status)
    total = incidents.count()
    qualified = incidents.exclude(qualification="")
    false_alarms = qualified.filter(qualification=Incident.Qualification.FALSE_ALARM).count()
    by_cause = (
        qualified.values("qualification", "cause").annotate(n=Count("pk")).order_by("-n", "cause")
    )
    causes = dict(Incident.Cause.choices)
    page = Paginator(incidents.order_by("-opened_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/console/incident_list.html",
        {
            "page": page,
            "query": urlencode({"etat": status}),
            "status": status,
            "statuses": Incident.Status.choices,
            "total": total,
            "alarms": Alarm.objects.filter(incident__in=incidents).count(),
            "false_share": round(100 * false_alarms / qualified.count())
            if qualified.count()
            else None,
            "by_cause": [
                {"label": causes.get(row["cause"], row["cause"]), "n": row["n"]} for row in by_cause
            ],
            "is_centre": is_centre(user),
        },
    )


def _grants(request: HttpRequest) -> dict[str, dict[str, str]]:
    grants = request.session.get(GRANTS_KEY, {})
    now = timezone.now().isoformat()
    return {key: value for key, value in grants.items() if value.get("until", "") > now}


def _granted(request: HttpRequest, camera_id: int) -> bool:
    return str(camera_id) in _grants(request)


@role_required(*INCIDENT_READERS)
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    incident = access_incident(user, pk)
    alarms = list(incident.alarms.select_related("camera").order_by("raised_at"))
    cameras = {alarm.camera_id: alarm.camera for alarm in alarms}
    latest = alarms[-1] if alarms else None
    context: dict[str, Any] = {
        "incident": incident,
        "alarms": alarms,
        "actions": incident.actions.select_related("by"),
        "logbook": incident.logbook.select_related("author"),
        "instruction": services.instruction_for(incident.site, latest.rule) if latest else None,
        "is_centre": is_centre(user),
        "mine": incident.owner_id == user.pk and incident.status == Incident.Status.IN_PROGRESS,
    }
    if context["is_centre"]:
        context["images"] = valid_approval(user) is not None
        grants = _grants(request)
        granted = [camera for camera in cameras.values() if str(camera.pk) in grants]
        context["granted_cameras"] = [
            {
                "camera": camera,
                "segments": _clip_segments(camera.pk, alarms),
            }
            for camera in granted
        ]
        context["reason_form"] = ReasonForm(
            initial={"reason": _("Levée de doute – incident n° %(pk)s") % {"pk": incident.pk}}
        )
        context["action_form"] = ActionForm()
        context["qualify_form"] = QualifyForm()
        context["hold_form"] = HoldForm()
        context["close_form"] = CloseForm()
        context["college_heads"] = services.college_heads(incident.site)
    return render(request, "supervision/console/incident_detail.html", context)


def _clip_segments(camera_id: int, alarms: list[Alarm]) -> list[Segment]:
    """Recorded segments around the incident's alarms on this camera."""
    starts = [a.clip_start or a.raised_at for a in alarms if a.camera_id == camera_id]
    ends = [a.clip_end or a.raised_at for a in alarms if a.camera_id == camera_id]
    if not starts:
        return []
    margin = dt.timedelta(seconds=30)
    return list(
        Segment.objects.filter(
            camera_id=camera_id,
            deleted_at__isnull=True,
            start__lt=max(ends) + margin,
            end__gt=min(starts) - margin,
        ).order_by("start")
    )


def _step(request: HttpRequest, pk: int, run: Any) -> HttpResponse:
    """Run a console step, show its refusal as a message, go back to the incident."""
    incident = access_incident(_user(request), pk)
    try:
        run(incident)
    except services.ConsoleError as error:
        messages.error(request, str(error))
    return redirect("supervision:incident", pk=incident.pk)


def _form_errors(form: Any) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''} : {' '.join(errors)}"
        for name, errors in form.errors.items()
    )


@role_required(*CENTRE)
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    def run(incident: Incident) -> None:
        services.take(_user(request), incident, request)
        messages.success(request, _("Incident pris en charge."))

    return _step(request, pk, run)


@role_required(*CENTRE)
@require_POST
def qualify(request: HttpRequest, pk: int) -> HttpResponse:
    form = QualifyForm(request.POST)

    def run(incident: Incident) -> None:
        if not form.is_valid():
            raise services.ConsoleError(_form_errors(form))
        services.qualify(
            _user(request),
            incident,
            form.cleaned_data["qualification"],
            form.cleaned_data["cause"],
            form.cleaned_data["note"],
            request,
        )
        messages.success(request, _("Incident qualifié."))

    return _step(request, pk, run)


@role_required(*CENTRE)
@require_POST
def action(request: HttpRequest, pk: int) -> HttpResponse:
    form = ActionForm(request.POST)

    def run(incident: Incident) -> None:
        if not form.is_valid():
            raise services.ConsoleError(_form_errors(form))
        data = form.cleaned_data
        services.add_action(
            _user(request),
            incident,
            data["kind"],
            at=data["at"],
            service=data["service"],
            reference=data["reference"],
            recipient=data["recipient"] or "",
            note=data["note"],
            request=request,
        )
        messages.success(request, _("Action enregistrée."))

    return _step(request, pk, run)


@role_required(*CENTRE)
@require_POST
def hold(request: HttpRequest, pk: int) -> HttpResponse:
    form = HoldForm(request.POST)

    def run(incident: Incident) -> None:
        if not form.is_valid():
            raise services.ConsoleError(_form_errors(form))
        services.hold(_user(request), incident, form.cleaned_data["reason"], request)
        messages.success(request, _("Incident mis en attente."))

    return _step(request, pk, run)


@role_required(*CENTRE)
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    form = CloseForm(request.POST)

    def run(incident: Incident) -> None:
        form.is_valid()
        services.close(_user(request), incident, form.cleaned_data.get("note", ""), request)
        messages.success(request, _("Incident clos."))

    return _step(request, pk, run)


@role_required(*CENTRE)
@require_POST
def declare_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the reason once: live view and recordings of the incident's cameras, registered."""
    user = _user(request)
    incident = access_incident(user, pk)
    try:
        require_image_access(user)
    except ApprovalRequired as error:
        return _approval_refused(request, error)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("supervision:incident", pk=incident.pk)
    reason = form.cleaned_data["reason"]
    alarms = list(incident.alarms.select_related("camera"))
    grants = _grants(request)
    until = (timezone.now() + dt.timedelta(minutes=GRANT_MINUTES)).isoformat()
    for camera in {alarm.camera for alarm in alarms}:
        segments = _clip_segments(camera.pk, alarms)
        services.register_access(
            user,
            AccessRecord.Action.LIVE_VIEW,
            reason,
            camera=camera,
            range_start=timezone.now(),
            details={"incident": incident.pk},
        )
        services.register_access(
            user,
            AccessRecord.Action.PLAYBACK,
            reason,
            camera=camera,
            range_start=segments[0].start if segments else None,
            range_end=segments[-1].end if segments else None,
            details={"incident": incident.pk, "segments": [s.pk for s in segments]},
        )
        grants[str(camera.pk)] = {"reason": reason, "until": until}
    request.session[GRANTS_KEY] = grants
    return redirect("supervision:incident", pk=incident.pk)


@role_required(*CENTRE)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        require_image_access(user)
    except ApprovalRequired as error:
        return _approval_refused(request, error)
    incident = access_incident(user, pk)
    for alarm in incident.alarms.select_related("camera"):
        if alarm.snapshot:
            services.register_access(
                user,
                AccessRecord.Action.SNAPSHOT_VIEW,
                _("Rapport d'information – incident n° %(pk)s") % {"pk": incident.pk},
                camera=alarm.camera,
                range_start=alarm.raised_at,
                range_end=alarm.raised_at,
                details={"incident": incident.pk, "alarm": alarm.pk},
            )
    record("supervision.incident.report_printed", request=request, target=incident)
    response = HttpResponse(incident_report_pdf(incident), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-incident-{incident.pk}.pdf"'
    return response


# -- images ---------------------------------------------------------------------------------


@role_required(*CENTRE)
def snapshot(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An alarm's snapshot: the alarm itself is the reason, each view is registered."""
    user = _user(request)
    try:
        require_image_access(user)
    except ApprovalRequired as error:
        return _approval_refused(request, error)
    alarm = access_alarm(user, pk)
    if not alarm.snapshot:
        raise Http404
    services.register_access(
        user,
        AccessRecord.Action.SNAPSHOT_VIEW,
        _("Levée de doute – alarme n° %(pk)s") % {"pk": alarm.pk},
        camera=alarm.camera,
        range_start=alarm.raised_at,
        range_end=alarm.raised_at,
        details={"alarm": alarm.pk, "incident": alarm.incident_id},
    )
    response = FileResponse(alarm.snapshot.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*CENTRE)
def live(request: HttpRequest, pk: int) -> HttpResponse:
    """The camera's latest image (masks already applied), under a declared reason."""
    user = _user(request)
    try:
        require_image_access(user)
    except ApprovalRequired as error:
        return _approval_refused(request, error)
    camera = access_camera(user, pk)
    if not _granted(request, camera.pk):
        raise PermissionDenied
    image = LiveImage.objects.filter(camera=camera).first()
    if image is None:
        raise Http404
    response = HttpResponse(bytes(image.image), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*CENTRE)
def segment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A recorded segment, served only under a declared reason for its camera."""
    user = _user(request)
    try:
        require_image_access(user)
    except ApprovalRequired as error:
        return _approval_refused(request, error)
    found = (
        Segment.objects.filter(camera__in=visible_cameras(user), deleted_at__isnull=True)
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    if not _granted(request, found.camera_id):
        raise PermissionDenied
    path = Path(found.path)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type="video/mp4")
    response["Cache-Control"] = "private, no-store"
    return response


# -- the logbook ----------------------------------------------------------------------------


@role_required(*CENTRE)
def logbook(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = LogbookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = None
        if form.cleaned_data["incident"]:
            incident = visible_incidents(user).filter(pk=form.cleaned_data["incident"]).first()
            if incident is None:
                form.add_error("incident", _("Aucun incident visible ne porte ce numéro."))
        if not form.errors:
            try:
                services.write_logbook(
                    user, form.cleaned_data["text"], incident=incident, request=request
                )
            except services.ConsoleError as error:
                form.add_error("text", str(error))
            else:
                messages.success(request, _("Entrée ajoutée à la main courante."))
                return redirect("supervision:logbook")
    entries = LogbookEntry.objects.filter(
        Q(incident__isnull=True) | Q(incident__in=visible_incidents(user))
    ).select_related("author", "incident", "camera", "corrects")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "supervision/console/logbook.html", {"form": form, "page": page, "query": ""}
    )


@role_required(*CENTRE)
def logbook_correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    original = (
        LogbookEntry.objects.filter(
            Q(incident__isnull=True) | Q(incident__in=visible_incidents(user))
        )
        .filter(pk=pk)
        .first()
    )
    if original is None:
        raise Http404
    form = LogbookForm(request.POST or None, initial={"text": original.text})
    form.fields.pop("incident")
    if request.method == "POST" and form.is_valid():
        try:
            services.write_logbook(
                user, form.cleaned_data["text"], corrects=original, request=request
            )
        except services.ConsoleError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("Correction ajoutée ; l'entrée d'origine est conservée."))
            return redirect("supervision:logbook")
    return render(
        request, "supervision/console/logbook_correct.html", {"form": form, "original": original}
    )


# -- the access register --------------------------------------------------------------------


@role_required(*REGISTER_READERS)
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None)
    records = AccessRecord.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            records = records.filter(
                Q(who__icontains=data["q"])
                | Q(camera_name__icontains=data["q"])
                | Q(reason__icontains=data["q"])
            )
        if data["action"]:
            records = records.filter(action=data["action"])
        if data["start"]:
            records = records.filter(at__date__gte=data["start"])
        if data["end"]:
            records = records.filter(at__date__lte=data["end"])
    elif form.is_bound:
        records = records.none()
    if request.GET.get("format") == "csv":
        record(
            "supervision.access_register.exported",
            request=request,
            data={"filters": {k: v for k, v in request.GET.items() if k != "format"}},
        )
        return _register_csv(records)
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/console/register.html",
        {"form": form, "page": page, "query": query},
    )


def _register_csv(records: QuerySet[AccessRecord]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registre-des-acces.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with its byte-order mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["date", "qui", "rôle", "action", "motif", "caméra", "début", "fin", "détails"])
    for entry in records.iterator():
        writer.writerow(
            [
                timezone.localtime(entry.at).isoformat(),
                entry.who,
                entry.role,
                entry.get_action_display(),
                entry.reason,
                entry.camera_name,
                timezone.localtime(entry.range_start).isoformat() if entry.range_start else "",
                timezone.localtime(entry.range_end).isoformat() if entry.range_end else "",
                json.dumps(entry.details, ensure_ascii=False),
            ]
        )
    return response
