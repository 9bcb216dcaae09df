"""Studies: their state changes (journalled) and their reading by the pure computations.

State changes are here and nowhere else: creating a study, changing it, adding or removing a
camera, saving it to an applicant's account, purging the expired ones. Anonymous drafting is
not journalled camera by camera (a study holds no personal data and anyone may start one); the
journal records the acts that matter: a study's creation, its saving by an applicant (who then
answers for it) and the purge.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bouclier.accounts.access import communes_for, has_role
from bouclier.accounts.roles import Role
from bouclier.audit.services import record
from bouclier.grants.services.reglement import parameters_in_force
from bouclier.grants.services.rules import RuleError, Rules
from bouclier.videoguide.models import (
    MAX_CAMERAS,
    Camera,
    PriorityZone,
    QuantityRule,
    RegionRate,
    Study,
    Supervision,
    UnitCost,
)
from bouclier.videoguide.services.checklist import ChecklistItem, Facts, checklist_for
from bouclier.videoguide.services.funding import BudgetLine, Funding, fund
from bouclier.videoguide.services.sizing import (
    MAX_RETENTION_DAYS,
    CameraSpec,
    Codec,
    Level,
    PlanCheck,
    RecordingMode,
    RecordingPlace,
    check_plan,
)

if TYPE_CHECKING:
    from bouclier.accounts.models import User

VIDEO_AID_LINE = "videoprotection"
LIFETIME = datetime.timedelta(days=365)  # an anonymous study is kept a year


class StudyError(Exception):
    """A refused change; its message is French and shown as is."""


# --- state changes ---------------------------------------------------------------------------


def create_study(request: HttpRequest | None, **fields: Any) -> Study:
    """Start a study (no account needed); it expires in a year unless an applicant saves it."""
    with transaction.atomic():
        study = Study.objects.create(expires_at=timezone.localdate() + LIFETIME, **fields)
        record(
            "videoguide.study.created",
            request=request,
            target=study,
            data={"commune": study.commune.insee_code},
        )
    return study


# Fields a visitor may change through the guide's forms (never the token, owner or expiry).
EDITABLE_FIELDS = frozenset(
    {
        "commune",
        "name",
        "beneficiary",
        "priority_zones",
        "zones_note",
        "retention_days",
        "supervision",
        "recording_place",
        "first_installation",
        "priority_security_zone",
        "state_funding",
        "unit_costs",
    }
)


def update_study(study: Study, changes: Mapping[str, Any]) -> Study:
    """Apply a form's valid changes; refuses the fields a visitor may not change."""
    refused = set(changes) - EDITABLE_FIELDS
    if refused:
        raise StudyError(_("Champs non modifiables : %(f)s.") % {"f": ", ".join(sorted(refused))})
    retention = changes.get("retention_days", study.retention_days)
    if not 1 <= retention <= MAX_RETENTION_DAYS:
        raise StudyError(
            _("La durée de conservation doit être comprise entre 1 et %(max)s jours.")
            % {"max": MAX_RETENTION_DAYS}
        )
    for name, value in changes.items():
        setattr(study, name, value)
    study.save()
    return study


def add_camera(study: Study, camera: Camera) -> Camera:
    """Attach ``camera`` (built from a valid form) to ``study``, within the plan's limit."""
    if study.cameras.count() >= MAX_CAMERAS:
        raise StudyError(
            _("Une étude compte au plus %(max)s caméras : scindez le projet.")
            % {"max": MAX_CAMERAS}
        )
    camera.study = study
    camera.save()
    study.save(update_fields=["updated_at"])
    return camera


def update_camera(camera: Camera) -> Camera:
    """Save a camera changed through a valid form."""
    camera.save()
    camera.study.save(update_fields=["updated_at"])
    return camera


def remove_camera(study: Study, camera_id: int) -> None:
    deleted, _rows = study.cameras.filter(pk=camera_id).delete()
    if not deleted:
        raise StudyError(_("Cette caméra n'existe plus dans l'étude."))
    study.save(update_fields=["updated_at"])


