"""Application configuration of the accounts context."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bouclier.accounts"
    label = "accounts"
    verbose_name = _("Comptes et droits")

    def ready(self) -> None:
        from bouclier.accounts import signals  # noqa: F401  (connects the receivers)
        from bouclier.accounts.roles import Role
        from bouclier.core.navigation import NavItem, register

        register(
            NavItem(_("Mon compte"), "accounts:profile", frozenset(Role)),
            NavItem(
                _("Administration"),
                "admin:index",
                frozenset({Role.ADMINISTRATOR}),
                _("comptes, rôles et données de référence"),
            ),
        )
