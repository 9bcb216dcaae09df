"""Linking an account to a commune or an EPCI as its applicant.

A person finds the organisation by SIREN or by name and asks to be linked; the request stays
pending until a grants instructor or manager, or an applicant already active for that same
organisation, accepts it (the applicant membership is then created) or rejects it.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bouclier.accounts.access import has_role
from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import OrganisationKind, Role
from bouclier.accounts.services import send_templated_email
from bouclier.audit.services import record
from bouclier.grants.access import STAFF_ROLES, applicant_organisations
from bouclier.grants.models_files import LinkRequest, LinkRequestStatus
from bouclier.grants.services.applications import TransitionError

APPLICANT_KINDS = (OrganisationKind.COMMUNE, OrganisationKind.EPCI)
SIREN_RE = re.compile(r"^\d{9}$")


def search_organisations(query: str, limit: int = 20) -> QuerySet[Organisation]:
    """Communes and EPCI matching a SIREN (9 digits, spaces ignored) or part of a name."""
    query = query.strip()
    organisations = Organisation.objects.filter(kind__in=APPLICANT_KINDS, is_active=True)
    digits = re.sub(r"\s", "", query)
    if SIREN_RE.match(digits):
        return organisations.filter(siren=digits)
    if len(query) < 2:
        return organisations.none()
    return organisations.filter(
        Q(name__icontains=query) | Q(commune__name__icontains=query)
    ).order_by("kind", "name")[:limit]


def link_requests_to_decide(user: User) -> QuerySet[LinkRequest]:
    """Pending requests the user may decide: all for staff, their organisations' otherwise."""
    pending = LinkRequest.objects.filter(status=LinkRequestStatus.PENDING).select_related(
        "user", "organisation"
    )
    if has_role(user, *STAFF_ROLES):
        return pending
    return pending.filter(organisation__in=applicant_organisations(user)).exclude(user=user)


def request_link(
    user: User, organisation: Organisation, *, note: str = "", request: HttpRequest | None = None
) -> LinkRequest:
    if organisation.kind not in APPLICANT_KINDS:
        raise TransitionError(_("Seules une commune ou une intercommunalité demandent des aides."))
    if applicant_organisations(user).filter(pk=organisation.pk).exists():
        raise TransitionError(_("Votre compte est déjà rattaché à cette organisation."))
    try:
        with transaction.atomic():
            link = LinkRequest.objects.create(user=user, organisation=organisation, note=note)
            record(
                "grants.link_request.created",
                request=request,
                actor=user,
                target=link,
                data={"organisation": organisation.pk},
            )
    except IntegrityError:
        raise TransitionError(
            _("Une demande est déjà en attente pour cette organisation.")
        ) from None
    return link


def decide_link(
    link: LinkRequest,
    user: User,
    *,
    accept: bool,
    request: HttpRequest | None = None,
) -> None:
    """Accept (create the applicant membership) or reject a pending request."""
    with transaction.atomic():
        current = (
            LinkRequest.objects.select_for_update().select_related("organisation").get(pk=link.pk)
        )
        if not link_requests_to_decide(user).filter(pk=current.pk).exists():
            if current.status != LinkRequestStatus.PENDING:
                raise TransitionError(_("Cette demande a déjà été traitée."))
            raise TransitionError(_("Vous ne pouvez pas traiter cette demande."))
        current.status = LinkRequestStatus.ACCEPTED if accept else LinkRequestStatus.REJECTED
        current.decided_by, current.decided_at = user, timezone.now()
        current.save(update_fields=["status", "decided_by", "decided_at"])
        if accept:
            membership, created = Membership.objects.get_or_create(
                user=current.user,
                organisation=current.organisation,
                role=Role.APPLICANT,
                defaults={"granted_by": user},
            )
            if not created:
                # An ended membership comes back into force rather than staying expired.
                membership.valid_from, membership.valid_until = timezone.localdate(), None
                membership.granted_by = user
                membership.save(update_fields=["valid_from", "valid_until", "granted_by"])
        record(
            "grants.link_request.accepted" if accept else "grants.link_request.rejected",
            request=request,
            actor=user,
            target=current,
            data={"user": current.user_id, "organisation": current.organisation_id},
        )
        send_templated_email(
            "grants/email/link_decided",
            current.user.email,
            {"link": current, "accepted": accept},
        )
    link.refresh_from_db()
