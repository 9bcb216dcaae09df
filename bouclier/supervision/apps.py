"""Application configuration of the supervision context (cameras, workers, console)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "bouclier.supervision"
    label = "supervision"
    verbose_name = _("Centre de supervision")

    def ready(self) -> None:
        from bouclier.accounts.roles import Role
        from bouclier.core.navigation import NavItem, register
        from bouclier.core.scheduling import Job, register_job
        from bouclier.supervision.services_console import purge_register

        register_job(
            Job(
                "supervision.access_register.purge",
                _("Purge du registre des accès aux images après trois ans"),
                lambda: f"{purge_register()} entrée(s) du registre supprimée(s)",
            )
        )
        from bouclier.supervision.jobs import prune_received_events_summary

        register_job(
            Job(
                "supervision.ledger.prune",
                _("Purge des identifiants d'événements reçus des workers après 30 jours"),
                prune_received_events_summary,
            )
        )
        centre = frozenset({Role.CSD_OPERATOR, Role.CSD_SUPERVISOR})
        register(
            NavItem(
                _("File des alarmes"),
                "supervision:queue",
                centre,
                _("alarmes en direct, levée de doute, qualification"),
            ),
            NavItem(
                _("Incidents de supervision"),
                "supervision:incidents",
                centre | {Role.ELECTED_OFFICIAL, Role.COLLEGE_HEAD},
                _("incidents et chiffres de votre périmètre"),
            ),
            NavItem(
                _("Main courante"),
                "supervision:logbook",
                centre,
                _("le journal du centre, entrées horodatées"),
            ),
            NavItem(
                _("Registre des accès aux images"),
                "supervision:register",
                frozenset({Role.CSD_SUPERVISOR, Role.DPO}),
                _("qui a vu quelles images, quand et pourquoi"),
            ),
            NavItem(
                _("Réquisitions judiciaires"),
                "supervision:requisitions",
                centre | {Role.REQUISITIONING_OFFICER},
                _("réquisitions, scellés, extractions signées"),
            ),
            NavItem(
                _("Mur d'images en direct"),
                "supervision:wall",
                centre,
                _("images en direct d'un site ou d'une commune, motif déclaré"),
            ),
            NavItem(
                _("Tableau de bord de la supervision"),
                "supervision:dashboard",
                centre | {Role.ELECTED_OFFICIAL, Role.COLLEGE_HEAD},
                _("alarmes, fausses alarmes, délais, disponibilité, extractions"),
            ),
        )
