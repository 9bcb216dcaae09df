"""Demonstration cameras: sample sites whose cameras play real footage, and a demo worker.

``bin/demo`` serves the footage as live RTSP cameras on loopback (``manage.py demo_cameras``,
the same RTSP server the tests use) and starts one connected worker with the token written
here, so an operator sees alarms, technical events and live images arrive in the platform.
The walkway clip ships with the project (``data/NOTICE``); the car park and indoor clips are
used when ``../shared/data/footage`` is there, and the demo works without them.

Idempotent: a second run updates the cameras' addresses (the RTSP port may change) and gives
the demo worker a new token, written to ``var/demo_worker_token`` for ``bin/demo``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from bouclier.audit.services import record
from bouclier.supervision.models import (
    ArmingSchedule,
    Camera,
    DetectionRule,
    Mask,
    Site,
    VideoWorker,
    Zone,
)
from bouclier.supervision.services import create_worker, rotate_token
from bouclier.territory.models import College, Commune, DepartmentalSite

DATA_DIR = Path(__file__).resolve().parent / "data"
# Beside the project, as in CI (../shared/data); never copied into it (licences).
SHARED_FOOTAGE = Path(__file__).resolve().parents[3] / "shared" / "data" / "footage"
DEMO_WORKER = "demo-worker"
DEFAULT_RTSP_PORT = 8554
VEHICLES = ["car", "bus", "truck", "motorcycle"]
WHOLE: list[list[float]] = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]


@dataclass(frozen=True)
class DemoCamera:
    name: str
    label: str
    footage: Path
    site: str  # "college", "departmental" or "commune"
    zones: dict[str, list[list[float]]]
    masks: list[list[list[float]]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)


def demo_cameras() -> list[DemoCamera]:
    """The demo's cameras whose footage is at hand (the walkway is always there)."""
    cameras = [
        DemoCamera(
            "demo-college-parvis",
            "Parvis du collège (démonstration)",
            DATA_DIR / "pedestrians-walkway.mp4",
            "college",
            zones={"parvis": [[0.35, 0.3], [1, 0.3], [1, 1], [0.35, 1]]},
            # A window of the building opposite: never shown, never analysed.
            masks=[[[0, 0], [0.3, 0], [0.3, 0.22], [0, 0.22]]],
            rules=[{"name": "intrusion-parvis", "zone": "parvis", "cooldown": 60.0}],
        )
    ]
    parking = SHARED_FOOTAGE / "parking-cars-no-people.mp4"
    if parking.is_file():
        cameras.append(
            DemoCamera(
                "demo-mds-parking",
                "Parking de la maison départementale (démonstration)",
                parking,
                "departmental",
                zones={"parking": WHOLE},
                rules=[
                    # Vehicles need the YOLOX detector (bin/demo uses it when the model is
                    # there); people at night and at weekends only.
                    {"name": "vehicules", "zone": "parking", "classes": VEHICLES},
                    {"name": "intrusion-nuit", "zone": "parking", "schedule": True},
                ],
            )
        )
    hall = SHARED_FOOTAGE / "indoor-people-one-by-one.mp4"
    if hall.is_file():
        cameras.append(
            DemoCamera(
                "demo-mairie-hall",
                "Hall de la mairie (démonstration)",
                hall,
                "commune",
                zones={"hall": WHOLE},
                rules=[{"name": "presence-hall", "zone": "hall", "cooldown": 60.0}],
            )
        )
    return cameras


def rtsp_port() -> int:
    return int(os.environ.get("BOUCLIER_DEMO_RTSP_PORT", DEFAULT_RTSP_PORT))


def token_path() -> Path:
    return Path(settings.VAR_DIR) / "demo_worker_token"


