"""Application configuration of the video-protection project guide."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoguideConfig(AppConfig):
    name = "bouclier.videoguide"
    label = "videoguide"
    verbose_name = _("Guide des projets de vidéoprotection")

    def ready(self) -> None:
        from bouclier.accounts.roles import Role
        from bouclier.core.navigation import NavItem, register
        from bouclier.core.scheduling import Job, register_job

        register_job(Job("videoguide.purge", _("Études expirées du guide"), _purge_studies))

        register(
            NavItem(
                _("Guide vidéoprotection"),
                "videoguide:start",
                frozenset(
                    {
                        Role.APPLICANT,
                        Role.GRANTS_INSTRUCTOR,
                        Role.GRANTS_MANAGER,
                        Role.CSD_SUPERVISOR,
                    }
                ),
                _("dimensionner, vérifier, chiffrer et financer un projet de caméras"),
            ),
            NavItem(
                _("Mes études vidéoprotection"),
                "videoguide:my_studies",
                frozenset({Role.APPLICANT}),
                _("les études enregistrées pour votre commune"),
            ),
            NavItem(
                _("Coûts unitaires du guide"),
                "grants_admin:videoguide_unitcost_changelist",
                frozenset({Role.GRANTS_MANAGER, Role.ADMINISTRATOR}),
                _("ordres de grandeur et taux de la Région, modifiables"),
            ),
        )


def _purge_studies() -> str:
    from bouclier.videoguide.services.studies import purge_expired_studies

    return f"{purge_expired_studies()} étude(s) supprimée(s)"
