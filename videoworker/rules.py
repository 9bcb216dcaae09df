"""Alarm rules: zones, classes, minimum size, score and persistence, arming schedule, cooldown.

A rule "holds" when an object of an armed class, big and sure enough, has its feet (the
bottom centre of its box) inside one of the rule's zones for `persistence` seconds while the
schedule is armed. It then raises ONE alarm for the event; the event lasts as long as such
objects keep being seen with gaps shorter than the cooldown, so a person walking about for
ten minutes is one alarm, not three hundred.
"""

from __future__ import annotations

from dataclasses import dataclass

from videoworker.config import CameraConfig, Polygon, RuleConfig, Schedule
from videoworker.detectors import Detection


def point_in_polygon(x: float, y: float, polygon: Polygon) -> bool:
    inside = False
    j = len(polygon) - 1
    for i in range(len(polygon)):
        xi, yi = polygon[i]
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


@dataclass
class _State:
    first_seen: float | None = None
    last_seen: float | None = None
    alarmed: bool = False


@dataclass(frozen=True)
class Firing:
    rule: RuleConfig
    detections: list[Detection]  # boxes in fractions of the frame


class RuleEngine:
    def __init__(self, camera: CameraConfig, schedules: dict[str, Schedule]) -> None:
        self.camera = camera
        self.schedules = schedules
        self._states = {rule.name: _State() for rule in camera.rules}
        # A detector misses a person now and then; a streak survives gaps this long.
        self.gap_tolerance = max(1.0, 2.5 / camera.analysis.rate)

    def is_armed(self, rule: RuleConfig, now: float) -> bool:
        if rule.schedule is None:
            return True
        return self.schedules[rule.schedule].is_armed(now)

    def any_armed(self, now: float) -> bool:
        return any(self.is_armed(rule, now) for rule in self.camera.rules)

    def wanted_classes(self, now: float) -> set[str]:
        return {c for rule in self.camera.rules if self.is_armed(rule, now) for c in rule.classes}

    def matches(self, rule: RuleConfig, detection: Detection) -> bool:
        x0, y0, x1, y1 = detection.box
        if detection.label not in rule.classes or detection.score < rule.score:
            return False
        if x1 - x0 < rule.min_width or y1 - y0 < rule.min_height:
            return False
        if not rule.zones:
            return True
        foot_x, foot_y = (x0 + x1) / 2, y1
        return any(point_in_polygon(foot_x, foot_y, self.camera.zones[z]) for z in rule.zones)

    def update(self, now: float, detections: list[Detection]) -> list[Firing]:
        """Feed one analysed frame's detections (fractions of the frame); returns new alarms."""
        fired: list[Firing] = []
        for rule in self.camera.rules:
            state = self._states[rule.name]
            if not self.is_armed(rule, now):
                # Disarmed: nothing builds up, so arming does not fire on an old streak.
                state.first_seen = None
                continue
            matching = [d for d in detections if self.matches(rule, d)]
            if matching:
                stale = state.last_seen is None or now - state.last_seen > self.gap_tolerance
                if state.first_seen is None or stale:
                    state.first_seen = now
                state.last_seen = now
                if not state.alarmed and now - state.first_seen >= rule.persistence:
                    state.alarmed = True
                    fired.append(Firing(rule, matching))
                continue
            if state.last_seen is None:
                continue
            if state.alarmed and now - state.last_seen >= rule.cooldown:
                state.alarmed = False  # the event is over; the next one raises a new alarm
            if not state.alarmed and now - state.last_seen > self.gap_tolerance:
                state.first_seen = None
        return fired
