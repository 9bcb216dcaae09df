"""Fixtures shared by every test: the territory, organisations and users of each role."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import OrganisationKind, Role, allowed_kinds
from bouclier.accounts.services import sync_organisations
from bouclier.audit.maintenance import close_maintenance, set_maintenance
from bouclier.territory.importers import (
    SAMPLE_COLLEGES_CSV,
    import_colleges,
    import_communes_and_epci,
)
from bouclier.territory.models import Commune

PASSWORD = "Correct-Horse-Battery-77"
_counter = itertools.count(1)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Let transactional tests' final flush empty the journal, and only that flush.

    The fixtures' teardown, which flushes the database after transactional tests, runs
    inside this hook; the journal's triggers refuse that flush unless maintenance is on.
    """
    fixtures = set(getattr(item, "fixturenames", ()))
    transactional = bool(fixtures & {"transactional_db", "live_server"}) or any(
        mark.kwargs.get("transaction") for mark in item.iter_markers("django_db")
    )
    if not transactional:
        return (yield)
    from django.db import connection

    set_maintenance(True, connection)
    try:
        return (yield)
    finally:
        # The database is locked again for this test by now: no query, just close.
        close_maintenance(connection)


@pytest.fixture(scope="session", autouse=True)
def _plain_static_storage() -> Iterator[None]:
    """Render pages without the collectstatic manifest, which a fresh clone does not have."""
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain):
        yield


def load_territory() -> None:
    """Import the territory unless present (a transactional test's flush removes it)."""
    if Commune.objects.exists():
        return
    import_communes_and_epci()
    import_colleges(SAMPLE_COLLEGES_CSV, sample=True)
    sync_organisations()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Load the territory once into the test database; each test's rollback keeps it."""
    with django_db_blocker.unblock():
        load_territory()


@pytest.fixture
def territory(db: None) -> None:
    """The real communes and EPCI of Seine-et-Marne, the sample collèges, their organisations."""
    load_territory()


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

    def build(*roles: Role, email: str | None = None, password: str | None = PASSWORD) -> User:
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
        # No password: force_login needs none, and hashing one (argon2) is slow by design.
        user = make_user(*roles, password=None)
        client.force_login(user)
        return user

    return do_login