def save_for_applicant(study: Study, user: User, request: HttpRequest | None = None) -> Study:
    """Keep the study in the account of an applicant of its commune: it no longer expires."""
    if not has_role(user, Role.APPLICANT):
        raise StudyError(
            _("Seul un demandeur d'aide (commune ou EPCI) peut enregistrer une étude.")
        )
    if not communes_for(user, Role.APPLICANT).filter(pk=study.commune_id).exists():
        raise StudyError(
            _("Vous ne représentez pas %(commune)s : l'étude ne peut pas être enregistrée.")
            % {"commune": study.commune.name}
        )
    if study.owner_id == user.pk:
        raise StudyError(_("Cette étude est déjà enregistrée dans votre compte."))
    with transaction.atomic():
        study.owner = user
        study.expires_at = None
        study.save(update_fields=["owner", "expires_at", "updated_at"])
        record("videoguide.study.saved", request=request, actor=user, target=study)
    return study


def purge_expired_studies(on_date: datetime.date | None = None) -> int:
    """Delete the studies whose date has passed (never a saved one); returns how many."""
    today = on_date or timezone.localdate()
    with transaction.atomic():
        expired = Study.objects.filter(expires_at__isnull=False, expires_at__lte=today)
        count = expired.count()
        if count:
            expired.delete()
            record(
                "videoguide.study.purged",
                data={"count": count, "date": today.isoformat()},
                reason=_("Études anonymes arrivées à expiration"),
            )
    return count


# --- reading a study -------------------------------------------------------------------------


def camera_spec(camera: Camera) -> CameraSpec:
    return CameraSpec(
        label=camera.place,
        level=Level(camera.level),
        distance_m=float(camera.distance_m),
        hfov_deg=float(camera.hfov_deg),
        width_px=camera.width_px,
        height_px=camera.height_px,
        fps=camera.fps,
        codec=Codec(camera.codec),
        mode=RecordingMode(camera.recording_mode),
        motion_share=camera.motion_percent / 100,
        hours_per_day=float(camera.hours_per_day),
        narrow_field=camera.narrow_field,
        fast_moving=camera.fast_moving,
    )


def cameras_of(study: Study) -> list[Camera]:
    return list(study.cameras.all())


def plan_check(study: Study, cameras: list[Camera] | None = None) -> PlanCheck:
    cameras = cameras_of(study) if cameras is None else cameras
    return check_plan(
        [camera_spec(c) for c in cameras],
        study.retention_days,
        RecordingPlace(study.recording_place),
    )


def checklist(study: Study, cameras: list[Camera] | None = None) -> list[ChecklistItem]:
    cameras = cameras_of(study) if cameras is None else cameras
    return checklist_for(
        Facts(
            camera_count=len(cameras),
            views_homes=any(c.views_homes for c in cameras),
            films_college=any(c.films_college for c in cameras),
            retention_days=study.retention_days,
        )
    )


def _quantity(rule: str, study: Study, camera_count: int) -> int:
    local = study.supervision == Supervision.LOCAL
    if rule == QuantityRule.PER_CAMERA:
        return camera_count
    if rule == QuantityRule.LOCAL_SUPERVISION:
        return 1 if local and camera_count else 0
    if rule == QuantityRule.REMOTE_SUPERVISION:
        return 1 if not local and camera_count else 0
    return 0


def unit_cost_of(study: Study, unit_cost: UnitCost) -> tuple[Decimal, bool]:
    """The study's own figure for a unit cost if it has one, else the default."""
    own = study.unit_costs.get(unit_cost.code)
    if own is None:
        return unit_cost.amount, True
    return Decimal(str(own)), False


def budget_lines(study: Study, cameras: list[Camera] | None = None) -> list[BudgetLine]:
    cameras = cameras_of(study) if cameras is None else cameras
    lines = []
    for unit_cost in UnitCost.objects.all():
        amount, is_default = unit_cost_of(study, unit_cost)
        quantity = _quantity(unit_cost.quantity_rule, study, len(cameras))
        if quantity:
            lines.append(
                BudgetLine(
                    code=unit_cost.code,
                    label=unit_cost.label,
                    category=unit_cost.grants_category,
                    quantity=quantity,
                    unit_cost=amount,
                    is_default=is_default,
                )
            )
    return lines


def video_rules() -> Rules | None:
    """The video-protection rules in force today, or None (none in force, or unreadable)."""
    parameter_set = parameters_in_force(VIDEO_AID_LINE)
    if parameter_set is None:
        return None
    try:
        return parameter_set.rules()
    except RuleError:
        return None


