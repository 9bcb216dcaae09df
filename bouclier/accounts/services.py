"""State changes of accounts: registration, activation, organisations from the territory."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from bouclier.accounts.models import Organisation, User
from bouclier.accounts.roles import OrganisationKind
from bouclier.accounts.tokens import activation_token
from bouclier.audit.services import record
from bouclier.core.tasks import send_email
from bouclier.territory.models import College, Commune, Epci


def _link(name: str, user: User, token: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.BASE_URL + reverse(name, kwargs={"uidb64": uid, "token": token})


def send_templated_email(template: str, to: str, context: dict[str, object]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` and queue the e-mail."""
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}.txt", context)
    transaction.on_commit(lambda: send_email.enqueue(subject, body, [to]))


def activation_link(user: User) -> str:
    return _link("accounts:activate", user, activation_token.make_token(user))


def send_activation(user: User) -> None:
    """E-mail the user a link to activate the account (and choose a password if needed)."""
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_templated_email(
        "accounts/email/activation",
        user.email,
        {
            "user": user,
            "link": activation_link(user),
            "hours": hours,
        },
    )


def register_user(
    request: HttpRequest, *, email: str, first_name: str, last_name: str, password: str
) -> User | None:
    """Create an inactive account and send its activation link.

    When the address is already registered nothing is created and its owner is told by
    e-mail instead, so the page never reveals which addresses have an account.
    """
    email = email.strip().lower()
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        send_templated_email(
            "accounts/email/already_registered",
            email,
            {
                "user": existing,
                "login_url": settings.BASE_URL + reverse("accounts:login"),
            },
        )
        record("accounts.user.registration_duplicate", request=request, data={"email": email})
        return None
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, first_name=first_name, last_name=last_name, is_active=False
        )
        record("accounts.user.registered", request=request, target=user)
        send_activation(user)
    return user


def activate_user(request: HttpRequest, user: User, password: str | None = None) -> None:
    with transaction.atomic():
        if password:
            user.set_password(password)
        user.is_active = True
        user.save(update_fields=["is_active", "password"])
        record("accounts.user.activated", request=request, actor=user, target=user)


def password_reset_link(user: User) -> str:
    return _link("accounts:password_reset_confirm", user, default_token_generator.make_token(user))


def sync_organisations() -> dict[str, int]:
    """Give every commune, EPCI and collège its organisation (idempotent)."""
    created = {"commune": 0, "epci": 0, "college": 0}
    with transaction.atomic():
        for epci in Epci.objects.filter(organisation__isnull=True):
            Organisation.objects.create(
                kind=OrganisationKind.EPCI, name=epci.name, siren=epci.siren, epci=epci
            )
            created["epci"] += 1
        for commune in Commune.objects.filter(organisation__isnull=True):
            Organisation.objects.create(
                kind=OrganisationKind.COMMUNE,
                name=_("Commune de %(name)s (%(insee)s)")
                % {"name": commune.name, "insee": commune.insee_code},
                siren=commune.siren,
                commune=commune,
            )
            created["commune"] += 1
        for college in College.objects.filter(organisation__isnull=True).select_related("commune"):
            Organisation.objects.create(
                kind=OrganisationKind.COLLEGE,
                name=f"{college.name} ({college.uai})",
                college=college,
            )
            created["college"] += 1
    return created
