"""Helpers for the supervision tests: a site, a camera with a zone and a rule, a worker."""

from __future__ import annotations

from typing import Any

from bouclier.supervision.models import Camera, DetectionRule, Site, Zone
from bouclier.territory.models import Commune

WHOLE = [[0, 0], [1, 0], [1, 1], [0, 1]]


def make_site(name: str = "Mairie de Meaux") -> Site:
    commune = Commune.objects.get(insee_code="77284")
    site, _ = Site.objects.get_or_create(
        name=name, defaults={"kind": Site.Kind.COMMUNE, "commune": commune}
    )
    return site


def make_camera(name: str, url: str = "rtsp://127.0.0.1:1/cam", **fields: Any) -> Camera:
    camera = Camera.objects.create(site=make_site(), name=name, main_url=url, **fields)
    zone = Zone.objects.create(camera=camera, name="cour", polygon=WHOLE)
    DetectionRule.objects.create(
        camera=camera, name="intrusion", zone=zone, persistence=0.5, cooldown=600
    )
    return camera
