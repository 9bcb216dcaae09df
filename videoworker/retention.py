"""Retention purge: segments older than the camera's retention are deleted, except held ones.

The law allows at most one month (enforced by the configuration); footage named in a judicial
requisition is kept whatever its age. The holds file lists them:

    holds:
      - reference: "PV 2025/001234"      # the requisition
        camera: college-x-entree
        from: 2025-03-01T21:00:00+01:00
        to: 2025-03-01T23:00:00+01:00

Every deletion is reported as an event (so the platform can write it to its audit log),
nothing is deleted silently. Alarm snapshots follow the same retention.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from videoworker.config import ConfigError, WorkerConfig
from videoworker.events import EventSink, iso
from videoworker.recorder import Segment, SegmentIndex


@dataclass(frozen=True)
class Hold:
    reference: str
    camera: str
    start: float
    end: float

    def covers(self, segment: Segment) -> bool:
        return (
            segment.camera == self.camera and segment.end > self.start and segment.start < self.end
        )


def _instant(value: object, where: str) -> float:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{where} : date et heure ISO 8601 attendues.") from None
    else:
        raise ConfigError(f"{where} : date et heure ISO 8601 attendues.")
    if moment.tzinfo is None:
        raise ConfigError(f"{where} : le fuseau horaire est obligatoire (par ex. +01:00 ou Z).")
    return moment.timestamp()


def load_holds(path: Path | None) -> list[Hold]:
    """Read the judicial holds; a broken file stops the purge (never purge on a guess)."""
    if path is None:
        return []
    if not path.exists():
        raise ConfigError(f"Fichier des gels judiciaires introuvable : {path}.")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or set(data) - {"holds"}:
        raise ConfigError(f"{path} : une seule clé « holds » (liste) est attendue.")
    holds: list[Hold] = []
    for i, item in enumerate(data.get("holds") or []):
        where = f"{path.name}: holds[{i}]"
        if not isinstance(item, dict) or set(item) != {"reference", "camera", "from", "to"}:
            raise ConfigError(f"{where} : clés attendues reference, camera, from, to.")
        start = _instant(item["from"], f"{where}.from")
        end = _instant(item["to"], f"{where}.to")
        if end <= start:
            raise ConfigError(f"{where}.to : la fin précède le début.")
        holds.append(Hold(str(item["reference"]), str(item["camera"]), start, end))
    return holds


def purge(config: WorkerConfig, now: float, sink: EventSink) -> list[Segment]:
    """Delete expired segments and snapshots of every camera; returns the deleted segments."""
    holds = load_holds(config.holds_file)
    deleted: list[Segment] = []
    for camera in config.cameras:
        cutoff = now - camera.recording.retention_days * 86_400
        index = SegmentIndex(config.storage / "recordings" / camera.name)
        removed: set[str] = set()
        kept_for_hold = 0
        for segment in index.entries():
            if segment.end >= cutoff:
                continue
            hold = next((h for h in holds if h.covers(segment)), None)
            if hold is not None:
                kept_for_hold += 1
                continue
            # Already gone: still drop it from the index, and say so.
            with contextlib.suppress(FileNotFoundError):
                os.remove(segment.path)
            removed.add(segment.path)
            deleted.append(segment)
            sink.emit(
                "segment_deleted",
                camera.name,
                now,
                path=segment.path,
                sha256=segment.sha256,
                start=iso(segment.start),
                end=iso(segment.end),
                reason="durée de conservation échue",
                retention_days=camera.recording.retention_days,
            )
        if removed:
            index.remove(removed)
        snapshots = config.storage / "snapshots" / camera.name
        for snapshot in sorted(snapshots.rglob("*.jpg")) if snapshots.exists() else []:
            if snapshot.stat().st_mtime < cutoff:
                snapshot.unlink()
                sink.emit(
                    "snapshot_deleted",
                    camera.name,
                    now,
                    path=str(snapshot),
                    reason="durée de conservation échue",
                )
        sink.emit(
            "purge",
            camera.name,
            now,
            deleted=len(removed),
            kept_under_hold=kept_for_hold,
            cutoff=iso(cutoff),
        )
    return deleted
