"""Cameras as the worker configures them, and their validation by the worker's own rules.

The platform sends each worker, with every heartbeat, the configuration of the cameras it
holds in exactly the format of the worker's YAML file (``videoworker.config``); the same
parser validates the back office's input, so a camera the platform accepts is a camera the
worker can run, and its error messages (French, naming the key) reach the form.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from videoworker.config import ConfigError, parse_config

if TYPE_CHECKING:
    from bouclier.supervision.models import ArmingSchedule, Camera

_PROBE_URL = "rtsp://127.0.0.1/probe"


def camera_config(camera: Camera, *, with_children: bool = True) -> dict[str, Any]:
    """The camera's entry of the worker configuration (``cameras[i]`` in the YAML file)."""
    source: dict[str, Any] = {
        "main": {"url": camera.main_url},
        "offline_delay": camera.offline_delay,
        "reconnect_max": camera.reconnect_max,
    }
    if camera.sub_url:
        source["sub"] = {"url": camera.sub_url}
    data: dict[str, Any] = {
        "name": camera.name,
        "narrow_field": camera.narrow_field,
        "source": source,
        "recording": {
            "enabled": camera.recording_enabled,
            "segment_seconds": camera.segment_seconds,
            "retention_days": camera.retention_days,
        },
        "analysis": {"enabled": camera.analysis_enabled, "rate": camera.analysis_rate},
        "live_image_seconds": camera.live_image_seconds,
    }
    if with_children and camera.pk is not None:
        data["zones"] = {zone.name: zone.polygon for zone in camera.zones.all()}
        data["masks"] = [mask.polygon for mask in camera.masks.all()]
        data["rules"] = [
            {
                "name": rule.name,
                "zones": [rule.zone.name] if rule.zone is not None else [],
                "classes": rule.classes,
                "score": rule.score,
                "min_width": rule.min_width,
                "min_height": rule.min_height,
                "persistence": rule.persistence,
                "cooldown": rule.cooldown,
                "schedule": rule.schedule.name if rule.schedule is not None else None,
                "pre_seconds": rule.pre_seconds,
                "post_seconds": rule.post_seconds,
            }
            for rule in camera.rules.select_related("zone", "schedule")
        ]
    return data


def schedules_config(cameras: list[Camera]) -> dict[str, dict[str, Any]]:
    """The arming schedules those cameras' rules use, by name."""
    result: dict[str, dict[str, Any]] = {}
    for camera in cameras:
        for rule in camera.rules.select_related("schedule"):
            if rule.schedule is not None:
                result[rule.schedule.name] = rule.schedule.as_config()
    return result


def worker_config(cameras: list[Camera]) -> dict[str, Any]:
    return {
        "cameras": [camera_config(c) for c in cameras],
        "schedules": schedules_config(cameras),
    }


def _parse(cameras: list[dict[str, Any]], schedules: dict[str, Any]) -> None:
    # The storage is the worker's business; any path does for validation.
    parse_config({"storage": "/nonexistent", "cameras": cameras, "schedules": schedules}, Path("/"))


# Where each key of the worker's configuration is edited in the camera's form.
_CAMERA_FIELDS = {
    "source.main": "main_url",
    "source.sub": "sub_url",
    "source.offline_delay": "offline_delay",
    "source.reconnect_max": "reconnect_max",
    "recording.retention_days": "retention_days",
    "recording.segment_seconds": "segment_seconds",
    "analysis.rate": "analysis_rate",
    "live_image_seconds": "live_image_seconds",
    "name": "name",
}


def check_camera(camera: Camera) -> None:
    """Validate a camera's own settings (zones and rules are checked with their forms).

    The worker's message names its key (``cameras[0].recording.retention_days : ...``); the
    form shows it at the matching field, without the key.
    """
    try:
        _parse([camera_config(camera, with_children=False)], {})
    except ConfigError as exc:
        path, _, text = str(exc).partition(" : ")
        key = path.removeprefix("cameras[0].")
        for prefix, field in _CAMERA_FIELDS.items():
            if key.startswith(prefix):
                raise ValidationError({field: text}) from None
        raise ValidationError(str(exc)) from None


def check_schedule(schedule: ArmingSchedule) -> None:
    probe = {"name": "probe", "source": {"main": {"url": _PROBE_URL}}}
    try:
        _parse([probe], {schedule.name or "probe": schedule.as_config()})
    except ConfigError as exc:
        raise ValidationError(str(exc).replace("schedules.probe.", "")) from None


def check_polygon(value: object, field: str) -> None:
    probe = {"name": "probe", "source": {"main": {"url": _PROBE_URL}}, "masks": [value]}
    try:
        _parse([probe], {})
    except ConfigError as exc:
        message = str(exc).replace("cameras[0].masks[0]", "polygone")
        raise ValidationError({field: message}) from None


def check_full(cameras: list[Camera]) -> None:
    """Validate what a worker will receive; raises ConfigError (used before sending)."""
    config = worker_config(cameras)
    _parse(config["cameras"], config["schedules"])
