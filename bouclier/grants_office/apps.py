"""Application configuration of the Département's side of the aids: navigation and jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsOfficeConfig(AppConfig):
    name = "bouclier.grants_office"
    label = "grants_office"
    verbose_name = _("Aides : instruction, commission et paiements")

    def ready(self) -> None:
        from bouclier.accounts.roles import Role
        from bouclier.core.navigation import NavItem, register
        from bouclier.core.scheduling import Job, register_job

        register_job(
            Job(
                "grants.reminders",
                _("Rappels avant les échéances des dossiers d'aide"),
                reminders_summary,
            )
        )
        register(
            NavItem(
                _("Instruction des aides"),
                "grants_office:queue",
                frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
                _("file filtrée et triée, avis, ajustements, proposition en commission"),
            ),
            NavItem(
                _("Commissions permanentes"),
                "grants_office:sessions",
                frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
                _("séances, ordre du jour, votes, enveloppes, notifications"),
            ),
            NavItem(
                _("Versements des aides"),
                "grants_office:payments",
                frozenset({Role.FINANCE, Role.GRANTS_MANAGER}),
                _("avances et soldes à valider, export des ordres de paiement"),
            ),
            NavItem(
                _("Tableau de bord des aides"),
                "grants_office:dashboard",
                frozenset({Role.GRANTS_MANAGER, Role.ELECTED_OFFICIAL, Role.FINANCE}),
                _("dossiers, montants, caméras, communes aidées ; export XLSX"),
            ),
        )


def reminders_summary() -> str:
    """Send the reminders due today; one line saying how many (idempotent)."""
    from bouclier.grants_office.services import send_deadline_reminders

    return f"{send_deadline_reminders()} rappel(s) envoyé(s)"
