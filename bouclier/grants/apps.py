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
        from bouclier.core.scheduling import Job, register_job

        register_job(
            Job("grants.lapse", _("Dossiers d'aide devenus caducs"), lapse_overdue_summary)
        )

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
                _("Gestion du règlement"),
                "grants_admin:index",
                frozenset({Role.GRANTS_MANAGER, Role.ADMINISTRATOR}),
                _("dispositifs et jeux de paramètres datés"),
            ),
        )


def lapse_overdue_summary() -> str:
    """Lapse every overdue file; one line saying which (the job and the command share it)."""
    from bouclier.grants.services.applications import lapse_overdue

    numbers = lapse_overdue()
    return f"{len(numbers)} dossier(s) caduc(s)" + (f" : {', '.join(numbers)}" if numbers else "")
