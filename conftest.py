"""Fixtures shared by every test: the territory, organisations and users of each role."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.test import Client

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import OrganisationKind, Role, allowed_kinds
from bouclier.accounts.services import sync_organisations
from bouclier.territory.importers import (
    SAMPLE_COLLEGES_CSV,
    import_colleges,
    import_communes_and_epci,
)

PASSWORD = "Correct-Horse-Battery-77"
_counter = itertools.count(1)


@pytest.fixture
def territory(db: None) -> None:
    """The real communes and EPCI of Seine-et-Marne, the sample collèges, their organisations."""
    import_communes_and_epci()
    import_colleges(SAMPLE_COLLEGES_CSV, sample=True)
    sync_organisations()


def organisation_for(role: Role) -> Organisation:
    """An organisation in which ``role`` may be held (Meaux, a sample collège, a service...)."""
    kind = sorted(allowed_kinds(role))[0]
    if kind == OrganisationKind.COMMUNE:
        return Organisation.objects.get(commune__insee_code="77284")
    if kind == OrganisationKind.COLLEGE:
        return Organisation.objects.get(college__uai="0779001A")
    name = {OrganisationKind.PARTNER_FORCE: "Police nationale – test"}.get(
        kind, "Département – service de test"
    )
    organisation, _ = Organisation.objects.get_or_create(kind=kind, name=name)
    return organisation


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(territory: None) -> MakeUser:
    """Build an active user holding ``roles`` (none: a user without any role)."""

    def build(*roles: Role, email: str | None = None, password: str = PASSWORD) -> User:
        number = next(_counter)
        user = User.objects.create_user(
            email or f"user{number}@test.bouclier.test",
            password,
            first_name="Prénom",
            last_name=f"Nom{number}",
            is_active=True,
        )
        for role in roles:
            Membership.objects.create(user=user, organisation=organisation_for(role), role=role)
        return user

    return build


@pytest.fixture
def login(client: Client, make_user: MakeUser) -> Callable[..., User]:
    """Log the test client in as a new user holding ``roles``."""

    def do_login(*roles: Role) -> User:
        user = make_user(*roles)
        client.force_login(user)
        return user

    return do_login
