"""The demo files of Meaux: one per typical state, created once."""

from __future__ import annotations

import pytest

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import Role
from bouclier.grants.demo import DOMAIN, load_demo_files
from bouclier.grants.models_files import Application, State


@pytest.mark.usefixtures("reglement")
def test_demo_files_in_various_states_and_idempotent() -> None:
    service, _ = Organisation.objects.get_or_create(kind="department_service", name="Démo")
    meaux = Organisation.objects.get(commune__insee_code="77284")
    for login, role, organisation in [
        ("demandeur.meaux", Role.APPLICANT, meaux),
        ("instructeur", Role.GRANTS_INSTRUCTOR, service),
        ("gestionnaire", Role.GRANTS_MANAGER, service),
        ("finances", Role.FINANCE, service),
    ]:
        user = User.objects.create_user(f"{login}@{DOMAIN}", None, is_active=True)
        Membership.objects.create(user=user, organisation=organisation, role=role)
    assert load_demo_files() == 4
    assert load_demo_files() == 0
    states = sorted(Application.objects.values_list("state", flat=True))
    assert states == sorted([State.DRAFT, State.SUBMITTED, State.INCOMPLETE, State.ADVANCE_PAID])
    assert all(a.requested_amount for a in Application.objects.exclude(state=State.DRAFT))
