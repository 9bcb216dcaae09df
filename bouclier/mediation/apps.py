"""Application configuration of the mediation context (the school-safety mediators brigade)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "bouclier.mediation"
    label = "mediation"
    verbose_name = _("Brigade des médiateurs de sécurité scolaire")

    def ready(self) -> None:
        from bouclier.accounts.roles import Role
        from bouclier.core.navigation import NavItem, register
        from bouclier.core.scheduling import Job, register_job
        from bouclier.mediation.services import anonymise_due

        register_job(
            Job(
                "mediation.anonymise",
                _("Anonymisation des situations closes depuis deux ans"),
                lambda: f"{anonymise_due()} situation(s) anonymisée(s)",
            )
        )

        brigade = frozenset({Role.MEDIATOR, Role.MEDIATION_LEAD})
        register(
            NavItem(
                _("Médiation scolaire"),
                "mediation:index",
                brigade | {Role.COLLEGE_HEAD},
                _("saisines, situations et tâches de suivi"),
            ),
            NavItem(
                _("Saisir la brigade"),
                "mediation:request_new",
                frozenset({Role.COLLEGE_HEAD}),
                _("une demande d'intervention, urgente ou non"),
            ),
            NavItem(
                _("Prévention"),
                "mediation:prevention",
                brigade,
                _("ateliers et sensibilisations dans les collèges"),
            ),
            NavItem(
                _("Planning"),
                "mediation:planning",
                brigade,
                _("la semaine de chaque médiateur"),
            ),
            NavItem(
                _("Charge de la brigade"),
                "mediation:workload",
                frozenset({Role.MEDIATION_LEAD}),
                _("situations ouvertes et suivis en retard par médiateur"),
            ),
            NavItem(
                _("Indicateurs de la médiation"),
                "mediation:indicators",
                brigade | {Role.ELECTED_OFFICIAL},
                _("indicateurs du programme et rapport annuel"),
            ),
            NavItem(
                _("Droits d'un élève"),
                "mediation:pupil_export",
                frozenset({Role.MEDIATION_LEAD, Role.DPO}),
                _("export des données d'un élève par son code"),
            ),
        )
