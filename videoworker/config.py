"""Strict configuration of the camera worker (standalone mode: a YAML file of cameras).

Every key is checked: an unknown key or an impossible value is rejected with a French
message that names the key by its full path (``cameras[0].rules[1].score``), because the
operator who wrote the file must be able to fix it without reading the code. Coordinates of
zones and masks are fractions of the image (0 to 1) so that one polygon fits both the main
stream and the sub-stream whatever their resolutions.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Law (CSI L252-5): footage is kept at most one month unless a judicial procedure holds it.
MAX_RETENTION_DAYS = 30
# Arrêté du 3 août 2007: 6 images/s at least, 12 for narrow-field cameras watching people.
LEGAL_MIN_FPS = 6.0
LEGAL_MIN_FPS_NARROW = 12.0

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_LABELS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DETECTABLE_CLASSES = (
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "bus",
    "truck",
    "dog",
    "cat",
)
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_HOURS_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")

Point = tuple[float, float]
Polygon = tuple[Point, ...]


class ConfigError(ValueError):
    """A configuration that cannot be used; the message is for the operator, in French."""


@dataclass(frozen=True)
class StreamSource:
    """One stream: an RTSP URL (always over TCP) or a local file played at its real pace."""

    url: str | None = None
    file: Path | None = None
    realtime: bool = True
    loop: bool = True

    @property
    def label(self) -> str:
        if self.url is not None:
            # Never write the credentials of an RTSP URL into events or logs.
            return re.sub(r"//[^/@]*@", "//***@", self.url)
        return str(self.file)


@dataclass(frozen=True)
class SourceConfig:
    main: StreamSource
    sub: StreamSource | None = None
    timeout: float = 10.0
    reconnect_min: float = 1.0
    reconnect_max: float = 30.0
    offline_delay: float = 30.0


@dataclass(frozen=True)
class RecordingConfig:
    enabled: bool = True
    segment_seconds: float = 60.0
    retention_days: int = MAX_RETENTION_DAYS


@dataclass(frozen=True)
class MotionConfig:
    height: int = 100
    threshold: int = 25
    min_area: float = 0.0005
    recalibrate_fraction: float = 0.6
    alpha: float = 0.05


@dataclass(frozen=True)
class AnalysisConfig:
    enabled: bool = True
    rate: float = 5.0
    region_padding: float = 0.5
    motion: MotionConfig = field(default_factory=MotionConfig)


@dataclass(frozen=True)
class RuleConfig:
    name: str
    zones: tuple[str, ...] = ()
    classes: tuple[str, ...] = ("person",)
    min_width: float = 0.0
    min_height: float = 0.0
    score: float = 0.5
    persistence: float = 1.0
    cooldown: float = 60.0
    schedule: str | None = None
    pre_seconds: float = 5.0
    post_seconds: float = 5.0


@dataclass(frozen=True)
class HealthConfig:
    min_fps: float = LEGAL_MIN_FPS
    fps_window: float = 10.0
    frozen_seconds: float = 30.0
    black_seconds: float = 30.0
    black_level: float = 16.0
    scene_change_seconds: float = 10.0
    scene_change_similarity: float = 0.35


@dataclass(frozen=True)
class CameraConfig:
    name: str
    source: SourceConfig
    narrow_field: bool = False
    recording: RecordingConfig = field(default_factory=RecordingConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    zones: dict[str, Polygon] = field(default_factory=dict)
    masks: tuple[Polygon, ...] = ()
    rules: tuple[RuleConfig, ...] = ()
    health: HealthConfig = field(default_factory=HealthConfig)
    live_image_seconds: float = 5.0


@dataclass(frozen=True)
class ScheduleException:
    start: dt.date
    end: dt.date
    hours: tuple[tuple[dt.time, dt.time | None], ...]


@dataclass(frozen=True)
class Schedule:
    """Weekly arming hours plus dated exceptions (holidays, closures) that replace them."""

    name: str
    timezone: str
    weekly: dict[int, tuple[tuple[dt.time, dt.time | None], ...]]
    exceptions: tuple[ScheduleException, ...] = ()

    def is_armed(self, when: float) -> bool:
        local = dt.datetime.fromtimestamp(when, zoneinfo.ZoneInfo(self.timezone))
        day = local.date()
        ranges = self.weekly.get(local.weekday(), ())
        # The last matching exception wins, so that a closure inside holidays can be written.
        for exc in self.exceptions:
            if exc.start <= day <= exc.end:
                ranges = exc.hours
        now = local.time()
        return any(start <= now and (end is None or now < end) for start, end in ranges)


@dataclass(frozen=True)
class DetectorConfig:
    type: str = "hog"
    model: Path | None = None
    threads: int = 1
    input_size: int = 416
    queue_size: int = 16


@dataclass(frozen=True)
class WorkerConfig:
    storage: Path
    cameras: tuple[CameraConfig, ...]
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    schedules: dict[str, Schedule] = field(default_factory=dict)
    holds_file: Path | None = None
    retention_check_seconds: float = 3600.0
    events_file: Path | None = None

    @property
    def events_path(self) -> Path:
        return self.events_file if self.events_file is not None else self.storage / "events.jsonl"


class _Node:
    """A mapping being read: remembers its path and which keys were consumed."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{path or 'racine'} : un dictionnaire (clé: valeur) est attendu.")
        self.data: dict[str, Any] = data
        self.path = path
        self.used: set[str] = set()

    def sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str) -> Any:
        self.used.add(key)
        return self.data.get(key)

    def required(self, key: str) -> Any:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            raise ConfigError(f"{self.sub(key)} : clé obligatoire absente.")
        return self.data[key]

    def number(
        self,
        key: str,
        default: float,
        low: float,
        high: float,
        *,
        low_open: bool = False,
        integer: bool = False,
    ) -> float:
        self.used.add(key)
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{self.sub(key)} : un nombre est attendu, pas « {value} ».")
        if integer and not isinstance(value, int):
            raise ConfigError(f"{self.sub(key)} : un nombre entier est attendu, pas « {value} ».")
        too_low = value <= low if low_open else value < low
        if too_low or value > high:
            bound = f"strictement supérieur à {low}" if low_open else f"au moins {low}"
            raise ConfigError(
                f"{self.sub(key)} : valeur {value} impossible ({bound}, au plus {high})."
            )
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        self.used.add(key)
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.sub(key)} : true ou false est attendu, pas « {value} ».")
        return value

    def text(self, key: str, default: str | None = None) -> str | None:
        self.used.add(key)
        value = self.data.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{self.sub(key)} : un texte non vide est attendu.")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            where = self.path or "racine"
            raise ConfigError(
                f"{where} : clé inconnue « {unknown[0]} » (clés permises : "
                f"{', '.join(sorted(self.used))})."
            )


