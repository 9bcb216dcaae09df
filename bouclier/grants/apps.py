"""Application configuration of the grants context (aid lines, règlement, simulation)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "bouclier.grants"
    label = "grants"
    verbose_name = _("Aides aux communes et EPCI")

    def ready(self) -> None:
        from bouclier.accounts.roles import Role
        from bouclier.core.navigation import NavItem, register

        register(
            NavItem(
                _("Simuler une aide"),
                "grants:simulation",
                frozenset({Role.APPLICANT, Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
                _("montant et explication ligne par ligne, sans déposer de dossier"),
            ),
            NavItem(
                _("Règlement des aides"),
                "grants:reglement",
                frozenset(
                    {
                        Role.APPLICANT,
                        Role.GRANTS_INSTRUCTOR,
                        Role.GRANTS_MANAGER,
                        Role.FINANCE,
                        Role.ELECTED_OFFICIAL,
                    }
                ),
                _("taux, plafonds, pièces et délais en vigueur"),
            ),
            NavItem(
                _("Mes demandes d'aide"),
                "grants:files",
                frozenset({Role.APPLICANT}),
                _("brouillons, dépôts, pièces, messages et versements"),
            ),
            NavItem(
                _("Dossiers à instruire"),
                "grants:queue",
                frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
                _("file des dossiers déposés, pièces manquantes, instruction"),
            ),
            NavItem(
                _("Gestion du règlement"),
                "grants_admin:index",
                frozenset({Role.GRANTS_MANAGER, Role.ADMINISTRATOR}),
                _("dispositifs et jeux de paramètres datés"),
            ),
        )
