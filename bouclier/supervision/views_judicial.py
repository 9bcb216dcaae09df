"""Pages of judicial requisitions: thin views over ``services_judicial``.

Officers see the requisitions they filed, the centre's staff all of them (404 otherwise);
supervisors validate, extract, hand over and release holds. The verification page checks a
package, or a manifest with its signature and files, against the platform's key.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bouclier.accounts.access import has_role, role_required
from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.audit.services import record
from bouclier.supervision import services_judicial as services
from bouclier.supervision import signing
from bouclier.supervision.access import CENTRE, is_centre, valid_approval, visible_cameras
from bouclier.supervision.forms_judicial import (
    HandOverForm,
    ReasonForm,
    RequisitionForm,
    ValidateForm,
    VerifyForm,
)
from bouclier.supervision.models import Requisition

READERS = (*CENTRE, Role.REQUISITIONING_OFFICER)
AUTHORS = (Role.CSD_SUPERVISOR, Role.REQUISITIONING_OFFICER)
VERIFIERS = (*CENTRE, Role.REQUISITIONING_OFFICER, Role.DPO)
PAGE_SIZE = 30


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def visible_requisitions(user: User) -> QuerySet[Requisition]:
    """The centre's staff see every requisition; an officer, those they filed."""
    if is_centre(user):
        return Requisition.objects.all()
    if has_role(user, Role.REQUISITIONING_OFFICER):
        return Requisition.objects.filter(submitted_by=user)
    return Requisition.objects.none()


def access_requisition(user: User, pk: int) -> Requisition:
    found = visible_requisitions(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@role_required(*READERS)
def requisition_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    requisitions = visible_requisitions(user).select_related("submitted_by")
    page = Paginator(requisitions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/judicial/list.html",
        {
            "page": page,
            "query": "",
            "can_create": has_role(user, *AUTHORS),
            "supervisor": has_role(user, Role.CSD_SUPERVISOR),
        },
    )


@role_required(*AUTHORS)
def requisition_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    supervisor = has_role(user, Role.CSD_SUPERVISOR)
    cameras = visible_cameras(user) if supervisor else None
    form = RequisitionForm(request.POST or None, cameras=cameras)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "cameras"}
        try:
            if supervisor:
                requisition = services.register(
                    user, form.cleaned_data["cameras"], request=request, **fields
                )
                messages.success(
                    request, _("Réquisition enregistrée ; les images sont sous scellé.")
                )
            else:
                requisition = services.submit(user, request=request, **fields)
                messages.success(request, _("Réquisition déposée ; le centre va la valider."))
        except services.JudicialError as error:
            form.add_error(None, str(error))
        else:
            return redirect("supervision:requisition", pk=requisition.pk)
    return render(
        request, "supervision/judicial/form.html", {"form": form, "supervisor": supervisor}
    )


@role_required(*READERS)
def requisition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    requisition = access_requisition(user, pk)
    supervisor = has_role(user, Role.CSD_SUPERVISOR)
    context = {
        "requisition": requisition,
        "cameras": requisition.cameras.select_related("site"),
        "supervisor": supervisor,
        "segments": services.held_segments(requisition).select_related("camera")
        if is_centre(user)
        else None,
        "approval": valid_approval(user) is not None,
    }
    if supervisor:
        context["validate_form"] = ValidateForm(cameras=visible_cameras(user))
        context["reason_form"] = ReasonForm()
        context["handover_form"] = HandOverForm(initial={"handed_to": requisition.recipient})
    return render(request, "supervision/judicial/detail.html", context)


def _step(request: HttpRequest, pk: int, run: object) -> HttpResponse:
    requisition = access_requisition(_user(request), pk)
    try:
        run(requisition)  # type: ignore[operator]
    except services.JudicialError as error:
        messages.error(request, str(error))
    return redirect("supervision:requisition", pk=requisition.pk)


def _errors(form: ReasonForm | ValidateForm | HandOverForm) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label} : {' '.join(str(error) for error in errors)}")
    return " ".join(parts)


@role_required(Role.CSD_SUPERVISOR)
@require_POST
def validate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    form = ValidateForm(request.POST, cameras=visible_cameras(user))

    def run(requisition: Requisition) -> None:
        if not form.is_valid():
            raise services.JudicialError(_errors(form))
        services.validate(user, requisition, form.cleaned_data["cameras"], request)
        messages.success(request, _("Réquisition validée ; les images sont sous scellé."))

    return _step(request, pk, run)


@role_required(Role.CSD_SUPERVISOR)
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)

    def run(requisition: Requisition) -> None:
        if not form.is_valid():
            raise services.JudicialError(_errors(form))
        services.refuse(_user(request), requisition, form.cleaned_data["reason"], request)
        messages.success(request, _("Réquisition refusée."))

    return _step(request, pk, run)


@role_required(Role.CSD_SUPERVISOR)
@require_POST
def extract(request: HttpRequest, pk: int) -> HttpResponse:
    def run(requisition: Requisition) -> None:
        services.extract(_user(request), requisition, request)
        messages.success(request, _("Images extraites, manifeste signé."))

    return _step(request, pk, run)


@role_required(Role.CSD_SUPERVISOR)
@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    form = HandOverForm(request.POST)

    def run(requisition: Requisition) -> None:
        if not form.is_valid():
            raise services.JudicialError(_errors(form))
        data = form.cleaned_data
        services.hand_over(
            _user(request), requisition, data["handed_to"], data["medium"], data["note"], request
        )
        messages.success(request, _("Remise enregistrée."))

    return _step(request, pk, run)


@role_required(Role.CSD_SUPERVISOR)
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)

    def run(requisition: Requisition) -> None:
        if not form.is_valid():
            raise services.JudicialError(_errors(form))
        services.release_hold(_user(request), requisition, form.cleaned_data["reason"], request)
        messages.success(
            request, _("Scellé levé : les images suivent de nouveau leur durée de conservation.")
        )

    return _step(request, pk, run)


@role_required(Role.CSD_SUPERVISOR)
def package(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    requisition = access_requisition(user, pk)
    try:
        data = services.package(requisition, user, request)
    except services.JudicialError as error:
        messages.error(request, str(error))
        return redirect("supervision:requisition", pk=requisition.pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="extraction-{requisition.pk}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.CSD_SUPERVISOR)
def proces_verbal(request: HttpRequest, pk: int) -> HttpResponse:
    requisition = access_requisition(_user(request), pk)
    if requisition.status not in (Requisition.Status.EXTRACTED, Requisition.Status.HANDED_OVER):
        messages.error(request, _("Cette réquisition n'a pas encore été extraite."))
        return redirect("supervision:requisition", pk=requisition.pk)
    record("supervision.requisition.report_printed", request=request, target=requisition)
    response = HttpResponse(services.proces_verbal_pdf(requisition), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="proces-verbal-extraction-{requisition.pk}.pdf"'
    )
    return response


@role_required(*VERIFIERS)
def verify(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = VerifyForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["package"]:
            result = services.read_package(data["package"].read())
        else:
            files: dict[str, bytes | Path] = {
                Path(upload.name).name: upload.read() for upload in data["videos"]
            }
            result = signing.verify(data["manifest"].read(), data["signature"].read(), files)
        record(
            "supervision.requisition.package_verified",
            request=request,
            data={
                "ok": result.ok,
                "reference": (result.manifest.get("requisition") or {}).get("reference"),
            },
        )
    return render(request, "supervision/judicial/verify.html", {"form": form, "result": result})