def _items(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{path} : une liste est attendue.")
    return value


def _polygon(value: Any, path: str) -> Polygon:
    points = _items(value, path)
    if len(points) < 3:
        raise ConfigError(f"{path} : un polygone a au moins 3 points.")
    result: list[Point] = []
    for i, point in enumerate(points):
        ok = (
            isinstance(point, list)
            and len(point) == 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in point)
        )
        if not ok:
            raise ConfigError(f"{path}[{i}] : un point [x, y] est attendu.")
        x, y = float(point[0]), float(point[1])
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise ConfigError(
                f"{path}[{i}] : coordonnées hors de l'image ({x}, {y}) ; "
                "elles s'expriment en fraction de l'image, entre 0 et 1."
            )
        result.append((x, y))
    return tuple(result)


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path)


def _stream(value: Any, path: str, base: Path) -> StreamSource:
    node = _Node(value, path)
    url = node.text("url")
    file = node.text("file")
    if (url is None) == (file is None):
        raise ConfigError(f"{path} : indiquez soit « url » (RTSP), soit « file » (fichier local).")
    if url is not None:
        if not url.startswith(("rtsp://", "rtsps://")):
            raise ConfigError(f"{path}.url : une adresse rtsp:// est attendue.")
        node.done()
        return StreamSource(url=url)
    assert file is not None
    realtime = node.boolean("realtime", True)
    loop = node.boolean("loop", True)
    node.done()
    resolved = _resolve(base, file)
    if not resolved.is_file():
        raise ConfigError(f"{path}.file : fichier introuvable « {resolved} ».")
    return StreamSource(file=resolved, realtime=realtime, loop=loop)


