"""Writing to the journal (one function for every context) and verifying its chain."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from bouclier.audit.models import GENESIS_HASH, AuditEntry, ChainHead

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

ACTION_RE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*){2,}$")
HASHED_FIELDS = (
    "sequence",
    "created_at",
    "actor_id",
    "actor_label",
    "organisation",
    "role",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "reason",
    "ip_address",
    "data",
    "prev_hash",
)


def compute_hash(entry: AuditEntry) -> str:
    """Hash an entry's content and its predecessor's hash (canonical JSON, SHA-256)."""
    content: dict[str, Any] = {name: getattr(entry, name) for name in HASHED_FIELDS}
    content["created_at"] = entry.created_at.astimezone(datetime.UTC).isoformat()
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def client_address(request: HttpRequest) -> str | None:
    """Return the client's address as the server (or its trusted proxy) saw it."""
    from django.conf import settings

    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return str(hops[-proxies])
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def _actor_snapshot(
    actor: AbstractBaseUser | AnonymousUser | None,
) -> tuple[int | None, str, str, str]:
    if actor is None or not actor.is_authenticated:
        return None, "", "", ""
    from bouclier.accounts.access import active_memberships

    memberships = list(active_memberships(actor))
    roles = sorted({m.role for m in memberships})
    organisations = sorted({m.organisation.name for m in memberships})
    label = str(getattr(actor, "email", "") or actor.get_username())
    return int(actor.pk), label, " ; ".join(organisations), ",".join(roles)


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    target: models.Model | None = None,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    role: str = "",
    organisation: str = "",
) -> AuditEntry:
    """Append one entry to the journal; the only way any context writes to it.

    ``action`` is a namespaced code such as ``accounts.user.logged_in``. The actor defaults
    to the request's user; ``role`` and ``organisation`` default to all those the actor holds.
    """
    if not ACTION_RE.match(action):
        raise ValueError(f"Code d'action invalide : {action!r} (attendu : app.objet.verbe)")
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    actor_id, actor_label, held_orgs, held_roles = _actor_snapshot(actor)
    with transaction.atomic():
        head, _created = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            sequence=head.sequence + 1,
            created_at=timezone.now(),
            actor_id=actor_id,
            actor_label=actor_label,
            organisation=(organisation or held_orgs)[:300],
            role=(role or held_roles)[:300],
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            object_repr=str(target)[:300] if target is not None else "",
            reason=reason,
            ip_address=client_address(request) if request is not None else None,
            data=json.loads(json.dumps(dict(data or {}), default=str)),
            prev_hash=head.last_hash,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save()
        head.sequence, head.last_hash = entry.sequence, entry.entry_hash
        head.save(update_fields=["sequence", "last_hash"])
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_sequence: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_sequence is None and not self.problem


def verify_entries(entries: Iterable[AuditEntry], head: ChainHead | None) -> ChainReport:
    """Walk the entries in order and report the first one whose link or content is wrong."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in entries:
        if entry.sequence != expected_seq:
            return ChainReport(
                checked, expected_seq, f"entrée n° {expected_seq} manquante (supprimée ?)"
            )
        if entry.prev_hash != expected_prev:
            return ChainReport(
                checked,
                entry.sequence,
                f"entrée n° {entry.sequence} : lien vers l'entrée précédente rompu",
            )
        if compute_hash(entry) != entry.entry_hash:
            return ChainReport(
                checked,
                entry.sequence,
                f"entrée n° {entry.sequence} : contenu modifié après écriture",
            )
        expected_prev, expected_seq, checked = entry.entry_hash, expected_seq + 1, checked + 1
    if head is not None and (head.sequence != expected_seq - 1 or head.last_hash != expected_prev):
        return ChainReport(
            checked,
            expected_seq,
            f"fin de chaîne : {head.sequence} entrées attendues, "
            f"{expected_seq - 1} trouvées (entrées finales supprimées ?)",
        )
    return ChainReport(checked)


def verify_chain() -> ChainReport:
    """Verify the whole journal as stored in the database."""
    entries = AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000)
    return verify_entries(entries, ChainHead.objects.filter(pk=1).first())
