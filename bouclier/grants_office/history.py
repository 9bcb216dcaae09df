"""The full history of a file, read from the audit journal, for the Département's staff.

Every service that changes a file writes to the journal with the file as target, so the
journal is the history: nothing is copied. Action codes are shown in plain French; a code
without a label (a newer service) is shown as it is rather than hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from bouclier.accounts.roles import Role
from bouclier.audit.models import AuditEntry
from bouclier.grants.models_files import Application

APPLICATION_LABEL = Application._meta.label_lower  # what record() stores as object_type

ACTION_LABELS: dict[str, Any] = {
    "grants.application.created": _("Dossier créé (brouillon)"),
    "grants.application.edited": _("Dossier modifié"),
    "grants.document.uploaded": _("Pièce déposée"),
    "grants.application.submitted": _("Dossier déposé"),
    "grants.application.documents_requested": _("Pièces demandées au demandeur"),
    "grants.application.documents_provided": _("Pièces fournies par le demandeur"),
    "grants.application.instruction_started": _("Mise en instruction"),
    "grants.application.base_adjusted": _("Base éligible ajustée"),
    "grants.opinion.requested": _("Avis demandé"),
    "grants.opinion.given": _("Avis rendu"),
    "grants.message.posted": _("Message échangé avec le demandeur"),
    "grants.annotation.written": _("Annotation privée écrite"),
    "grants.application.proposed": _("Proposé à la Commission permanente"),
    "grants.session.item_added": _("Inscrit à l'ordre du jour d'une séance"),
    "grants.session.vote": _("Vote de la Commission permanente enregistré"),
    "grants.application.granted": _("Aide accordée"),
    "grants.application.refused": _("Aide refusée"),
    "grants.application.withdrawn": _("Dossier retiré par le demandeur"),
    "grants.application.notified": _("Décision notifiée au bénéficiaire"),
    "grants.payment.advance_requested": _("Avance demandée"),
    "grants.payment.advance_paid": _("Avance versée"),
    "grants.payment.balance_requested": _("Solde demandé"),
    "grants.payment.balance_paid": _("Solde versé"),
    "grants.application.lapsed": _("Dossier devenu caduc"),
}


@dataclass(frozen=True)
class Event:
    at: Any
    who: str
    organisation: str
    roles: str
    action: str
    code: str
    reason: str


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def roles_label(codes: str) -> str:
    """The roles held when acting, in words (codes unknown today are kept as they are)."""
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes.split(",") if code)


def file_history(application: Application) -> list[Event]:
    """The file's journal entries, oldest first. For the staff only: never show to applicants
    (annotations and opinions appear in it)."""
    entries = AuditEntry.objects.filter(
        object_type=APPLICATION_LABEL, object_id=str(application.pk)
    ).order_by("sequence")
    return [
        Event(
            at=entry.created_at,
            who=entry.actor_label or str(_("le système (tâche planifiée)")),
            organisation=entry.organisation,
            roles=roles_label(entry.role),
            action=action_label(entry.action),
            code=entry.action,
            reason=entry.reason,
        )
        for entry in entries
    ]
