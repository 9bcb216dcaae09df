"""The scoped access helpers and the rules on which organisation may hold which role."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from bouclier.accounts.access import (
    access_organisation,
    colleges_for,
    communes_for,
    has_role,
    user_roles,
    visible_organisations,
)
from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import Role


def test_applicant_of_epci_acts_for_member_communes(make_user: Callable[..., User]) -> None:
    user = make_user()
    epci = Organisation.objects.get(epci__siren="200072130")
    Membership.objects.create(user=user, organisation=epci, role=Role.APPLICANT)
    communes = communes_for(user, Role.APPLICANT)
    assert communes.count() == epci.epci.communes.count() > 1  # type: ignore[union-attr]
    assert communes.filter(insee_code="77284").exists()


def test_applicant_sees_only_own_organisation(make_user: Callable[..., User]) -> None:
    user = make_user(Role.APPLICANT)
    assert list(communes_for(user).values_list("insee_code", flat=True)) == ["77284"]
    melun = Organisation.objects.get(commune__insee_code="77288")
    with pytest.raises(Http404):
        access_organisation(user, melun.pk)
    assert visible_organisations(user).count() == 1


def test_department_staff_see_all_organisations(make_user: Callable[..., User]) -> None:
    user = make_user(Role.GRANTS_INSTRUCTOR)
    melun = Organisation.objects.get(commune__insee_code="77288")
    assert access_organisation(user, melun.pk) == melun


def test_college_head_scoped_to_college(make_user: Callable[..., User]) -> None:
    user = make_user(Role.COLLEGE_HEAD)
    assert list(colleges_for(user).values_list("uai", flat=True)) == ["0779001A"]


def test_membership_dates_apply(make_user: Callable[..., User]) -> None:
    user = make_user(Role.MEDIATOR)
    assert has_role(user, Role.MEDIATOR)
    user.memberships.update(valid_from=datetime.date.today() + datetime.timedelta(days=1))
    fresh = User.objects.get(pk=user.pk)
    assert user_roles(fresh) == frozenset()


def test_inactive_organisation_grants_nothing(make_user: Callable[..., User]) -> None:
    user = make_user(Role.APPLICANT)
    Organisation.objects.filter(commune__insee_code="77284").update(is_active=False)
    assert user_roles(User.objects.get(pk=user.pk)) == frozenset()


def test_role_must_fit_organisation_kind(make_user: Callable[..., User]) -> None:
    user = make_user()
    commune = Organisation.objects.get(commune__insee_code="77284")
    membership = Membership(user=user, organisation=commune, role=Role.CSD_OPERATOR)
    with pytest.raises(ValidationError, match="ne peut être tenu que dans"):
        membership.full_clean()
