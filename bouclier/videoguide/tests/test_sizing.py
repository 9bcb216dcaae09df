"""The technical check against hand-computed cases, and its properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouclier.videoguide.services.sizing import (
    CameraSpec,
    Codec,
    Level,
    RecordingMode,
    RecordingPlace,
    check_camera,
    check_plan,
    main_bitrate,
    max_distance,
    max_field_of_view,
    pixel_density,
    required_width,
    scene_width,
    storage_gb_per_day,
    storage_tb,
)


def spec(**changes: object) -> CameraSpec:
    values: dict[str, object] = {
        "label": "Parvis de la gare",
        "level": Level.OBSERVE,
        "distance_m": 10.0,
        "hfov_deg": 90.0,
        "width_px": 1920,
        "height_px": 1080,
        "fps": 12,
        "codec": Codec.H264,
        "mode": RecordingMode.CONTINUOUS,
        "motion_share": 0.3,
        "hours_per_day": 24.0,
        "narrow_field": False,
        "fast_moving": False,
    }
    values.update(changes)
    return CameraSpec(**values)  # type: ignore[arg-type]


def test_density_by_hand() -> None:
    # 90°: the scene is twice as wide as the distance, 20 m at 10 m; 1920 / 20 = 96 px/m.
    assert scene_width(10, 90) == pytest.approx(20.0)
    assert pixel_density(1920, 10, 90) == pytest.approx(96.0)
    # Recognise (125 px/m) holds up to 1920 / (2 x tan 45° x 125) = 7.68 m.
    assert max_distance(1920, 90, 125) == pytest.approx(7.68)
    # ... or with a field of 2 atan(1920 / (2 x 10 x 125)) = 75.04° at 10 m.
    assert max_field_of_view(1920, 10, 125) == pytest.approx(75.04, abs=0.01)
    assert required_width(10, 90, 125) == 2500


def test_failing_level_is_explained_with_what_to_change() -> None:
    result = check_camera(spec(level=Level.RECOGNISE))
    assert not result.ok
    (problem,) = result.problems
    assert "96,0 px/m" in problem.message
    assert "125,0" in problem.message
    assert "7,7 m" in problem.message
    assert "75,0°" in problem.remedy
    assert "2500 pixels" in problem.remedy
    assert check_camera(spec(level=Level.OBSERVE)).ok


def test_legal_minimums_of_the_2007_arrete() -> None:
    narrow = check_camera(
        spec(width_px=352, height_px=288, narrow_field=True, level=Level.DETECT, distance_m=2)
    )
    assert [p.topic for p in narrow.problems] == ["Résolution enregistrée"]
    assert "704x576" in narrow.problems[0].remedy
    assert check_camera(spec(width_px=352, height_px=288, level=Level.DETECT, distance_m=2)).ok
    slow = check_camera(spec(fps=8, fast_moving=True))
    assert [p.topic for p in slow.problems] == ["Images par seconde"]
    assert "12 images/s" in slow.problems[0].remedy
    assert check_camera(spec(fps=6)).ok


def test_bitrate_and_storage_by_hand() -> None:
    assert main_bitrate(1920, 1080, 25, Codec.H264) == pytest.approx(6.0)
    # 4K is 4 x 1080p, H.265 half: 3 x 4 x 2 x 0.5 = 12 Mbit/s at 25 images/s.
    assert main_bitrate(3840, 2160, 25, Codec.H265) == pytest.approx(12.0)
    # 3 Mbit/s x 24 h x 3600 / 8 = 32.4 GB a day.
    assert storage_gb_per_day(3.0, 24, 1.0) == pytest.approx(32.4)
    # Ten of them for 30 days with a 20 % margin: 32.4 x 10 x 30 x 1.2 = 11.664 TB.
    assert storage_tb([32.4] * 10, 30) == pytest.approx(11.664)
    plan = check_plan([spec(fps=25, mode=RecordingMode.MOTION)] * 2, 10, RecordingPlace.ON_SITE)
    # Motion at 30 %: 6 x 24 x 3600 / 8 / 1000 x 0.3 = 19.44 GB a day per camera.
    assert plan.cameras[0].storage_gb_per_day == pytest.approx(19.44)
    # On site: two sub-streams of 0.5 plus one main stream of 6.
    assert plan.upstream_mbps == pytest.approx(7.0)
    centre = check_plan([spec(fps=25)] * 2, 10, RecordingPlace.AT_CENTRE)
    assert centre.upstream_mbps == pytest.approx(12.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: scene_width(-1, 60), "strictement positive"),
        (lambda: scene_width(10, 0), "entre 0 et 180"),
        (lambda: scene_width(10, 180), "entre 0 et 180"),
        (lambda: storage_tb([1.0], 31), "entre 1 et 30 jours"),
        (lambda: storage_gb_per_day(3, 25, 1), "entre 1 et 24"),
    ],
)
def test_impossible_values_are_refused(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


distances = st.floats(min_value=0.5, max_value=500, allow_nan=False)
fovs = st.floats(min_value=1, max_value=170, allow_nan=False)
widths = st.integers(min_value=320, max_value=7680)


@given(widths, distances, distances, fovs)
def test_density_falls_with_distance(width: int, d1: float, d2: float, fov: float) -> None:
    near, far = sorted((d1, d2))
    assert pixel_density(width, far, fov) <= pixel_density(width, near, fov)


@given(widths, fovs, st.sampled_from(list(Level)))
def test_level_holds_exactly_up_to_the_max_distance(width: int, fov: float, level: Level) -> None:
    from bouclier.videoguide.services.sizing import LEVEL_DENSITY

    farthest = max_distance(width, fov, LEVEL_DENSITY[level])
    assert math.isclose(pixel_density(width, farthest, fov), LEVEL_DENSITY[level], rel_tol=1e-9)


daily = st.floats(min_value=0.1, max_value=500, allow_nan=False)


@given(st.lists(daily, min_size=1, max_size=20), st.integers(min_value=1, max_value=15))
def test_storage_is_linear_in_retention(cameras: list[float], days: int) -> None:
    assert math.isclose(storage_tb(cameras, 2 * days), 2 * storage_tb(cameras, days))


@given(daily, st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=30))
def test_storage_is_linear_in_cameras(per_camera: float, days: int, count: int) -> None:
    assert math.isclose(
        storage_tb([per_camera] * count, days), count * storage_tb([per_camera], days)
    )
