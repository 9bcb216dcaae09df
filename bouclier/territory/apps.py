"""Application configuration of the territory context."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "bouclier.territory"
    label = "territory"
    verbose_name = _("Territoire")

    def ready(self) -> None:
        from bouclier.accounts.access import DEPARTMENT_WIDE
        from bouclier.core.navigation import NavItem, register

        register(
            NavItem(
                _("Territoire"),
                "territory:directory",
                DEPARTMENT_WIDE,
                _("communes, EPCI, collèges et sites départementaux"),
            )
        )
