"""Fixtures of the application-file tests: the règlement, media, people and a real PDF."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pytest_django import Settings
from weasyprint import HTML  # type: ignore[import-untyped]

from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import Role
from bouclier.grants.management.commands.load_reglement import load_default_reglement
from bouclier.grants.models import AidLine
from bouclier.grants.models_files import Application
from bouclier.grants.services import applications as services
from conftest import MakeUser

MEAUX = "77284"
MELUN = "77288"


@functools.cache
def real_pdf(text: str = "Devis de test") -> bytes:
    """A genuine one-page PDF, rendered by WeasyPrint (once per text and session)."""
    pdf = HTML(string=f"<h1>{text}</h1><p>Pièce générée pour les tests.</p>").write_pdf()
    assert pdf is not None
    return bytes(pdf)


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def reglement(territory: None, media: Path) -> None:
    load_default_reglement()


@pytest.fixture
def applicant(make_user: MakeUser, reglement: None) -> User:
    """An applicant of Meaux (the conftest puts applicants there)."""
    return make_user(Role.APPLICANT)


@pytest.fixture
def melun_applicant(make_user: MakeUser, reglement: None) -> User:
    """An applicant of another commune, Melun."""
    user = make_user()
    Membership.objects.create(
        user=user,
        organisation=Organisation.objects.get(commune__insee_code=MELUN),
        role=Role.APPLICANT,
    )
    return user


@pytest.fixture
def instructor(make_user: MakeUser) -> User:
    return make_user(Role.GRANTS_INSTRUCTOR)


@pytest.fixture
def manager(make_user: MakeUser) -> User:
    return make_user(Role.GRANTS_MANAGER)


@pytest.fixture
def finance(make_user: MakeUser) -> User:
    return make_user(Role.FINANCE)


def meaux() -> Organisation:
    return Organisation.objects.get(commune__insee_code=MEAUX)


MakeDraft = Callable[..., Application]


@pytest.fixture
def make_draft(reglement: None) -> MakeDraft:
    """A video-protection draft of ``user``'s commune, filled enough to be submitted."""

    def build(user: User, organisation: Organisation | None = None) -> Application:
        organisation = organisation or meaux()
        draft = services.create_draft(
            user,
            organisation=organisation,
            aid_line=AidLine.objects.get(code="videoprotection"),
        )
        services.save_project(
            draft,
            user,
            version=draft.version,
            title="Caméras du centre-ville",
            description="Dix caméras autour de la gare.",
            beneficiary="commune",
            conditions=[],
        )
        services.save_expenses(
            draft,
            user,
            version=draft.version,
            lines=[services.ExpenseData("camera", 10, Decimal("5000"))],
        )
        return draft

    return build