def _source(value: Any, path: str, base: Path) -> SourceConfig:
    node = _Node(value, path)
    main = _stream(node.required("main"), node.sub("main"), base)
    sub = _stream(node.raw("sub"), node.sub("sub"), base) if node.has("sub") else None
    reconnect_min = node.number("reconnect_min", 1.0, 0.0, 600.0, low_open=True)
    reconnect_max = node.number("reconnect_max", 30.0, 0.0, 3600.0, low_open=True)
    if reconnect_max < reconnect_min:
        raise ConfigError(f"{path}.reconnect_max : doit être au moins égal à reconnect_min.")
    result = SourceConfig(
        main=main,
        sub=sub,
        timeout=node.number("timeout", 10.0, 0.0, 120.0, low_open=True),
        reconnect_min=reconnect_min,
        reconnect_max=reconnect_max,
        offline_delay=node.number("offline_delay", 30.0, 0.0, 3600.0, low_open=True),
    )
    node.done()
    return result


def _recording(value: Any, path: str) -> RecordingConfig:
    node = _Node(value if value is not None else {}, path)
    retention = node.number("retention_days", MAX_RETENTION_DAYS, 1, 10_000, integer=True)
    if retention > MAX_RETENTION_DAYS:
        raise ConfigError(
            f"{path}.retention_days : {int(retention)} jours dépasse la durée légale de "
            f"conservation ({MAX_RETENTION_DAYS} jours au plus, CSI L252-5) ; seule une "
            "réquisition judiciaire (fichier des gels) permet de garder plus longtemps."
        )
    result = RecordingConfig(
        enabled=node.boolean("enabled", True),
        segment_seconds=node.number("segment_seconds", 60.0, 2.0, 3600.0),
        retention_days=int(retention),
    )
    node.done()
    return result


def _analysis(value: Any, path: str) -> AnalysisConfig:
    node = _Node(value if value is not None else {}, path)
    motion_node = _Node(node.raw("motion") or {}, node.sub("motion"))
    motion = MotionConfig(
        height=int(motion_node.number("height", 100, 32, 720, integer=True)),
        threshold=int(motion_node.number("threshold", 25, 1, 255, integer=True)),
        min_area=motion_node.number("min_area", 0.0005, 0.0, 1.0),
        recalibrate_fraction=motion_node.number(
            "recalibrate_fraction", 0.6, 0.0, 1.0, low_open=True
        ),
        alpha=motion_node.number("alpha", 0.05, 0.0, 1.0, low_open=True),
    )
    motion_node.done()
    result = AnalysisConfig(
        enabled=node.boolean("enabled", True),
        rate=node.number("rate", 5.0, 0.0, 30.0, low_open=True),
        region_padding=node.number("region_padding", 0.5, 0.0, 4.0),
        motion=motion,
    )
    node.done()
    return result


def _rule(value: Any, path: str, zones: dict[str, Polygon], schedules: set[str]) -> RuleConfig:
    node = _Node(value, path)
    name = node.text("name")
    if name is None:
        raise ConfigError(f"{path}.name : clé obligatoire absente.")
    rule_zones = tuple(str(z) for z in _items(node.raw("zones") or [], node.sub("zones")))
    for zone in rule_zones:
        if zone not in zones:
            raise ConfigError(f"{path}.zones : zone « {zone} » non définie pour cette caméra.")
    classes = tuple(str(c) for c in _items(node.raw("classes") or ["person"], node.sub("classes")))
    if not classes:
        raise ConfigError(f"{path}.classes : au moins une classe d'objet est attendue.")
    for cls in classes:
        if cls not in DETECTABLE_CLASSES:
            raise ConfigError(
                f"{path}.classes : classe « {cls} » inconnue (classes permises : "
                f"{', '.join(DETECTABLE_CLASSES)})."
            )
    schedule = node.text("schedule")
    if schedule is not None and schedule not in schedules:
        raise ConfigError(f"{path}.schedule : calendrier « {schedule} » non défini.")
    result = RuleConfig(
        name=name,
        zones=rule_zones,
        classes=classes,
        min_width=node.number("min_width", 0.0, 0.0, 1.0),
        min_height=node.number("min_height", 0.0, 0.0, 1.0),
        score=node.number("score", 0.5, 0.0, 1.0, low_open=True),
        persistence=node.number("persistence", 1.0, 0.0, 600.0),
        cooldown=node.number("cooldown", 60.0, 0.0, 86_400.0),
        schedule=schedule,
        pre_seconds=node.number("pre_seconds", 5.0, 0.0, 300.0),
        post_seconds=node.number("post_seconds", 5.0, 0.0, 300.0),
    )
    node.done()
    return result


