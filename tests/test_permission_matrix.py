"""Role x URL -> expected status, for every page listed in tests/permissions.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from tests.permissions import CASES, Case

ROLES_AND_NONE: list[Role | None] = [*Role, None]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.url)
@pytest.mark.parametrize("role", ROLES_AND_NONE, ids=lambda role: role or "sans-role")
def test_role_gets_expected_status(
    client: Client, login: Callable[..., User], case: Case, role: Role | None
) -> None:
    if role is None:
        login()
    else:
        login(role)
    response = client.get(case.url)
    assert response.status_code == case.expected(role), (
        f"{role or 'sans rôle'} sur {case.url} : {response.status_code}"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.url)
def test_anonymous_gets_expected_status(client: Client, territory: None, case: Case) -> None:
    response = client.get(case.url)
    assert response.status_code == case.anonymous
    if case.anonymous == 302:
        assert response["Location"].startswith("/comptes/connexion/")


def test_expired_membership_grants_nothing(client: Client, make_user: Callable[..., User]) -> None:
    import datetime

    user = make_user(Role.DPO)
    user.memberships.update(valid_until=datetime.date(2020, 1, 1))
    client.force_login(user)
    assert client.get("/journal/").status_code == 403
    assert "aucun rôle" in client.get("/").content.decode()
