"""The permission matrix: for each page, the HTTP status expected for each role.

Every context adds its pages here. A case names a URL and the roles that may open it; every
other role must get ``denied`` (403), an anonymous visitor ``anonymous`` (a redirect to the
login page by default), and a logged-in user without any role ``denied`` as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bouclier.accounts.access import DEPARTMENT_WIDE
from bouclier.accounts.roles import Role

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Case:
    url: str
    allowed: frozenset[Role]
    ok: int = 200
    denied: int = 403
    anonymous: int = 302
    no_role: int | None = None  # defaults to ``denied``
    extra: dict[str, int] = field(default_factory=dict)

    def expected(self, role: Role | None) -> int:
        if role is None:
            return self.denied if self.no_role is None else self.no_role
        return self.ok if role in self.allowed else self.denied


CASES: list[Case] = [
    Case("/", ALL_ROLES, anonymous=200, no_role=200),
    Case("/comptes/mon-compte/", ALL_ROLES, no_role=200),
    Case("/comptes/mot-de-passe/changer/", ALL_ROLES, no_role=200),
    Case("/territoire/", DEPARTMENT_WIDE),
    Case("/territoire/?onglet=colleges&q=Meaux", DEPARTMENT_WIDE),
    Case("/journal/", frozenset({Role.DPO, Role.ADMINISTRATOR})),
    Case("/journal/?format=csv", frozenset({Role.DPO, Role.ADMINISTRATOR})),
    Case("/administration/", frozenset({Role.ADMINISTRATOR})),
    Case("/administration/territory/commune/", frozenset({Role.ADMINISTRATOR})),
    Case("/administration/accounts/user/", frozenset({Role.ADMINISTRATOR})),
    Case("/administration/audit/auditentry/", frozenset({Role.ADMINISTRATOR})),
    # Grants: the simulation and the règlement are public; the règlement's back office
    # belongs to the grants manager (and administrators).
    Case("/aides/simulation/", ALL_ROLES, anonymous=200, no_role=200),
    Case("/aides/simulation/?dispositif=videoprotection", ALL_ROLES, anonymous=200, no_role=200),
    Case("/aides/reglement/", ALL_ROLES, anonymous=200, no_role=200),
    Case("/aides/gestion/", frozenset({Role.GRANTS_MANAGER, Role.ADMINISTRATOR})),
    Case(
        "/aides/gestion/grants/parameterset/",
        frozenset({Role.GRANTS_MANAGER, Role.ADMINISTRATOR}),
    ),
    Case(
        "/aides/gestion/grants/aidline/add/", frozenset({Role.GRANTS_MANAGER, Role.ADMINISTRATOR})
    ),
    Case("/administration/grants/parameterset/", frozenset({Role.ADMINISTRATOR})),
    # The OpenAPI schema of the REST API: any authenticated user (401/403 otherwise).
    Case("/api/schema/", ALL_ROLES, no_role=200, anonymous=403),
    # Grants files: applicants file and follow theirs; instructors work the queue; anyone
    # logged in may ask to be linked to a commune or an EPCI (object pages: grants tests).
    Case("/aides/dossiers/", frozenset({Role.APPLICANT})),
    Case("/aides/dossiers/nouveau/", frozenset({Role.APPLICANT})),
    # The first queue's address leads staff (only) to the Département's queue.
    Case("/aides/instruction/", frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}), ok=301),
    Case(
        "/aides/instruction/?etat=submitted",
        frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
        ok=301,
    ),
    Case("/aides/rattachement/?q=Meaux", ALL_ROLES, no_role=200),
    # Video-protection guide: public assistant; saved studies for applicants; its reference
    # data in the règlement's back office.
    Case("/guide-video/", ALL_ROLES, anonymous=200, no_role=200),
    Case("/guide-video/mes-etudes/", frozenset({Role.APPLICANT})),
    Case(
        "/aides/gestion/videoguide/unitcost/", frozenset({Role.GRANTS_MANAGER, Role.ADMINISTRATOR})
    ),
    Case(
        "/aides/gestion/videoguide/regionrate/",
        frozenset({Role.GRANTS_MANAGER, Role.ADMINISTRATOR}),
    ),
    # Supervision: the ingestion API answers camera workers' tokens only, never a session;
    # its back office is the administrators' (main admin).
    Case("/supervision/api/segments/", frozenset(), denied=401, anonymous=401),
    Case("/supervision/api/workers/heartbeat/", frozenset(), denied=401, anonymous=401),
    Case("/administration/supervision/camera/", frozenset({Role.ADMINISTRATOR})),
    Case("/administration/supervision/videoworker/", frozenset({Role.ADMINISTRATOR})),
]

# Mediation brigade: the collège's head, the mediators and the chef de groupe; object pages
# answer 404 for an unknown object (scoping itself: mediation tests), POST-only steps 405.
_BRIGADE = frozenset({Role.MEDIATOR, Role.MEDIATION_LEAD})
_MEDIATION_USERS = _BRIGADE | {Role.COLLEGE_HEAD}
_MEDIATION_MANAGERS = frozenset({Role.MEDIATION_LEAD, Role.ADMINISTRATOR})
CASES += [
    Case("/mediation/", _MEDIATION_USERS),
    Case("/mediation/saisines/", _MEDIATION_USERS),
    Case("/mediation/saisines/?etat=received", _MEDIATION_USERS),
    Case("/mediation/saisines/nouvelle/", frozenset({Role.COLLEGE_HEAD})),
    Case("/mediation/saisines/999999/", _MEDIATION_USERS, ok=404),
    Case("/mediation/saisines/999999/prendre/", _BRIGADE, ok=405),
    Case("/mediation/saisines/999999/planifier/", _BRIGADE, ok=405),
    Case("/mediation/situations/", _BRIGADE),
    Case("/mediation/situations/?etape=closed", _BRIGADE),
    Case("/mediation/situations/nouvelle/", _BRIGADE),
    Case("/mediation/situations/999999/", _BRIGADE, ok=404),
    Case("/mediation/situations/999999/modifier/", _BRIGADE, ok=404),
    Case("/mediation/situations/999999/eleves/", _BRIGADE, ok=405),
    Case("/mediation/situations/999999/suivis/", _BRIGADE, ok=405),
    Case("/mediation/situations/999999/orientations/", _BRIGADE, ok=405),
    Case("/mediation/situations/999999/evaluer/", _BRIGADE, ok=405),
    Case("/mediation/situations/999999/valider/", _BRIGADE, ok=405),
    Case("/mediation/suivis/999999/realise/", _BRIGADE, ok=405),
    Case("/mediation/orientations/999999/etat/", _BRIGADE, ok=405),
    Case("/mediation/prevention/", _BRIGADE),
    Case("/mediation/prevention/nouvelle/", _BRIGADE),
    Case("/mediation/presences/nouvelle/", _BRIGADE),
    Case("/mediation/planning/", _BRIGADE),
    Case("/mediation/planning/?semaine=2026-01-05", _BRIGADE),
    Case("/mediation/charge/", frozenset({Role.MEDIATION_LEAD})),
    Case("/mediation/organisation/", _BRIGADE),
    Case("/mediation/indicateurs/", _BRIGADE | {Role.ELECTED_OFFICIAL}),
    Case("/mediation/indicateurs/?annee=2025", _BRIGADE | {Role.ELECTED_OFFICIAL}),
    Case("/mediation/indicateurs/rapport.pdf", _BRIGADE | {Role.ELECTED_OFFICIAL}),
    Case("/mediation/droits/", frozenset({Role.MEDIATION_LEAD, Role.DPO})),
    Case("/mediation/droits/?code=EL-ABCDEF", frozenset({Role.MEDIATION_LEAD, Role.DPO})),
    Case("/mediation/gestion/", _MEDIATION_MANAGERS),
    Case("/mediation/gestion/mediation/assignment/", _MEDIATION_MANAGERS),
    Case("/mediation/gestion/mediation/protocol/add/", _MEDIATION_MANAGERS),
    Case("/mediation/gestion/mediation/programme/add/", _MEDIATION_MANAGERS),
    Case("/administration/mediation/assignment/", frozenset({Role.ADMINISTRATOR})),
]

# Supervision console: the centre's operators and supervisors work the queue; mayors and
# collège heads read their incidents; images need a valid prefectoral approval, which the
# matrix's users lack: every image URL is refused (403) to all (approval, convention and
# mayor scoping with data: supervision/tests/test_console.py).
_CENTRE = frozenset({Role.CSD_OPERATOR, Role.CSD_SUPERVISOR})
_INCIDENT_READERS = _CENTRE | {Role.ELECTED_OFFICIAL, Role.COLLEGE_HEAD}
CASES += [
    Case("/supervision/console/", _CENTRE),
    Case("/supervision/console/flux/", _CENTRE),
    Case("/supervision/incidents/", _INCIDENT_READERS),
    Case("/supervision/incidents/?etat=closed", _INCIDENT_READERS),
    Case("/supervision/incidents/999999/", _INCIDENT_READERS, ok=404),
    Case("/supervision/incidents/999999/prendre/", _CENTRE, ok=405),
    Case("/supervision/incidents/999999/visionner/", _CENTRE, ok=405),
    Case("/supervision/incidents/999999/qualifier/", _CENTRE, ok=405),
    Case("/supervision/incidents/999999/action/", _CENTRE, ok=405),
    Case("/supervision/incidents/999999/attente/", _CENTRE, ok=405),
    Case("/supervision/incidents/999999/clore/", _CENTRE, ok=405),
    Case("/supervision/incidents/999999/rapport.pdf", frozenset()),
    Case("/supervision/alarmes/999999/instantane/", frozenset()),
    Case("/supervision/cameras/999999/direct/", frozenset()),
    Case("/supervision/segments/999999/", frozenset()),
    Case("/supervision/main-courante/", _CENTRE),
    Case("/supervision/main-courante/999999/corriger/", _CENTRE, ok=404),
    Case("/supervision/registre/", frozenset({Role.CSD_SUPERVISOR, Role.DPO})),
    Case("/supervision/registre/?action=deletion", frozenset({Role.CSD_SUPERVISOR, Role.DPO})),
    Case("/supervision/registre/?format=csv", frozenset({Role.CSD_SUPERVISOR, Role.DPO})),
    Case("/administration/supervision/convention/", frozenset({Role.ADMINISTRATOR})),
    Case("/administration/supervision/approval/", frozenset({Role.ADMINISTRATOR})),
    Case("/administration/supervision/siteinstruction/", frozenset({Role.ADMINISTRATOR})),
    # Grants, the Département's side: instruction and sessions for the grants staff, payments
    # for finance, dashboards also read-only for elected officials; the API for staff only
    # (403, not a redirect, for anonymous callers); open data, the règlement PDF and the
    # applicant's guide are public; opinions and letters are object pages (404 if not one's).
    Case("/aides/departement/", frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER})),
    Case(
        "/aides/departement/?etat=submitted&tri=echeance&echeance=2026-01-31",
        frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
    ),
    Case(
        "/aides/departement/dossiers/999999/",
        frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
        ok=404,
    ),
    Case(
        "/aides/departement/dossiers/999999/message/",
        frozenset(),
        denied=405,
        anonymous=405,
    ),
    Case("/aides/departement/avis/", ALL_ROLES, no_role=200),
    Case("/aides/departement/avis/999999/", ALL_ROLES, ok=404, no_role=404),
    Case(
        "/aides/departement/commissions/", frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER})
    ),
    Case(
        "/aides/departement/commissions/999999/",
        frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
        ok=404,
    ),
    Case("/aides/departement/ordre-du-jour/999999/vote/", frozenset(), denied=405, anonymous=405),
    Case(
        "/aides/departement/ordre-du-jour/999999/notifier/", frozenset(), denied=405, anonymous=405
    ),
    Case("/aides/departement/ordre-du-jour/999999/lettre.pdf", ALL_ROLES, ok=404, no_role=404),
    Case("/aides/departement/versements/", frozenset({Role.FINANCE, Role.GRANTS_MANAGER})),
    Case("/aides/departement/versements/999999/valider/", frozenset(), denied=405, anonymous=405),
    Case(
        "/aides/departement/versements/ordres-de-paiement.csv?du=2026-01-01",
        frozenset({Role.FINANCE, Role.GRANTS_MANAGER}),
    ),
    Case(
        "/aides/departement/tableau-de-bord/",
        frozenset({Role.GRANTS_MANAGER, Role.ELECTED_OFFICIAL, Role.FINANCE}),
    ),
    Case(
        "/aides/departement/tableau-de-bord.xlsx?annee=2026",
        frozenset({Role.GRANTS_MANAGER, Role.ELECTED_OFFICIAL, Role.FINANCE}),
    ),
    Case("/aides/donnees-ouvertes/subventions.csv", ALL_ROLES, anonymous=200, no_role=200),
    Case("/aides/reglement.pdf", ALL_ROLES, anonymous=200, no_role=200),
    Case("/aides/mode-d-emploi/", ALL_ROLES, anonymous=200, no_role=200),
    Case("/aides/mode-d-emploi/depenses/", ALL_ROLES, anonymous=200, no_role=200),
    Case(
        "/aides/api/dossiers/",
        frozenset(
            {
                Role.GRANTS_INSTRUCTOR,
                Role.GRANTS_MANAGER,
                Role.FINANCE,
                Role.ELECTED_OFFICIAL,
            }
        ),
        anonymous=403,
    ),
    Case(
        "/aides/api/decisions/",
        frozenset(
            {
                Role.GRANTS_INSTRUCTOR,
                Role.GRANTS_MANAGER,
                Role.FINANCE,
                Role.ELECTED_OFFICIAL,
            }
        ),
        anonymous=403,
    ),
]

# Judicial requisitions: officers file theirs and see only those (404 otherwise), the centre
# sees all; only supervisors validate, extract, hand over, download and release holds;
# officers and the DPO may also verify a package.
_OFFICER = frozenset({Role.REQUISITIONING_OFFICER})
_SUPERVISOR = frozenset({Role.CSD_SUPERVISOR})
CASES += [
    Case("/supervision/requisitions/", _CENTRE | _OFFICER),
    Case("/supervision/requisitions/nouvelle/", _SUPERVISOR | _OFFICER),
    Case("/supervision/requisitions/verifier/", _CENTRE | _OFFICER | {Role.DPO}),
    Case("/supervision/requisitions/999999/", _CENTRE | _OFFICER, ok=404),
    Case("/supervision/requisitions/999999/valider/", _SUPERVISOR, ok=405),
    Case("/supervision/requisitions/999999/refuser/", _SUPERVISOR, ok=405),
    Case("/supervision/requisitions/999999/extraire/", _SUPERVISOR, ok=405),
    Case("/supervision/requisitions/999999/remise/", _SUPERVISOR, ok=405),
    Case("/supervision/requisitions/999999/lever-scelle/", _SUPERVISOR, ok=405),
    Case("/supervision/requisitions/999999/paquet.zip", _SUPERVISOR, ok=404),
    Case("/supervision/requisitions/999999/proces-verbal.pdf", _SUPERVISOR, ok=404),
    Case("/administration/supervision/requisition/", frozenset({Role.ADMINISTRATOR})),
]
# Playback and the live wall show images: a valid approval is needed, which the matrix's
# users lack (with data: supervision/tests/test_playback.py).
CASES += [
    Case("/supervision/cameras/999999/relecture/", frozenset()),
    Case("/supervision/mur/", frozenset()),
]

# Supervision dashboards: the centre, mayors and collège heads, each over their own scope
# (with data: supervision/tests/test_dashboard.py).
CASES += [
    Case("/supervision/tableau-de-bord/", _INCIDENT_READERS),
    Case("/supervision/tableau-de-bord/?du=2026-01-10&au=2026-01-01", _INCIDENT_READERS),
]

# Grants office: session reports and the queue's columns (with data:
# grants_office/tests/test_gaps.py).
CASES += [
    Case(
        "/aides/departement/commissions/999999/rapport.pdf",
        frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
        ok=404,
    ),
    Case(
        "/aides/departement/commissions/999999/rapport.xlsx",
        frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
        ok=404,
    ),
    Case("/aides/departement/colonnes/", frozenset(), denied=405, anonymous=405),
]
