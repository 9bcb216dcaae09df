"""Fixtures of the Département's side: the grants fixtures, and a file under instruction."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from bouclier.accounts.models import Organisation, User
from bouclier.grants.models import AidLine
from bouclier.grants.models_files import Application
from bouclier.grants.services import applications as files
from bouclier.grants.tests.conftest import (  # noqa: F401 - fixtures reused as they are
    MakeDraft,
    applicant,
    finance,
    instructor,
    make_draft,
    manager,
    media,
    melun_applicant,
    reglement,
)
from bouclier.grants_office import services
from bouclier.grants_office.models import Envelope, Session

Instructed = Callable[..., Application]


@pytest.fixture
def instructed(make_draft: MakeDraft, applicant: User, instructor: User) -> Instructed:  # noqa: F811
    """A submitted video-protection file of Meaux, under instruction."""

    def build(user: User | None = None, organisation: Organisation | None = None) -> Application:
        application = make_draft(user or applicant, organisation)
        files.submit(application, user or applicant)
        files.start_instruction(application, instructor)
        return application

    return build


@pytest.fixture
def session(manager: User) -> Session:  # noqa: F811
    today = timezone.localdate()
    return services.create_session(
        manager, date=today + datetime.timedelta(days=30), proposal_deadline=today
    )


@pytest.fixture
def envelope(manager: User, session: Session) -> Envelope:  # noqa: F811
    return services.set_envelope(
        manager,
        year=session.date.year,
        aid_line=AidLine.objects.get(code="videoprotection"),
        amount=Decimal("100000"),
    )