def _sites() -> dict[str, Site]:
    college = College.objects.get(uai="0779001A")
    meaux = Commune.objects.get(insee_code="77284")
    # A Maison départementale des solidarités: collèges are departmental sites too.
    departmental = (
        DepartmentalSite.objects.filter(commune=meaux, kind=DepartmentalSite.Kind.MDS)
        .order_by("pk")
        .first()
    )
    sites: dict[str, Site] = {}
    sites["college"], _ = Site.objects.get_or_create(
        college=college,
        defaults={"kind": Site.Kind.COLLEGE, "name": college.name, "commune": college.commune},
    )
    if departmental is not None:
        sites["departmental"], _ = Site.objects.get_or_create(
            departmental_site=departmental,
            defaults={
                "kind": Site.Kind.DEPARTMENTAL,
                "name": departmental.name,
                "commune": departmental.commune,
            },
        )
    sites["commune"], _ = Site.objects.get_or_create(
        name="Mairie de Meaux (exemple)", defaults={"kind": Site.Kind.COMMUNE, "commune": meaux}
    )
    sites.setdefault("departmental", sites["commune"])
    return sites


def _schedule() -> ArmingSchedule:
    """A collège's arming: outside opening hours, at weekends (holidays: dated exceptions)."""
    evenings = ["00:00-07:30", "18:30-24:00"]
    schedule, _ = ArmingSchedule.objects.update_or_create(
        name="demo-hors-ouverture",
        defaults={
            "label": "Hors heures d'ouverture (démonstration)",
            "weekly": {
                **{day: evenings for day in ("monday", "tuesday", "thursday", "friday")},
                "wednesday": ["00:00-07:30", "13:00-24:00"],
                "saturday": ["00:00-24:00"],
                "sunday": ["00:00-24:00"],
            },
            "exceptions": [{"from": "2026-12-19", "to": "2027-01-03", "hours": ["00:00-24:00"]}],
        },
    )
    schedule.full_clean()
    return schedule


def _camera(spec: DemoCamera, site: Site, port: int, schedule: ArmingSchedule) -> Camera:
    camera, _ = Camera.objects.update_or_create(
        name=spec.name,
        defaults={
            "site": site,
            "label": spec.label,
            "main_url": f"rtsp://127.0.0.1:{port}/{spec.name}",
            "segment_seconds": 10.0,
            "analysis_rate": 5.0,
            "live_image_seconds": 5.0,
            "offline_delay": 15.0,
            "reconnect_max": 10.0,
        },
    )
    camera.full_clean()
    zones = {}
    for name, polygon in spec.zones.items():
        zones[name], _ = Zone.objects.update_or_create(
            camera=camera, name=name, defaults={"polygon": polygon}
        )
    camera.masks.all().delete()
    for polygon in spec.masks:
        Mask.objects.create(camera=camera, label="Fenêtres d'habitation", polygon=polygon)
    for rule in spec.rules:
        DetectionRule.objects.update_or_create(
            camera=camera,
            name=rule["name"],
            defaults={
                "zone": zones[rule["zone"]],
                "classes": rule.get("classes", ["person"]),
                "persistence": 1.0,
                "cooldown": rule.get("cooldown", 120.0),
                "schedule": schedule if rule.get("schedule") else None,
            },
        )
    return camera


def load_demo_cameras() -> str:
    """Create the demo's sites, cameras and worker; return how to start the worker (French)."""
    port = rtsp_port()
    with transaction.atomic():
        sites = _sites()
        schedule = _schedule()
        cameras = [_camera(spec, sites[spec.site], port, schedule) for spec in demo_cameras()]
        worker = VideoWorker.objects.filter(name=DEMO_WORKER).first()
        if worker is None:
            worker, token = create_worker(DEMO_WORKER)
        else:
            token = rotate_token(worker)
        record("supervision.demo.loaded", data={"cameras": [c.name for c in cameras]})
    platform = settings.BASE_URL
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(token)
    path.chmod(0o600)
    return (
        f"Caméras de démonstration : {', '.join(c.name for c in cameras)} "
        f"(flux RTSP simulés : manage.py demo_cameras, port {port}).\n"
        f"Worker de démonstration « {DEMO_WORKER} » (bin/demo le démarre) ; à la main :\n"
        f"  BOUCLIER_WORKER_TOKEN=$(cat {path}) .venv/bin/bouclier-videoworker "
        f"--platform {platform} --storage var/demo-worker"
    )
