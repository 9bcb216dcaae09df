"""The roles a person can hold in the programme, and which organisations may grant each."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class OrganisationKind(models.TextChoices):
    DEPARTMENT_SERVICE = "department_service", _("Service du Département")
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Intercommunalité (EPCI)")
    COLLEGE = "college", _("Collège")
    PARTNER_FORCE = "partner_force", _("Force de sécurité partenaire")
    PARTNER = "partner", _("Autre partenaire")


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Demandeur d'aide (commune ou EPCI)")
    GRANTS_INSTRUCTOR = "grants_instructor", _("Instructeur des aides")
    GRANTS_MANAGER = "grants_manager", _("Gestionnaire des aides")
    FINANCE = "finance", _("Service financier")
    ELECTED_OFFICIAL = "elected_official", _("Élu (tableaux de bord)")
    CSD_OPERATOR = "csd_operator", _("Opérateur du centre de supervision")
    CSD_SUPERVISOR = "csd_supervisor", _("Superviseur du centre de supervision")
    REQUISITIONING_OFFICER = "requisitioning_officer", _("Officier requérant")
    MEDIATOR = "mediator", _("Médiateur")
    MEDIATION_LEAD = "mediation_lead", _("Chef de groupe de la médiation")
    COLLEGE_HEAD = "college_head", _("Chef d'établissement")
    DPO = "dpo", _("Délégué à la protection des données")
    ADMINISTRATOR = "administrator", _("Administrateur")


# Which kinds of organisation a role can be held in: an applicant speaks for a commune or an
# EPCI, a collège head for a collège, an officer for a partner force; the programme's own
# staff belong to a service of the Département.
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.APPLICANT: frozenset({OrganisationKind.COMMUNE, OrganisationKind.EPCI}),
    Role.ELECTED_OFFICIAL: frozenset(
        {OrganisationKind.DEPARTMENT_SERVICE, OrganisationKind.COMMUNE, OrganisationKind.EPCI}
    ),
    Role.COLLEGE_HEAD: frozenset({OrganisationKind.COLLEGE}),
    Role.REQUISITIONING_OFFICER: frozenset({OrganisationKind.PARTNER_FORCE}),
}
DEPARTMENT_ONLY = frozenset({OrganisationKind.DEPARTMENT_SERVICE})


def allowed_kinds(role: Role | str) -> frozenset[OrganisationKind]:
    """Return the organisation kinds in which ``role`` may be held."""
    return ROLE_ORGANISATION_KINDS.get(Role(role), DEPARTMENT_ONLY)


ROLE_DESCRIPTIONS: dict[Role, StrOrPromise] = {
    Role.APPLICANT: _(
        "Vous déposez et suivez les demandes d'aide de votre commune ou intercommunalité."
    ),
    Role.GRANTS_INSTRUCTOR: _("Vous instruisez les dossiers de demande d'aide."),
    Role.GRANTS_MANAGER: _("Vous tenez le règlement des aides et pilotez les commissions."),
    Role.FINANCE: _("Vous engagez et mandatez les paiements des aides."),
    Role.ELECTED_OFFICIAL: _("Vous consultez les tableaux de bord du programme."),
    Role.CSD_OPERATOR: _("Vous traitez les alarmes du centre de supervision départemental."),
    Role.CSD_SUPERVISOR: _("Vous encadrez le centre de supervision et ses procédures."),
    Role.REQUISITIONING_OFFICER: _("Vous requérez des extractions d'images pour la justice."),
    Role.MEDIATOR: _("Vous intervenez dans les collèges de votre secteur."),
    Role.MEDIATION_LEAD: _("Vous dirigez la brigade des médiateurs et validez les clôtures."),
    Role.COLLEGE_HEAD: _("Vous saisissez la brigade et suivez les interventions du collège."),
    Role.DPO: _("Vous contrôlez le journal d'audit et la protection des données."),
    Role.ADMINISTRATOR: _("Vous administrez les comptes et les données de référence."),
}
