"""Judicial requisitions: the officer's request, the footage under hold, its signed extraction.

A requisition names the requisitioning officer and their service, the requisition's reference,
date and legal framework, the cameras, the time range and the recipient. Once registered (by a
supervisor, or validated when an officer submitted it), the footage it covers is under
**judicial hold**: never purged while the hold stands, whatever its age (CSI L252-5), until a
supervisor releases it with a reason. The extraction (files, signed manifest, procès-verbal)
and the hand-over are recorded on the same row; every step is written by
``services_judicial`` only, to the audit trail and to the access register.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Requisition(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Déposée, à valider")
        REGISTERED = "registered", _("Enregistrée, images sous scellé")
        EXTRACTED = "extracted", _("Extraite")
        HANDED_OVER = "handed_over", _("Remise")
        REFUSED = "refused", _("Refusée")

    class Framework(models.TextChoices):
        FLAGRANCE = "flagrance", _("Enquête de flagrance (art. 60-1 CPP)")
        PRELIMINARY = "preliminary", _("Enquête préliminaire (art. 77-1-1 CPP)")
        ROGATORY = "rogatory", _("Commission rogatoire (art. 99-3 et 151 CPP)")
        OTHER = "other", _("Autre cadre légal (préciser)")

    status = models.CharField(
        _("état"), max_length=15, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    officer_name = models.CharField(_("officier requérant (nom, grade)"), max_length=200)
    officer_service = models.CharField(_("service de l'officier"), max_length=200)
    reference = models.CharField(_("référence de la réquisition"), max_length=100)
    requisition_date = models.DateField(_("date de la réquisition"))
    legal_framework = models.CharField(_("cadre légal"), max_length=15, choices=Framework.choices)
    legal_framework_detail = models.CharField(
        _("précisions sur le cadre légal"), max_length=300, blank=True
    )
    recipient = models.CharField(
        _("destinataire des images"),
        max_length=300,
        help_text=_("Service et personne à qui les images sont remises."),
    )
    requested_places = models.TextField(
        _("lieux demandés"),
        blank=True,
        help_text=_("Lieux ou caméras visés, tels que décrits par l'officier."),
    )
    cameras = models.ManyToManyField(
        "supervision.Camera", blank=True, related_name="requisitions", verbose_name=_("caméras")
    )
    range_start = models.DateTimeField(_("début de la période"))
    range_end = models.DateTimeField(_("fin de la période"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("déposée par"),
    )
    submitted_at = models.DateTimeField(_("déposée le"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    registered_at = models.DateTimeField(_("enregistrée le"), null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    # The judicial hold: from registration until a supervisor releases it.
    hold_placed_at = models.DateTimeField(_("scellé posé le"), null=True, blank=True)
    hold_released_at = models.DateTimeField(_("scellé levé le"), null=True, blank=True)
    hold_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scellé levé par"),
    )
    hold_release_reason = models.TextField(_("motif de la levée du scellé"), blank=True)
    # The extraction.
    extracted_at = models.DateTimeField(_("extraite le"), null=True, blank=True)
    extracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("extraite par"),
    )
    extraction_dir = models.CharField(_("dossier de l'extraction"), max_length=500, blank=True)
    manifest_sha256 = models.CharField(_("SHA-256 du manifeste"), max_length=64, blank=True)
    # The hand-over, against signature.
    handed_over_at = models.DateTimeField(_("remise le"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("remise par"),
    )
    handed_over_to = models.CharField(_("remise à"), max_length=300, blank=True)
    medium = models.CharField(_("support"), max_length=200, blank=True)
    hand_over_note = models.TextField(_("observations de la remise"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(range_end__gt=models.F("range_start")),
                name="supervision_requisition_range_ordered",
            )
        ]
        verbose_name = _("réquisition judiciaire")
        verbose_name_plural = _("réquisitions judiciaires")

    def __str__(self) -> str:
        return str(_("Réquisition %(ref)s") % {"ref": self.reference})

    @property
    def hold_active(self) -> bool:
        return self.hold_placed_at is not None and self.hold_released_at is None
