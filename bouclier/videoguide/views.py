"""Pages of the guide: public, no account needed; a study is reached by its token only.

Thin views: they read the study (404 when the token is unknown or the study expired), bind a
form, call a service and render. The token in the address is the only key to an anonymous
study, as with a shared document link; the applicant's list of saved studies is scoped to the
applicant's own account.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bouclier.accounts.access import communes_for, has_role, role_required
from bouclier.accounts.roles import Role
from bouclier.territory.models import Commune
from bouclier.videoguide.forms import CameraForm, FundingForm, StudyForm, TechnicalForm
from bouclier.videoguide.models import Camera, Study
from bouclier.videoguide.services import drafts, studies
from bouclier.videoguide.services.pdf import render_study_pdf

STEPS = [
    ("videoguide:project", _("1. Projet")),
    ("videoguide:cameras", _("2. Caméras")),
    ("videoguide:check", _("3. Vérification technique")),
    ("videoguide:checklist", _("4. Conformité")),
    ("videoguide:budget", _("5. Budget et financement")),
]


def _study(token: str) -> Study:
    return get_object_or_404(Study.objects.active().select_related("commune"), token=token)


def _render(
    request: HttpRequest, template: str, study: Study, current: str, **context: Any
) -> HttpResponse:
    steps = [
        {"url": reverse(name, args=[study.token]), "label": label, "current": name == current}
        for name, label in STEPS
    ]
    may_save = (
        request.user.is_authenticated
        and has_role(request.user, Role.APPLICANT)
        and study.owner_id != request.user.pk
        and communes_for(request.user, Role.APPLICANT).filter(pk=study.commune_id).exists()
    )
    may_apply = request.user.is_authenticated and (
        drafts.applicant_organisation_for(study, request.user) is not None
    )
    context.update(
        {
            "may_apply": may_apply,
            "study": study,
            "steps": steps,
            "study_url": study_link(study),
            "may_save": may_save,
        }
    )
    return render(request, template, context)


def study_link(study: Study) -> str:
    """The address to come back to, on the platform's public address (not the Host header)."""
    return f"{settings.BASE_URL}{reverse('videoguide:study', args=[study.token])}"


def _communes() -> list[Commune]:
    return list(Commune.objects.only("name", "postal_codes").order_by("name"))


def start(request: HttpRequest) -> HttpResponse:
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        study = studies.create_study(request, **form.cleaned_data)
        messages.success(
            request,
            _("Étude créée. Gardez l'adresse de cette page pour y revenir : elle en est la clé."),
        )
        return redirect("videoguide:cameras", token=study.token)
    return render(request, "videoguide/start.html", {"form": form, "communes": _communes()})


@never_cache
def study(request: HttpRequest, token: str) -> HttpResponse:
    item = _study(token)
    cameras = studies.cameras_of(item)
    return _render(
        request,
        "videoguide/study.html",
        item,
        "",
        cameras=cameras,
        check=studies.plan_check(item, cameras),
        funding=studies.funding(item, cameras),
    )


@never_cache
def project(request: HttpRequest, token: str) -> HttpResponse:
    item = _study(token)
    form = StudyForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        studies.update_study(item, form.cleaned_data)
        messages.success(request, _("Projet enregistré."))
        return redirect("videoguide:cameras", token=item.token)
    return _render(
        request,
        "videoguide/project.html",
        item,
        "videoguide:project",
        form=form,
        communes=_communes(),
    )


@never_cache
def cameras(request: HttpRequest, token: str) -> HttpResponse:
    item = _study(token)
    form = CameraForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            studies.add_camera(item, form.save(commit=False))
        except studies.StudyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Caméra ajoutée."))
            return redirect("videoguide:cameras", token=item.token)
    return _render(
        request,
        "videoguide/cameras.html",
        item,
        "videoguide:cameras",
        form=form,
        cameras=studies.cameras_of(item),
    )


@never_cache
def camera(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    item = _study(token)
    instance = get_object_or_404(Camera, study=item, pk=pk)
    form = CameraForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        studies.update_camera(form.save(commit=False))
        messages.success(request, _("Caméra modifiée."))
        return redirect("videoguide:cameras", token=item.token)
    return _render(
        request, "videoguide/camera.html", item, "videoguide:cameras", form=form, camera=instance
    )


@never_cache
@require_POST
def delete_camera(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    item = _study(token)
    try:
        studies.remove_camera(item, pk)
    except studies.StudyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Caméra retirée."))
    return redirect("videoguide:cameras", token=item.token)


@never_cache
def check(request: HttpRequest, token: str) -> HttpResponse:
    item = _study(token)
    form = TechnicalForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        studies.update_study(item, form.cleaned_data)
        messages.success(request, _("Choix techniques enregistrés."))
        return redirect("videoguide:check", token=item.token)
    # A refused form leaves the study as it was: the check shows the saved values.
    saved = Study.objects.get(pk=item.pk) if form.is_bound else item
    return _render(
        request,
        "videoguide/check.html",
        item,
        "videoguide:check",
        form=form,
        check=studies.plan_check(saved),
    )


@never_cache
def checklist(request: HttpRequest, token: str) -> HttpResponse:
    item = _study(token)
    return _render(
        request,
        "videoguide/checklist.html",
        item,
        "videoguide:checklist",
        items=studies.checklist(item),
    )


@never_cache
def budget(request: HttpRequest, token: str) -> HttpResponse:
    item = _study(token)
    form = FundingForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name]
            for name in ("first_installation", "priority_security_zone", "state_funding")
        }
        changes["unit_costs"] = form.own_unit_costs()
        studies.update_study(item, changes)
        messages.success(request, _("Budget recalculé."))
        return redirect("videoguide:budget", token=item.token)
    saved = Study.objects.get(pk=item.pk) if form.is_bound else item
    region = studies.region_rate_for(saved)
    return _render(
        request,
        "videoguide/budget.html",
        item,
        "videoguide:budget",
        form=form,
        funding=studies.funding(saved),
        region=region,
        rules_in_force=studies.video_rules() is not None,
    )


@never_cache
def pdf(request: HttpRequest, token: str) -> HttpResponse:
    item = _study(token)
    content = render_study_pdf(item, request)
    response = HttpResponse(content, content_type="application/pdf")
    name = slugify(f"etude-videoprotection-{item.commune.name}") or "etude-videoprotection"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@never_cache
@require_POST
def save(request: HttpRequest, token: str) -> HttpResponseBase:
    item = _study(token)
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(reverse("videoguide:study", args=[item.token]))
    try:
        studies.save_for_applicant(item, request.user, request)
    except studies.StudyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Étude enregistrée dans votre compte : elle n'expirera pas."))
    return redirect("videoguide:study", token=item.token)


@never_cache
@require_POST
def to_application(request: HttpRequest, token: str) -> HttpResponseBase:
    """Open a draft aid application pre-filled with the study (applicants of the commune)."""
    item = _study(token)
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(reverse("videoguide:study", args=[item.token]))
    try:
        draft = drafts.draft_from_study(item, request.user, request)
    except studies.StudyError as error:
        messages.error(request, str(error))
        return redirect("videoguide:study", token=item.token)
    messages.success(
        request,
        _("Brouillon de demande d'aide créé depuis l'étude : vérifiez chaque étape puis déposez."),
    )
    return redirect("grants:file", pk=draft.pk)


@role_required(Role.APPLICANT)
def my_studies(request: HttpRequest) -> HttpResponse:
    mine = (
        Study.objects.filter(owner_id=request.user.pk)
        .select_related("commune")
        .order_by("-updated_at")
    )
    return render(request, "videoguide/my_studies.html", {"studies": mine})