def _health(value: Any, path: str, narrow: bool) -> HealthConfig:
    node = _Node(value if value is not None else {}, path)
    norm = LEGAL_MIN_FPS_NARROW if narrow else LEGAL_MIN_FPS
    min_fps = node.number("min_fps", norm, 0.0, 120.0)
    if min_fps < norm:
        raise ConfigError(
            f"{path}.min_fps : {min_fps} images/s est sous la norme ({norm:g} images/s "
            f"{'pour une caméra à champ étroit' if narrow else 'au moins'}, arrêté du 3 août 2007)."
        )
    result = HealthConfig(
        min_fps=min_fps,
        fps_window=node.number("fps_window", 10.0, 1.0, 600.0),
        frozen_seconds=node.number("frozen_seconds", 30.0, 0.0, 3600.0, low_open=True),
        black_seconds=node.number("black_seconds", 30.0, 0.0, 3600.0, low_open=True),
        black_level=node.number("black_level", 16.0, 0.0, 255.0),
        scene_change_seconds=node.number("scene_change_seconds", 10.0, 0.0, 3600.0, low_open=True),
        scene_change_similarity=node.number("scene_change_similarity", 0.35, 0.0, 1.0),
    )
    node.done()
    return result


def _name(value: Any, path: str) -> str:
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise ConfigError(
            f"{path} : nom « {value} » invalide (minuscules, chiffres, - et _, 63 caractères au "
            "plus, commençant par une lettre ou un chiffre)."
        )
    return value


def _camera(value: Any, path: str, base: Path, schedules: set[str]) -> CameraConfig:
    node = _Node(value, path)
    name = _name(node.required("name"), node.sub("name"))
    narrow = node.boolean("narrow_field", False)
    zones_node = _Node(node.raw("zones") or {}, node.sub("zones"))
    zones = {
        _name(key, zones_node.sub(str(key))): _polygon(zones_node.raw(key), zones_node.sub(key))
        for key in list(zones_node.data)
    }
    zones_node.done()
    masks = tuple(
        _polygon(m, f"{node.sub('masks')}[{i}]")
        for i, m in enumerate(_items(node.raw("masks") or [], node.sub("masks")))
    )
    rules = tuple(
        _rule(r, f"{node.sub('rules')}[{i}]", zones, schedules)
        for i, r in enumerate(_items(node.raw("rules") or [], node.sub("rules")))
    )
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise ConfigError(f"{node.sub('rules')} : deux règles portent le même nom.")
    result = CameraConfig(
        name=name,
        narrow_field=narrow,
        source=_source(node.required("source"), node.sub("source"), base),
        recording=_recording(node.raw("recording"), node.sub("recording")),
        analysis=_analysis(node.raw("analysis"), node.sub("analysis")),
        zones=zones,
        masks=masks,
        rules=rules,
        health=_health(node.raw("health"), node.sub("health"), narrow),
        live_image_seconds=node.number("live_image_seconds", 5.0, 0.0, 3600.0),
    )
    node.done()
    return result


def _hours(value: Any, path: str) -> tuple[tuple[dt.time, dt.time | None], ...]:
    result: list[tuple[dt.time, dt.time | None]] = []
    for i, item in enumerate(_items(value, path)):
        match = _HOURS_RE.match(item) if isinstance(item, str) else None
        if match is None:
            raise ConfigError(f"{path}[{i}] : plage horaire « HH:MM-HH:MM » attendue.")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise ConfigError(f"{path}[{i}] : heure impossible « {item} ».")
        start = dt.time(h1, m1)
        end = None if h2 == 24 else dt.time(h2, m2)
        if end is not None and end <= start:
            raise ConfigError(f"{path}[{i}] : la fin de la plage « {item} » précède son début.")
        result.append((start, end))
    return tuple(result)


