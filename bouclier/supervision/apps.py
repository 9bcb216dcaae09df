"""Application configuration of the supervision context (cameras, workers, ingestion API)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "bouclier.supervision"
    label = "supervision"
    verbose_name = _("Centre de supervision")
