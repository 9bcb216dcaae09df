"""Playback of a camera's recordings over a chosen range, and the live wall of a site or commune.

Both need a valid prefectoral approval and a declared reason, written to the access register
before any image is shown; the reason then opens the camera for a short while in the session
(the console's grants), so the existing access-checked live and segment views serve the
images. Masks are already applied to live images by the worker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bouclier.accounts.access import role_required
from bouclier.accounts.models import User
from bouclier.supervision import services_console as services
from bouclier.supervision.access import (
    CENTRE,
    ApprovalRequired,
    access_camera,
    require_image_access,
    visible_cameras,
)
from bouclier.supervision.forms_judicial import DATETIME_WIDGET
from bouclier.supervision.models import AccessRecord, Camera, Segment, Site
from bouclier.supervision.views_console import GRANT_MINUTES, GRANTS_KEY, _approval_refused, _grants
from bouclier.territory.models import Commune

MAX_PLAYBACK = dt.timedelta(hours=24)


class PlaybackForm(forms.Form):
    start = forms.DateTimeField(label=_("Du"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=_("Au"), widget=DATETIME_WIDGET)
    reason = forms.CharField(
        label=_("Motif de la relecture"),
        max_length=500,
        help_text=_("Inscrit au registre des accès (qui, quand, pourquoi, quelle caméra)."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end <= start:
                self.add_error("end", _("La fin de la période précède son début."))
            elif end - start > MAX_PLAYBACK:
                self.add_error("end", _("Une relecture couvre 24 heures au plus."))
        return data


class WallForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    commune = forms.ModelChoiceField(
        label=_("Ou commune"), queryset=Commune.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Motif du visionnage"),
        max_length=500,
        help_text=_("Inscrit au registre des accès pour chaque caméra affichée."),
    )

    def __init__(self, *args: Any, cameras: QuerySet[Camera], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = cast(forms.ModelChoiceField, self.fields["site"])  # type: ignore[type-arg]
        commune_field = cast(forms.ModelChoiceField, self.fields["commune"])  # type: ignore[type-arg]
        site_field.queryset = Site.objects.filter(cameras__in=cameras).distinct()
        commune_field.queryset = Commune.objects.filter(
            supervision_sites__cameras__in=cameras
        ).distinct()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("site") and not data.get("commune"):
            self.add_error("site", _("Choisissez un site ou une commune."))
        return data


def _grant(request: HttpRequest, cameras: list[Camera], reason: str) -> None:
    grants = _grants(request)
    until = (timezone.now() + dt.timedelta(minutes=GRANT_MINUTES)).isoformat()
    for camera in cameras:
        grants[str(camera.pk)] = {"reason": reason, "until": until}
    request.session[GRANTS_KEY] = grants


@role_required(*CENTRE)
def playback(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    try:
        require_image_access(user)
    except ApprovalRequired as error:
        return _approval_refused(request, error)
    camera = access_camera(user, pk)
    posted = request.method == "POST"
    form = PlaybackForm(request.POST if posted else None)
    segments: list[Segment] | None = None
    if posted and form.is_valid():
        data = form.cleaned_data
        segments = list(
            Segment.objects.filter(
                camera=camera, deleted_at__isnull=True, start__lt=data["end"], end__gt=data["start"]
            ).order_by("start")
        )
        services.register_access(
            user,
            AccessRecord.Action.PLAYBACK,
            data["reason"],
            camera=camera,
            range_start=data["start"],
            range_end=data["end"],
            details={"segments": [segment.pk for segment in segments]},
        )
        _grant(request, [camera], data["reason"])
    return render(
        request,
        "supervision/playback/playback.html",
        {"camera": camera, "form": form, "segments": segments},
    )


@role_required(*CENTRE)
def wall(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    try:
        require_image_access(user)
    except ApprovalRequired as error:
        return _approval_refused(request, error)
    visible = visible_cameras(user).filter(enabled=True)
    posted = request.method == "POST"
    form = WallForm(request.POST if posted else None, cameras=visible)
    cameras: list[Camera] | None = None
    if posted and form.is_valid():
        data = form.cleaned_data
        chosen = visible.select_related("site")
        if data["site"]:
            chosen = chosen.filter(site=data["site"])
        else:
            chosen = chosen.filter(site__commune=data["commune"])
        cameras = list(chosen.order_by("site__name", "name"))
        for camera in cameras:
            services.register_access(
                user,
                AccessRecord.Action.LIVE_VIEW,
                data["reason"],
                camera=camera,
                range_start=timezone.now(),
                details={"wall": True},
            )
        _grant(request, cameras, data["reason"])
    return render(request, "supervision/playback/wall.html", {"form": form, "cameras": cameras})
