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
    Case("/aides/instruction/", frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER})),
    Case(
        "/aides/instruction/?etat=submitted",
        frozenset({Role.GRANTS_INSTRUCTOR, Role.GRANTS_MANAGER}),
    ),
    Case("/aides/rattachement/?q=Meaux", ALL_ROLES, no_role=200),
    # Supervision: the ingestion API answers camera workers' tokens only, never a session;
    # its back office is the administrators' (main admin).
    Case("/supervision/api/segments/", frozenset(), denied=401, anonymous=401),
    Case("/supervision/api/workers/heartbeat/", frozenset(), denied=401, anonymous=401),
    Case("/administration/supervision/camera/", frozenset({Role.ADMINISTRATOR})),
    Case("/administration/supervision/videoworker/", frozenset({Role.ADMINISTRATOR})),
]
