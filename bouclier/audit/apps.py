"""Application configuration of the audit trail."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "bouclier.audit"
    label = "audit"
    verbose_name = _("Journal d'audit")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from bouclier.audit.maintenance import register_sqlite_function

        connection_created.connect(register_sqlite_function)
        from bouclier.accounts.roles import Role
        from bouclier.core.navigation import NavItem, register

        register(
            NavItem(
                _("Journal d'audit"),
                "audit:journal",
                frozenset({Role.DPO, Role.ADMINISTRATOR}),
                _("rechercher, exporter et vérifier le journal"),
            )
        )
