"""Application configuration of the page shell."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bouclier.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self) -> None:
        from bouclier.core import jobs

        jobs.register()