def region_rate_for(study: Study) -> RegionRate | None:
    return RegionRate.objects.filter(
        first_installation=study.first_installation,
        priority_security_zone=study.priority_security_zone,
    ).first()


def covering_cameras(cameras: list[Camera]) -> int:
    return sum(1 for c in cameras if c.films_college or c.films_departmental_site)


def funding(study: Study, cameras: list[Camera] | None = None) -> Funding:
    cameras = cameras_of(study) if cameras is None else cameras
    region = region_rate_for(study)
    return fund(
        budget_lines(study, cameras),
        rules=video_rules(),
        beneficiary=study.beneficiary,
        covering_cameras=covering_cameras(cameras),
        region_rate=region.rate if region is not None else Decimal(0),
        state_funding=study.state_funding,
    )


def study_to_application_data(study: Study) -> dict[str, Any]:
    """The study in the shape a draft aid application needs (video-protection aid line).

    JSON-ready values (amounts as strings of ``Decimal``). The keys follow the teleservice's
    draft steps: ``title``/``description``/``beneficiary``/``conditions`` (the project),
    ``expense_lines`` (category, quantity, unit_cost, description: one expense line each),
    ``cameras`` (place, count, bonus: one camera site each, ``bonus`` naming the règlement's
    per-camera bonus when the camera covers a collège or a departmental site, with the
    technical details alongside) and ``funders`` (name, amount, is_public, status). The
    expense lines are those of the guide's own Département computation, so a draft made from
    them computes the aid the guide showed (``estimated_department_aid``).
    """
    cameras = cameras_of(study)
    result = funding(study, cameras)
    rules = video_rules()
    camera_bonuses = (
        [b.code for b in rules.unit_bonuses if "camera" in b.counted_categories] if rules else []
    )
    bonus_code = camera_bonuses[0] if camera_bonuses else ""
    funders = [
        {"name": name, "amount": str(amount), "is_public": True, "status": "planned"}
        for name, amount in (
            ("Région Île-de-France", result.region_amount),
            ("État (FIPD)", result.state_amount),
        )
        if amount
    ]
    zones = [str(PriorityZone(code).label) for code in study.priority_zones]
    description = _(
        "Projet préparé avec le guide vidéoprotection : %(n)s caméra(s), conservation"
        " %(days)s jours, supervision %(supervision)s."
    ) % {
        "n": len(cameras),
        "days": study.retention_days,
        "supervision": str(study.get_supervision_display()).lower(),
    }
    if zones:
        description += " " + _("Zones prioritaires : %(z)s.") % {"z": ", ".join(zones)}
    return {
        "aid_line": VIDEO_AID_LINE,
        "commune_insee_code": study.commune.insee_code,
        "commune_name": study.commune.name,
        "study_token": study.token,
        "title": study.name or _("Vidéoprotection – %(c)s") % {"c": study.commune.name},
        "description": description,
        "beneficiary": study.beneficiary,
        "conditions": [],
        "expense_lines": [
            {
                "category": line.category,
                "quantity": line.quantity,
                "unit_cost": str(line.unit_cost),
                "description": line.label,
            }
            for line in result.lines
        ],
        "cameras": [
            {
                "place": c.place,
                "count": 1,
                "bonus": bonus_code if (c.films_college or c.films_departmental_site) else "",
                "details": {
                    "purpose": c.purpose,
                    "purpose_label": str(c.get_purpose_display()),
                    "level": c.level,
                    "distance_m": str(c.distance_m),
                    "hfov_deg": str(c.hfov_deg),
                    "resolution": c.resolution,
                    "fps": c.fps,
                    "codec": c.codec,
                    "recording_mode": c.recording_mode,
                    "hours_per_day": c.hours_per_day,
                    "views_homes": c.views_homes,
                    "films_college": c.films_college,
                    "films_departmental_site": c.films_departmental_site,
                },
            }
            for c in cameras
        ],
        "bonus_units": {code: covering_cameras(cameras) for code in camera_bonuses},
        "funders": funders,
        "retention_days": study.retention_days,
        "estimated_department_aid": str(result.department_amount),
    }
