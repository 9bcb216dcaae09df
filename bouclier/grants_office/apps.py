"""Application configuration of the Département's side of the aids: navigation, jobs and the
dashboard summary's signal receivers."""

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

        connect_summary()
        register_job(
            Job(
                "grants.dashboard_summary",
                _("Recalcul de la synthèse du tableau de bord des aides"),
                rebuild_summary,
            )
        )
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


def connect_summary() -> None:
    """Keep the dashboard's summary in step with every save of a file or of its cameras."""
    from django.db.models.signals import post_delete, post_init, post_save

    from bouclier.grants.models_files import Application, CameraSite
    from bouclier.grants_office import summary

    uid = "grants_office.summary"
    post_init.connect(summary.application_loaded, sender=Application, dispatch_uid=uid)
    post_save.connect(summary.application_saved, sender=Application, dispatch_uid=uid)
    post_delete.connect(summary.application_deleted, sender=Application, dispatch_uid=uid)
    post_save.connect(summary.camera_changed, sender=CameraSite, dispatch_uid=uid)
    post_delete.connect(summary.camera_changed, sender=CameraSite, dispatch_uid=uid)


def rebuild_summary() -> str:
    """Recompute the dashboard's summary from the files (idempotent safety net)."""
    from bouclier.grants_office.summary import rebuild

    return rebuild()
