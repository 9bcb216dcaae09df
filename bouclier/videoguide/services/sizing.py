"""The technical check of a camera plan: pure, typed functions, no database.

What is computed, after ``shared/domain/videoguide.md``:

- pixel density at the target distance, in pixels per metre of scene width (EN 62676-4
  "DORI" levels: detect 25, observe 62.5, recognise 125, identify 250 px/m): the scene width at
  distance d with horizontal field of view h is 2 d tan(h/2), and the density is the horizontal
  pixel count divided by that width; the farthest distance at which a level still holds follows;
- the minimums of the arrêté of 3 August 2007: 704x576 stored for narrow-field cameras,
  352x288 otherwise; 12 images/s for fast-moving people, 6 otherwise;
- storage: bitrate x recorded hours x 3600 / 8 x retention days, times the share of recorded
  time (continuous or on motion) and a margin; the retention never exceeds 30 days;
- network: the aggregated upstream bandwidth toward the supervision centre.

Each failing point comes with a plain French explanation and what to change. Floats are used
for the geometry (trigonometry) and the sizes, which are estimates shown rounded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

MAX_RETENTION_DAYS = 30  # CSI L252-5: images are destroyed within at most a month
STORAGE_MARGIN = 1.2  # 20 % for file-system overhead, scene peaks and a disk failure
REFERENCE_PIXELS = 1920 * 1080
REFERENCE_FPS = 12.5
# H.264 1080p at 12-15 images/s: 2-4 Mbit/s (videoguide.md); the middle of that range.
H264_1080P_MBPS = 3.0
# Live viewing usually uses a sub-stream (about 704x576 at a low rate); H.265 halves it too.
H264_SUBSTREAM_MBPS = 0.5
MIN_BITRATE_MBPS = 0.25


class Level(StrEnum):
    DETECT = "detect"
    OBSERVE = "observe"
    RECOGNISE = "recognise"
    IDENTIFY = "identify"


# Pixels per metre of scene width required by EN 62676-4.
LEVEL_DENSITY: dict[Level, float] = {
    Level.DETECT: 25.0,
    Level.OBSERVE: 62.5,
    Level.RECOGNISE: 125.0,
    Level.IDENTIFY: 250.0,
}


class Codec(StrEnum):
    H264 = "h264"
    H265 = "h265"


# H.265 needs about half the bitrate of H.264 for the same image (videoguide.md).
CODEC_FACTOR: dict[Codec, float] = {Codec.H264: 1.0, Codec.H265: 0.5}


class RecordingMode(StrEnum):
    CONTINUOUS = "continuous"
    MOTION = "motion"


class RecordingPlace(StrEnum):
    ON_SITE = "on_site"  # recorder at the town hall or in the local room
    AT_CENTRE = "at_centre"  # recorded at the supervision centre: every main stream travels


@dataclass(frozen=True)
class CameraSpec:
    """What the check needs about one camera (validated by the forms before it gets here)."""

    label: str
    level: Level
    distance_m: float
    hfov_deg: float
    width_px: int
    height_px: int
    fps: int
    codec: Codec
    mode: RecordingMode
    motion_share: float  # share of time recorded when on motion (0-1); ignored if continuous
    hours_per_day: float
    narrow_field: bool
    fast_moving: bool


@dataclass(frozen=True)
class Problem:
    """A failing point: what is wrong, and what to change."""

    topic: str
    message: str
    remedy: str


@dataclass(frozen=True)
class CameraCheck:
    spec: CameraSpec
    scene_width_m: float
    density: float
    required_density: float
    max_distance_m: float
    bitrate_mbps: float
    substream_mbps: float
    recorded_share: float
    storage_gb_per_day: float
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def level_ok(self) -> bool:
        return self.density >= self.required_density


@dataclass(frozen=True)
class PlanCheck:
    cameras: tuple[CameraCheck, ...]
    retention_days: int
    storage_tb: float
    upstream_mbps: float
    recording_place: RecordingPlace

    @property
    def problem_count(self) -> int:
        return sum(len(c.problems) for c in self.cameras)


def _check_geometry(distance_m: float, hfov_deg: float) -> None:
    # The forms refuse these with a message at the field; this guards every other caller.
    if not math.isfinite(distance_m) or distance_m <= 0:
        raise ValueError(_("La distance doit être strictement positive."))
    if not math.isfinite(hfov_deg) or not 0 < hfov_deg < 180:
        raise ValueError(_("Le champ horizontal doit être compris entre 0 et 180 degrés, exclus."))


def scene_width(distance_m: float, hfov_deg: float) -> float:
    """Width in metres of the scene seen at ``distance_m``: 2 d tan(h/2)."""
    _check_geometry(distance_m, hfov_deg)
    return 2 * distance_m * math.tan(math.radians(hfov_deg) / 2)


def pixel_density(width_px: int, distance_m: float, hfov_deg: float) -> float:
    """Pixels per metre of scene width at ``distance_m``."""
    if width_px <= 0:
        raise ValueError(_("La résolution horizontale doit être positive."))
    return width_px / scene_width(distance_m, hfov_deg)


def max_distance(width_px: int, hfov_deg: float, density: float) -> float:
    """The farthest distance (m) at which ``density`` px/m still holds."""
    if density <= 0:
        raise ValueError(_("La densité visée doit être positive."))
    _check_geometry(1.0, hfov_deg)
    return width_px / (2 * math.tan(math.radians(hfov_deg) / 2) * density)


def max_field_of_view(width_px: int, distance_m: float, density: float) -> float:
    """The widest horizontal field of view (degrees) that keeps ``density`` at ``distance_m``."""
    _check_geometry(distance_m, 90.0)
    return math.degrees(2 * math.atan(width_px / (2 * distance_m * density)))


def required_width(distance_m: float, hfov_deg: float, density: float) -> int:
    """Horizontal pixels needed for ``density`` at ``distance_m`` with this field of view."""
    return math.ceil(density * scene_width(distance_m, hfov_deg))


def legal_minimum_resolution(narrow_field: bool) -> tuple[int, int]:
    """Stored resolution required by the arrêté of 3 August 2007 (technical annex)."""
    return (704, 576) if narrow_field else (352, 288)


def legal_minimum_fps(fast_moving: bool) -> int:
    """Images per second required by the arrêté of 3 August 2007 (technical annex)."""
    return 12 if fast_moving else 6


def main_bitrate(width_px: int, height_px: int, fps: int, codec: Codec) -> float:
    """Estimated main-stream bitrate in Mbit/s, scaled on H.264 1080p at 12.5 images/s.

    Proportional to the pixel count (4K is about 4 x 1080p) and to the frame rate, halved
    for H.265; an estimate for sizing, never below a quarter of a megabit.
    """
    scale = (width_px * height_px / REFERENCE_PIXELS) * (fps / REFERENCE_FPS)
    return max(H264_1080P_MBPS * scale * CODEC_FACTOR[codec], MIN_BITRATE_MBPS)


def substream_bitrate(codec: Codec) -> float:
    return H264_SUBSTREAM_MBPS * CODEC_FACTOR[codec]


def recorded_share(mode: RecordingMode, motion_share: float) -> float:
    """Share of the camera's operating hours that is actually recorded."""
    if mode == RecordingMode.CONTINUOUS:
        return 1.0
    if not 0 < motion_share <= 1:
        raise ValueError(_("La part de temps enregistrée doit être comprise entre 1 et 100 %."))
    return motion_share


