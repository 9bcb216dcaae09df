"""Strict validation of the worker's YAML configuration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from videoworker.config import ConfigError, load_config, parse_config
from videoworker.tests.helpers import footage


def base(tmp_path: Path, **camera: Any) -> dict[str, Any]:
    cam: dict[str, Any] = {
        "name": "college-a",
        "source": {"main": {"file": str(footage("quiet-room-noise.mp4"))}},
    }
    cam.update(camera)
    return {"storage": str(tmp_path / "store"), "cameras": [cam]}


def error(data: dict[str, Any], tmp_path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(data, tmp_path)
    return str(info.value)


def test_minimal_config_gets_lawful_defaults(tmp_path: Path) -> None:
    config = parse_config(base(tmp_path), tmp_path)
    camera = config.cameras[0]
    assert camera.recording.retention_days == 30
    assert camera.health.min_fps == 6
    assert config.detector.type == "hog"
    assert camera.source.sub is None


def test_unknown_key_is_named(tmp_path: Path) -> None:
    data = base(tmp_path, recording={"segment_seconds": 10, "segmnt": 3})
    message = error(data, tmp_path)
    assert "cameras[0].recording" in message and "segmnt" in message and "inconnue" in message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    data = base(tmp_path)
    data["camras"] = []
    assert "camras" in error(data, tmp_path)


def test_retention_above_one_month_is_refused(tmp_path: Path) -> None:
    message = error(base(tmp_path, recording={"retention_days": 31}), tmp_path)
    assert "retention_days" in message and "30 jours" in message


def test_narrow_field_camera_needs_twelve_images_per_second(tmp_path: Path) -> None:
    message = error(base(tmp_path, narrow_field=True, health={"min_fps": 8}), tmp_path)
    assert "min_fps" in message and "12" in message
    config = parse_config(base(tmp_path, narrow_field=True), tmp_path)
    assert config.cameras[0].health.min_fps == 12


def test_impossible_values(tmp_path: Path) -> None:
    assert "analysis.rate" in error(base(tmp_path, analysis={"rate": 0}), tmp_path)
    assert "segment_seconds" in error(base(tmp_path, recording={"segment_seconds": "x"}), tmp_path)
    bad_zone = {"cour": [[0, 0], [1.5, 0], [1, 1]]}
    assert "zones.cour[1]" in error(base(tmp_path, zones=bad_zone), tmp_path)
    message = error(base(tmp_path, rules=[{"name": "r", "zones": ["préau"]}]), tmp_path)
    assert "préau" in message
    message = error(base(tmp_path, rules=[{"name": "r", "classes": ["face"]}]), tmp_path)
    assert "face" in message
    message = error(base(tmp_path, source={"main": {"url": "http://cam/x"}}), tmp_path)
    assert "rtsp://" in message
    missing = {"main": {"file": str(tmp_path / "absent.mp4")}}
    assert "introuvable" in error(base(tmp_path, source=missing), tmp_path)


def test_onnx_detector_needs_a_model(tmp_path: Path) -> None:
    data = base(tmp_path)
    data["detector"] = {"type": "onnx"}
    assert "detector.model" in error(data, tmp_path)


def test_schedule_weekly_hours_and_holidays(tmp_path: Path) -> None:
    data = base(tmp_path, rules=[{"name": "intrusion", "schedule": "college"}])
    data["schedules"] = {
        "college": {
            "weekly": {
                "monday": ["00:00-08:00", "18:00-24:00"],
                "saturday": ["00:00-24:00"],
            },
            "exceptions": [
                {"from": "2025-12-20", "to": "2026-01-04", "hours": ["00:00-24:00"]},
                {"date": "2025-12-01", "hours": []},
            ],
        }
    }
    config = parse_config(data, tmp_path)
    schedule = config.schedules["college"]
    paris = dt.timezone(dt.timedelta(hours=1))  # winter time in Paris

    def at(year: int, month: int, day: int, hour: int, minute: int) -> float:
        return dt.datetime(year, month, day, hour, minute, tzinfo=paris).timestamp()

    assert schedule.is_armed(at(2025, 11, 24, 7, 0))  # Monday before opening
    assert not schedule.is_armed(at(2025, 11, 24, 10, 0))  # Monday, school open
    assert schedule.is_armed(at(2025, 11, 24, 23, 59))
    assert schedule.is_armed(at(2025, 11, 29, 14, 0))  # Saturday
    assert not schedule.is_armed(at(2025, 11, 26, 23, 0))  # Wednesday: no hours given
    assert schedule.is_armed(at(2025, 12, 24, 11, 0))  # Christmas holidays
    assert not schedule.is_armed(at(2025, 12, 1, 7, 0))  # dated exception: disarmed all day


def test_bad_schedule_hours(tmp_path: Path) -> None:
    data = base(tmp_path)
    data["schedules"] = {"college": {"weekly": {"lundi": ["00:00-08:00"]}}}
    assert "jour inconnu" in error(data, tmp_path)
    data["schedules"] = {"college": {"weekly": {"monday": ["18:00-08:00"]}}}
    assert "précède" in error(data, tmp_path)


def test_load_config_from_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "cameras.yaml"
    path.write_text(yaml.safe_dump(base(tmp_path)), encoding="utf-8")
    assert load_config(path).cameras[0].name == "college-a"
    path.write_text("cameras: [", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML"):
        load_config(path)