def _date(value: Any, path: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{path} : date AAAA-MM-JJ attendue, pas « {value} ».")


def _schedule(name: str, value: Any, path: str) -> Schedule:
    node = _Node(value, path)
    tz = node.text("timezone", "Europe/Paris")
    assert tz is not None
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{path}.timezone : fuseau horaire « {tz} » inconnu.") from None
    weekly_node = _Node(node.raw("weekly") or {}, node.sub("weekly"))
    weekly: dict[int, tuple[tuple[dt.time, dt.time | None], ...]] = {}
    for index, day in enumerate(DAYS):
        if weekly_node.has(day):
            weekly[index] = _hours(weekly_node.raw(day), weekly_node.sub(day))
    if set(weekly_node.data) - set(DAYS):
        extra = sorted(set(weekly_node.data) - set(DAYS))[0]
        raise ConfigError(
            f"{weekly_node.sub(str(extra))} : jour inconnu (jours permis : {', '.join(DAYS)})."
        )
    exceptions: list[ScheduleException] = []
    for i, item in enumerate(_items(node.raw("exceptions") or [], node.sub("exceptions"))):
        epath = f"{node.sub('exceptions')}[{i}]"
        enode = _Node(item, epath)
        if enode.has("date") == enode.has("from"):
            raise ConfigError(f"{epath} : indiquez soit « date », soit « from » et « to ».")
        if enode.has("date"):
            start = end = _date(enode.raw("date"), enode.sub("date"))
        else:
            start = _date(enode.raw("from"), enode.sub("from"))
            end = _date(enode.required("to"), enode.sub("to"))
            if end < start:
                raise ConfigError(f"{epath}.to : la fin précède le début.")
        hours = _hours(enode.raw("hours") or [], enode.sub("hours"))
        enode.raw("label")
        enode.done()
        exceptions.append(ScheduleException(start=start, end=end, hours=hours))
    node.done()
    return Schedule(name=name, timezone=tz, weekly=weekly, exceptions=tuple(exceptions))


def _detector(value: Any, path: str, base: Path) -> DetectorConfig:
    node = _Node(value if value is not None else {}, path)
    kind = node.text("type", "hog")
    if kind not in ("hog", "onnx"):
        raise ConfigError(f"{path}.type : « {kind} » inconnu (hog ou onnx).")
    model_text = node.text("model")
    model = _resolve(base, model_text) if model_text else None
    if kind == "onnx":
        if model is None:
            raise ConfigError(f"{path}.model : chemin du modèle ONNX obligatoire avec type onnx.")
        if not model.is_file():
            raise ConfigError(f"{path}.model : fichier introuvable « {model} ».")
    elif model is not None:
        raise ConfigError(f"{path}.model : un modèle ne s'indique qu'avec type onnx.")
    result = DetectorConfig(
        type=str(kind),
        model=model,
        threads=int(node.number("threads", 1, 1, 64, integer=True)),
        input_size=int(node.number("input_size", 416, 32, 1280, integer=True)),
        queue_size=int(node.number("queue_size", 16, 1, 1024, integer=True)),
    )
    node.done()
    return result


def parse_config(data: object, base: Path) -> WorkerConfig:
    """Validate an already-parsed YAML document; relative paths are resolved from base."""
    node = _Node(data, "")
    storage = _resolve(base, str(node.required("storage")))
    sched_node = _Node(node.raw("schedules") or {}, "schedules")
    schedules = {
        _name(key, sched_node.sub(str(key))): _schedule(
            str(key), sched_node.raw(key), sched_node.sub(str(key))
        )
        for key in list(sched_node.data)
    }
    sched_node.done()
    cameras = tuple(
        _camera(c, f"cameras[{i}]", base, set(schedules))
        for i, c in enumerate(_items(node.required("cameras"), "cameras"))
    )
    if not cameras:
        raise ConfigError("cameras : au moins une caméra est attendue.")
    names = [c.name for c in cameras]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"cameras : le nom « {name} » est utilisé deux fois.")
    holds = node.text("holds_file")
    events = node.text("events_file")
    result = WorkerConfig(
        storage=storage,
        cameras=cameras,
        detector=_detector(node.raw("detector"), "detector", base),
        schedules=schedules,
        holds_file=_resolve(base, holds) if holds else None,
        retention_check_seconds=node.number("retention_check_seconds", 3600.0, 1.0, 86_400.0),
        events_file=_resolve(base, events) if events else None,
    )
    node.done()
    return result


def load_config(path: Path) -> WorkerConfig:
    """Read and validate a YAML configuration file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Impossible de lire la configuration « {path} » : {exc}.") from exc
    except UnicodeDecodeError:
        raise ConfigError(f"La configuration « {path} » n'est pas en UTF-8.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"La configuration « {path} » n'est pas du YAML valide : {exc}") from exc
    return parse_config(data, path.parent.resolve())
