"""Load the demonstration data: territory, sample collèges and sites, one account per role.

Idempotent: running it again refreshes the demo accounts' password and changes nothing else.
The password comes from BOUCLIER_DEMO_PASSWORD, or is generated once and kept in var/.
"""

from __future__ import annotations

import os
import secrets
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import OrganisationKind, Role
from bouclier.accounts.services import sync_organisations
from bouclier.audit.services import record
from bouclier.mediation.demo import load_demo_brigade
from bouclier.supervision.demo import load_demo_cameras
from bouclier.territory.importers import SAMPLE_COLLEGES_CSV, SAMPLE_SITES_CSV
from bouclier.territory.models import College, Commune

DEMO_DOMAIN = "demo.bouclier.test"
DEPARTMENT_SERVICES = {
    "grants": "Département – Mission Bouclier de sécurité (aides)",
    "finance": "Département – Direction des finances",
    "elected": "Département – Cabinet et élus",
    "csd": "Département – Centre de supervision départemental",
    "mediation": "Département – Brigade des médiateurs de sécurité scolaire",
    "dpo": "Département – Délégation à la protection des données",
    "it": "Département – Direction du numérique",
}
PARTNER_FORCES = [
    "Police nationale – DDSP de Seine-et-Marne (exemple)",
    "Gendarmerie – Groupement de Seine-et-Marne (exemple)",
]

# (login, first name, last name, role, organisation key)
DEMO_ACCOUNTS: list[tuple[str, str, str, Role, str]] = [
    ("demandeur.meaux", "Camille", "Moreau", Role.APPLICANT, "commune:77284"),
    ("instructeur", "Julien", "Petit", Role.GRANTS_INSTRUCTOR, "grants"),
    ("gestionnaire", "Sophie", "Garnier", Role.GRANTS_MANAGER, "grants"),
    ("finances", "Nadia", "Benali", Role.FINANCE, "finance"),
    ("elu", "Bernard", "Lefèvre", Role.ELECTED_OFFICIAL, "elected"),
    ("operateur", "Karim", "Haddad", Role.CSD_OPERATOR, "csd"),
    ("superviseur", "Isabelle", "Roux", Role.CSD_SUPERVISOR, "csd"),
    ("officier", "Thomas", "Girard", Role.REQUISITIONING_OFFICER, "force:0"),
    ("mediateur", "Léa", "Fontaine", Role.MEDIATOR, "mediation"),
    ("chef.groupe", "Olivier", "Mercier", Role.MEDIATION_LEAD, "mediation"),
    ("principal", "Anne", "Dubois", Role.COLLEGE_HEAD, "college:0779001A"),
    ("dpd", "Marc", "Lambert", Role.DPO, "dpo"),
    ("admin", "Claire", "Bonnet", Role.ADMINISTRATOR, "it"),
]


def demo_password() -> str:
    configured = os.environ.get("BOUCLIER_DEMO_PASSWORD")
    if configured:
        return configured
    path = settings.VAR_DIR / "demo_password"
    if not path.exists():
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Demo-{secrets.token_urlsafe(9)}")
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = "Charge les données de démonstration (territoire, collèges d'exemple, comptes)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--quiet-logins",
            action="store_true",
            help="N'affiche pas les identifiants de démonstration.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("import_territory", stdout=self.stdout)
        call_command("import_colleges", str(SAMPLE_COLLEGES_CSV), sample=True, stdout=self.stdout)
        call_command("import_sites", str(SAMPLE_SITES_CSV), sample=True, stdout=self.stdout)
        sync_organisations()
        password = demo_password()
        with transaction.atomic():
            organisations = self._organisations()
            for login, first, last, role, key in DEMO_ACCOUNTS:
                user, _created = User.objects.get_or_create(
                    email=f"{login}@{DEMO_DOMAIN}",
                    defaults={"first_name": first, "last_name": last, "is_active": True},
                )
                user.set_password(password)
                user.is_active = True
                user.save()
                Membership.objects.get_or_create(
                    user=user, organisation=organisations[key], role=role
                )
            record("accounts.demo.loaded", data={"accounts": len(DEMO_ACCOUNTS)})
        from bouclier.grants.demo import load_demo_files  # the grants context's demo files

        load_demo_files()
        load_demo_brigade(password)
        from bouclier.supervision.demo_console import load_demo_console

        load_demo_console(password)
        self.stdout.write(load_demo_cameras())  # sample cameras and the demo worker's token
        if not options["quiet_logins"]:
            self.stdout.write(f"\nComptes de démonstration (mot de passe commun : {password}) :")
            for login, _first, _last, role, _key in DEMO_ACCOUNTS:
                self.stdout.write(f"  {role.label:<45} {login}@{DEMO_DOMAIN}")

    def _organisations(self) -> dict[str, Organisation]:
        found: dict[str, Organisation] = {}
        for key, name in DEPARTMENT_SERVICES.items():
            found[key], _ = Organisation.objects.get_or_create(
                kind=OrganisationKind.DEPARTMENT_SERVICE, name=name
            )
        for index, name in enumerate(PARTNER_FORCES):
            found[f"force:{index}"], _ = Organisation.objects.get_or_create(
                kind=OrganisationKind.PARTNER_FORCE, name=name
            )
        found["commune:77284"] = Organisation.objects.get(
            commune=Commune.objects.get(insee_code="77284")
        )
        found["college:0779001A"] = Organisation.objects.get(
            college=College.objects.get(uai="0779001A")
        )
        return found
