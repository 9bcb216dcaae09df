"""Turning a study into a draft aid application, through the teleservice's own services.

The guide never writes grants tables itself: it calls the same service functions as the
applicant's draft form (create, then save each step), so the draft is audited, checked and
computed exactly like one typed by hand.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from bouclier.accounts.models import Organisation
from bouclier.accounts.roles import OrganisationKind
from bouclier.audit.services import record
from bouclier.grants.access import applicant_organisations
from bouclier.grants.models import AidLine
from bouclier.grants.models_files import Application
from bouclier.grants.services import applications as files
from bouclier.videoguide.models import Study
from bouclier.videoguide.services.studies import StudyError, study_to_application_data

if TYPE_CHECKING:
    from bouclier.accounts.models import User


def applicant_organisation_for(study: Study, user: User) -> Organisation | None:
    """The commune or EPCI for which ``user`` may file this study's project, if any.

    The study's beneficiary type decides between the commune itself and its EPCI.
    """
    organisations = applicant_organisations(user)
    commune = organisations.filter(commune_id=study.commune_id).first()
    epci = (
        organisations.filter(epci_id=study.commune.epci_id).first()
        if study.commune.epci_id
        else None
    )
    if study.beneficiary.startswith("epci"):
        return epci or commune
    return commune or epci


def draft_from_study(study: Study, user: User, request: HttpRequest | None = None) -> Application:
    """Create a draft video-protection application pre-filled with the study's project."""
    organisation = applicant_organisation_for(study, user)
    if organisation is None:
        raise StudyError(
            _("Vous ne représentez ni %(commune)s ni son intercommunalité : pas de dossier.")
            % {"commune": study.commune.name}
        )
    data = study_to_application_data(study)
    aid_line = AidLine.objects.filter(code=data["aid_line"]).first()
    if aid_line is None:
        raise StudyError(_("Le dispositif vidéoprotection n'est pas ouvert actuellement."))
    # The project owner is the organisation that files, whatever the study assumed.
    beneficiary = "epci" if organisation.kind == OrganisationKind.EPCI else "commune"
    try:
        with transaction.atomic():
            draft = files.create_draft(
                user, organisation=organisation, aid_line=aid_line, request=request
            )
            files.save_project(
                draft,
                user,
                version=draft.version,
                title=data["title"][:200],
                description=data["description"],
                beneficiary=beneficiary,
                conditions=data["conditions"],
                request=request,
            )
            draft.refresh_from_db()
            files.save_expenses(
                draft,
                user,
                version=draft.version,
                lines=[
                    files.ExpenseData(
                        category=line["category"],
                        quantity=int(line["quantity"]),
                        unit_cost=Decimal(line["unit_cost"]),
                        description=line["description"][:200],
                    )
                    for line in data["expense_lines"]
                ],
                request=request,
            )
            draft.refresh_from_db()
            files.save_cameras(
                draft,
                user,
                version=draft.version,
                cameras=[
                    files.CameraData(place=c["place"], count=int(c["count"]), bonus=c["bonus"])
                    for c in data["cameras"]
                ],
                request=request,
            )
            draft.refresh_from_db()
            files.save_funders(
                draft,
                user,
                version=draft.version,
                funders=[
                    files.FunderData(
                        name=f["name"],
                        amount=Decimal(f["amount"]),
                        is_public=bool(f["is_public"]),
                        status=f["status"],
                    )
                    for f in data["funders"]
                ],
                request=request,
            )
            draft.refresh_from_db()
            record(
                "videoguide.study.converted",
                request=request,
                actor=user,
                target=study,
                data={"application": draft.pk},
            )
    except files.TransitionError as error:
        raise StudyError(str(error)) from error
    return draft
