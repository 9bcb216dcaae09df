"""Demonstration data of the operator console: Meaux's convention, approvals, procedures.

Idempotent. Called by ``load_demo`` after the demo accounts exist; the demo cameras and
sites come from ``supervision.demo`` (another module), so the procedures here are the
defaults for every site, plus Meaux's mayor account for the commune's view.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import Role
from bouclier.supervision.models import Approval, Convention, SiteInstruction
from bouclier.territory.models import Commune

DEMO_DOMAIN = "demo.bouclier.test"
INSTRUCTIONS = [
    (
        "",
        2,
        "1. Lever le doute sur l'image en direct et l'enregistrement.\n"
        "2. Fausse alarme : qualifier et clore.\n"
        "3. Fait réel : appeler la police ou la gendarmerie (17), noter le service et la "
        "référence, informer le responsable du site.",
    ),
    (
        "intrusion",
        1,
        "Intrusion hors des heures d'ouverture : lever le doute, appeler le 17 si une "
        "personne est présente, informer le chef d'établissement ou le responsable du site "
        "par e-mail, rappeler le site après l'intervention.",
    ),
]


def load_demo_console(password: str) -> None:
    """Convention for Meaux, approvals of the demo operator and supervisor, procedures."""
    today = timezone.localdate()
    meaux = Commune.objects.get(insee_code="77284")
    Convention.objects.get_or_create(
        commune=meaux,
        reference="CSD-2026-001 (exemple)",
        defaults={
            "starts_on": today - dt.timedelta(days=30),
            "mayor_authority": "Les opérateurs agissent sous l'autorité du maire de Meaux, "
            "joignable par la police municipale (exemple).",
            "signed_on": today - dt.timedelta(days=31),
        },
    )
    for login, reference in (("operateur", "AG-77-0001"), ("superviseur", "AG-77-0002")):
        user = User.objects.filter(email=f"{login}@{DEMO_DOMAIN}").first()
        if user is not None:
            Approval.objects.get_or_create(
                user=user,
                reference=f"{reference} (exemple)",
                defaults={"granted_on": today - dt.timedelta(days=200)},
            )
    for rule, priority, text in INSTRUCTIONS:
        SiteInstruction.objects.get_or_create(
            site=None, rule=rule, defaults={"priority": priority, "text": text}
        )
    mayor, _created = User.objects.get_or_create(
        email=f"maire.meaux@{DEMO_DOMAIN}",
        defaults={"first_name": "Jean", "last_name": "Maire (exemple)", "is_active": True},
    )
    mayor.set_password(password)
    mayor.is_active = True
    mayor.save()
    Membership.objects.get_or_create(
        user=mayor,
        organisation=Organisation.objects.get(commune=meaux),
        role=Role.ELECTED_OFFICIAL,
    )
