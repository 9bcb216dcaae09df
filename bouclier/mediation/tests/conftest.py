"""Fixtures of the mediation tests: a small brigade on two districts of sample collèges."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import Role
from bouclier.mediation.models import Assignment, Category, Situation
from bouclier.mediation.services import create_situation
from bouclier.territory.models import College
from conftest import MakeUser


@dataclass
class Brigade:
    lead: User
    mediator_meaux: User  # district of Meaux, every collège of it
    mediator_melun: User  # one collège of the district of Melun
    head_meaux: User  # head of Collège Jean Moulin (Meaux)
    head_melun: User  # head of Collège Jacques Amyot (Melun)
    meaux: College
    melun: College


@pytest.fixture
def brigade(make_user: MakeUser) -> Brigade:
    # No passwords: the tests log in with force_login, and hashing (argon2) is slow by design.
    meaux = College.objects.select_related("district").get(uai="0779001A")
    melun = College.objects.select_related("district").get(uai="0779003C")
    assert meaux.district is not None and melun.district is not None
    assert meaux.district != melun.district
    mediator_meaux = make_user(Role.MEDIATOR, password=None)
    mediator_melun = make_user(Role.MEDIATOR, password=None)
    Assignment.objects.create(mediator=mediator_meaux, district=meaux.district)
    Assignment.objects.create(mediator=mediator_melun, district=melun.district, college=melun)
    head_melun = make_user(password=None)
    Membership.objects.create(
        user=head_melun,
        organisation=Organisation.objects.get(college=melun),
        role=Role.COLLEGE_HEAD,
    )
    return Brigade(
        lead=make_user(Role.MEDIATION_LEAD, password=None),
        mediator_meaux=mediator_meaux,
        mediator_melun=mediator_melun,
        head_meaux=make_user(Role.COLLEGE_HEAD, password=None),
        head_melun=head_melun,
        meaux=meaux,
        melun=melun,
    )


def open_situation(brigade: Brigade, *, melun: bool = False, summary: str = "") -> Situation:
    """A situation opened by the mediator of the collège."""
    if melun:
        return create_situation(
            brigade.mediator_melun,
            college=brigade.melun,
            category=Category.HARASSMENT,
            severity=1,
            summary=summary,
        )
    return create_situation(
        brigade.mediator_meaux,
        college=brigade.meaux,
        category=Category.HARASSMENT,
        severity=1,
        summary=summary,
    )
