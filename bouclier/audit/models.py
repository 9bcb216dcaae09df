"""The audit journal: entries chained by SHA-256, refused any update or deletion.

Entries hold snapshots (the actor's e-mail, organisation and role as they were) rather than
foreign keys, so that deleting a user later can neither cascade into the journal nor change a
hashed row. The database refuses UPDATE and DELETE on the table through triggers (see the
migration); the model refuses them too, so a mistake in code fails loudly.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a journal entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Le journal d'audit ne peut pas être modifié.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Le journal d'audit ne peut pas être effacé.")


class AuditEntry(models.Model):
    sequence = models.PositiveBigIntegerField(_("numéro"), unique=True)
    created_at = models.DateTimeField(_("date"), db_index=True)
    actor_id = models.BigIntegerField(_("identifiant de l'auteur"), null=True, blank=True)
    actor_label = models.CharField(_("auteur"), max_length=254, blank=True, db_index=True)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    role = models.CharField(_("rôle"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("type d'objet"), max_length=100, blank=True)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    object_repr = models.CharField(_("objet"), max_length=300, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    data = models.JSONField(_("détails"), default=dict, blank=True)
    prev_hash = models.CharField(_("empreinte précédente"), max_length=64)
    entry_hash = models.CharField(_("empreinte"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("entrées du journal")
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Le journal d'audit ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Le journal d'audit ne peut pas être effacé.")


class ChainHead(models.Model):
    """The single row that holds the chain's last number and hash.

    Appending locks it (SELECT ... FOR UPDATE), which serialises writers; comparing it with
    the last entry also reveals entries cut off the end of the chain.
    """

    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("tête de chaîne")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.last_hash[:12]}"