def storage_gb_per_day(bitrate_mbps: float, hours_per_day: float, share: float) -> float:
    """Gigabytes recorded per day (before the margin): Mbit/s x hours x 3600 / 8 / 1000."""
    if not 0 < hours_per_day <= 24:
        raise ValueError(_("Le nombre d'heures par jour doit être compris entre 1 et 24."))
    return bitrate_mbps * hours_per_day * 3600 / 8 / 1000 * share


def storage_tb(daily_gb: Sequence[float], retention_days: int) -> float:
    """Terabytes to keep ``retention_days`` of recordings, margin included (linear in both)."""
    check_retention(retention_days)
    return sum(daily_gb) * retention_days * STORAGE_MARGIN / 1000


def check_retention(retention_days: int) -> None:
    if not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise ValueError(
            _("La durée de conservation doit être comprise entre 1 et %(max)s jours.")
            % {"max": MAX_RETENTION_DAYS}
        )


def _fmt(value: float, places: int = 1) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def _level_label(level: Level) -> str:
    return {
        Level.DETECT: _("détecter"),
        Level.OBSERVE: _("observer"),
        Level.RECOGNISE: _("reconnaître"),
        Level.IDENTIFY: _("identifier"),
    }[level]


def check_camera(spec: CameraSpec) -> CameraCheck:
    """The technical check of one camera, with each failing point explained."""
    width = scene_width(spec.distance_m, spec.hfov_deg)
    density = spec.width_px / width
    needed = LEVEL_DENSITY[spec.level]
    farthest = max_distance(spec.width_px, spec.hfov_deg, needed)
    problems: list[Problem] = []
    if density < needed:
        problems.append(
            Problem(
                _("Niveau de détail"),
                _(
                    "À %(d)s m, la caméra donne %(density)s px/m : il en faut %(needed)s pour"
                    " %(level)s (EN 62676-4). Le niveau n'est tenu que jusqu'à %(max)s m."
                )
                % {
                    "d": _fmt(spec.distance_m),
                    "density": _fmt(density),
                    "needed": _fmt(needed),
                    "level": _level_label(spec.level),
                    "max": _fmt(farthest),
                },
                _(
                    "Rapprochez la caméra à %(max)s m au plus, ou resserrez le champ horizontal"
                    " à %(fov)s° au plus, ou choisissez une résolution d'au moins %(px)s pixels"
                    " de large."
                )
                % {
                    "max": _fmt(farthest),
                    "fov": _fmt(max_field_of_view(spec.width_px, spec.distance_m, needed)),
                    "px": required_width(spec.distance_m, spec.hfov_deg, needed),
                },
            )
        )
    min_w, min_h = legal_minimum_resolution(spec.narrow_field)
    if spec.width_px < min_w or spec.height_px < min_h:
        problems.append(
            Problem(
                _("Résolution enregistrée"),
                _(
                    "%(w)sx%(h)s est en dessous du minimum de l'arrêté du 3 août 2007 pour"
                    " cette caméra (%(mw)sx%(mh)s)."
                )
                % {"w": spec.width_px, "h": spec.height_px, "mw": min_w, "mh": min_h},
                _("Enregistrez au moins en %(mw)sx%(mh)s.") % {"mw": min_w, "mh": min_h},
            )
        )
    min_fps = legal_minimum_fps(spec.fast_moving)
    if spec.fps < min_fps:
        problems.append(
            Problem(
                _("Images par seconde"),
                _(
                    "%(fps)s images/s : l'arrêté du 3 août 2007 en demande au moins %(min)s"
                    " pour cette scène."
                )
                % {"fps": spec.fps, "min": min_fps},
                _("Enregistrez à %(min)s images/s au moins.") % {"min": min_fps},
            )
        )
    bitrate = main_bitrate(spec.width_px, spec.height_px, spec.fps, spec.codec)
    share = recorded_share(spec.mode, spec.motion_share)
    return CameraCheck(
        spec=spec,
        scene_width_m=width,
        density=density,
        required_density=needed,
        max_distance_m=farthest,
        bitrate_mbps=bitrate,
        substream_mbps=substream_bitrate(spec.codec),
        recorded_share=share,
        storage_gb_per_day=storage_gb_per_day(bitrate, spec.hours_per_day, share),
        problems=tuple(problems),
    )


def upstream_bandwidth(cameras: Sequence[CameraCheck], place: RecordingPlace) -> float:
    """Aggregated upstream bandwidth (Mbit/s) toward the supervision centre.

    Recorded at the centre: every main stream travels all the time. Recorded on site: the
    live sub-streams travel, plus one main stream for a full-resolution view or an export.
    """
    if not cameras:
        return 0.0
    if place == RecordingPlace.AT_CENTRE:
        return sum(c.bitrate_mbps for c in cameras)
    return sum(c.substream_mbps for c in cameras) + max(c.bitrate_mbps for c in cameras)


def check_plan(
    specs: Sequence[CameraSpec], retention_days: int, place: RecordingPlace
) -> PlanCheck:
    """The whole plan: each camera's check, the storage and the upstream bandwidth."""
    check_retention(retention_days)
    cameras = tuple(check_camera(spec) for spec in specs)
    return PlanCheck(
        cameras=cameras,
        retention_days=retention_days,
        storage_tb=storage_tb([c.storage_gb_per_day for c in cameras], retention_days),
        upstream_mbps=upstream_bandwidth(cameras, place),
        recording_place=place,
    )
