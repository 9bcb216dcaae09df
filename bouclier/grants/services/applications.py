"""State changes of an application file, from the draft to the balance payment.

Every function here is the only way to make its change: it locks the file's row
(``select_for_update``), checks who acts and from which state, refuses an invalid transition
with a French ``TransitionError`` that changes nothing (the transaction is rolled back),
writes the audit trail and queues the e-mails (sent once the transaction commits).

Optimistic locking: draft edits carry the ``version`` the person loaded; a write from an older
version is refused with ``ConflictError`` so that two people editing one file never overwrite
each other silently. Submission is idempotent: a second submit of a file already submitted
returns without creating a second submission.

States::

    draft -> submitted -> incomplete <-> under_instruction -> proposed
          -> granted | refused | withdrawn;  granted -> notified -> advance_paid
          -> balance_paid (closed);  incomplete | notified | advance_paid -> lapsed
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bouclier.accounts.access import has_role
from bouclier.accounts.models import Membership, Organisation, User
from bouclier.accounts.roles import OrganisationKind, Role
from bouclier.accounts.services import send_templated_email
from bouclier.audit.services import record
from bouclier.grants.access import (
    DECISION_ROLES,
    PAYMENT_ROLES,
    STAFF_ROLES,
    applicant_organisations,
)
from bouclier.grants.models import AidLine, ParameterSet
from bouclier.grants.models_files import (
    EXTRA_DOCUMENT_KINDS,
    Annotation,
    Application,
    CameraSite,
    Document,
    DocumentRequest,
    ExpenseItem,
    Funder,
    Message,
    PaymentKind,
    PaymentRequest,
    State,
)
from bouclier.grants.services import computation
from bouclier.grants.services.documents import check_document
from bouclier.grants.services.reglement import parameters_in_force
from bouclier.grants.services.rules import RequiredDocument, RuleError, Rules, parse_rules

if TYPE_CHECKING:
    from bouclier.accounts.access import AnyUser

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# States from which an applicant may withdraw: any time before a payment.
WITHDRAWABLE = (
    State.SUBMITTED,
    State.INCOMPLETE,
    State.UNDER_INSTRUCTION,
    State.PROPOSED,
    State.GRANTED,
    State.NOTIFIED,
)
EDITABLE = (State.DRAFT,)
DOCUMENTS_OPEN = (State.DRAFT, State.INCOMPLETE, State.NOTIFIED, State.ADVANCE_PAID)


class TransitionError(Exception):
    """A refused change, with the French message to show; nothing was changed."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ConflictError(TransitionError):
    """The file changed since the person loaded it (optimistic locking)."""


@dataclass(frozen=True)
class ExpenseData:
    category: str
    quantity: int
    unit_cost: Decimal
    description: str = ""


@dataclass(frozen=True)
class CameraData:
    place: str
    count: int
    bonus: str = ""


@dataclass(frozen=True)
class FunderData:
    name: str
    amount: Decimal
    is_public: bool = True
    status: str = "requested"


# ---------------------------------------------------------------------------------------------
# Reading a file: its rules, the computation's input, its required documents.


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rules_for(application: Application) -> Rules | None:
    """The frozen rules of a submitted file, or those in force today for a draft."""
    try:
        if application.parameters_snapshot is not None:
            return parse_rules(application.parameters_snapshot)
        parameter_set = parameters_in_force(application.aid_line)
        return parameter_set.rules() if parameter_set is not None else None
    except RuleError:
        return None


def computation_input(application: Application) -> computation.Application:
    bonus_units: dict[str, int] = {}
    for camera in application.cameras.all():
        if camera.bonus:
            bonus_units[camera.bonus] = bonus_units.get(camera.bonus, 0) + camera.count
    return computation.Application(
        beneficiary=application.beneficiary,
        expense_lines=tuple(
            computation.ExpenseLine(item.category, item.quantity, item.unit_cost, item.description)
            for item in application.expense_items.all()
        ),
        conditions=frozenset(application.conditions or ()),
        bonus_units=bonus_units,
        other_funders=tuple(
            computation.OtherFunder(f.name, f.amount, f.is_public)
            for f in application.funders.all()
        ),
    )


def compute_file(application: Application, rules: Rules | None = None) -> computation.Computation:
    rules = rules or rules_for(application)
    if rules is None:
        raise TransitionError(
            _("Aucun règlement lisible n'est en vigueur pour ce dispositif : calcul impossible.")
        )
    return computation.compute(rules, computation_input(application))


def required_documents(application: Application, rules: Rules) -> list[RequiredDocument]:
    categories = {item.category for item in application.expense_items.all()}
    conditions = set(application.conditions or ())
    return [d for d in rules.required_documents if d.applies(categories, conditions)]


def document_kinds(rules: Rules | None) -> dict[str, str]:
    """Every kind of document a file of these rules accepts, code -> label."""
    kinds = {d.code: d.label for d in rules.required_documents} if rules is not None else {}
    for code, label in EXTRA_DOCUMENT_KINDS.items():
        kinds.setdefault(code, str(label))
    return kinds


def latest_documents(application: Application) -> dict[str, Document]:
    """The latest version of each kind of document of the file."""
    latest: dict[str, Document] = {}
    for document in application.documents.all().order_by("kind", "-version"):
        latest.setdefault(document.kind, document)
    return latest


def missing_documents(application: Application, rules: Rules) -> list[RequiredDocument]:
    present = set(application.documents.values_list("kind", flat=True))
    return [d for d in required_documents(application, rules) if d.code not in present]


def open_document_request(application: Application) -> DocumentRequest | None:
    return application.document_requests.filter(answered_at__isnull=True).first()


# ---------------------------------------------------------------------------------------------
# Who acts.


def _is_applicant(user: AnyUser, application: Application) -> bool:
    return applicant_organisations(user).filter(pk=application.organisation_id).exists()


def _require_applicant(user: AnyUser, application: Application) -> None:
    if not _is_applicant(user, application):
        raise TransitionError(_("Vous n'agissez pas pour le demandeur de ce dossier."))


def _require_role(user: AnyUser, roles: Iterable[Role], message: str) -> None:
    if not has_role(user, *roles):
        raise TransitionError(message)


def _require_state(application: Application, states: Sequence[str], action: str) -> None:
    if application.state not in states:
        raise TransitionError(
            _("Impossible de %(action)s : le dossier est « %(state)s ».")
            % {"action": action, "state": State(application.state).label}
        )


def _locked(application: Application, version: int | None = None) -> Application:
    """The file's row, locked until the transaction ends; checks the version if given."""
    current = (
        Application.objects.select_for_update()
        .select_related("organisation", "aid_line")
        .get(pk=application.pk)
    )
    if version is not None and version != current.version:
        raise ConflictError(
            _(
                "Le dossier a été modifié par quelqu'un d'autre depuis que vous l'avez ouvert"
                " (version %(yours)s, actuelle %(current)s). Vos saisies n'ont pas été"
                " enregistrées : rechargez la page pour voir la version actuelle, puis"
                " recommencez."
            )
            % {"yours": version, "current": current.version}
        )
    return current


def _save(current: Application, original: Application, *fields: str) -> None:
    """Save ``fields`` with a new version and copy the result onto the caller's object."""
    current.version += 1
    current.save(update_fields=[*fields, "version", "updated_at"])
    original.refresh_from_db()


def _applicant_emails(application: Application) -> list[str]:
    return sorted(
        set(
            Membership.objects.active()
            .filter(
                organisation_id=application.organisation_id,
                role=Role.APPLICANT,
                user__is_active=True,
            )
            .values_list("user__email", flat=True)
        )
    )


def _mail_applicants(application: Application, template: str, **context: Any) -> None:
    for email in _applicant_emails(application):
        send_templated_email(
            f"grants/email/{template}", email, {"application": application, **context}
        )


def _state_changed(application: Application, detail: str = "") -> None:
    _mail_applicants(application, "state_changed", detail=detail)


# ---------------------------------------------------------------------------------------------
# The draft.


def create_draft(
    user: User,
    *,
    organisation: Organisation,
    aid_line: AidLine,
    request: HttpRequest | None = None,
) -> Application:
    """Open a draft file for ``organisation``, whose applicant ``user`` must be."""
    if not applicant_organisations(user).filter(pk=organisation.pk).exists():
        raise TransitionError(_("Vous n'êtes pas rattaché(e) à ce demandeur."))
    parameter_set = parameters_in_force(aid_line)
    if parameter_set is None:
        raise TransitionError(_("Aucun règlement n'est en vigueur pour ce dispositif."))
    rules = parameter_set.rules()
    prefix = "epci" if organisation.kind == OrganisationKind.EPCI else "commune"
    beneficiary = next((b.code for b in rules.beneficiaries if b.code.startswith(prefix)), "")
    with transaction.atomic():
        application = Application.objects.create(
            organisation=organisation,
            aid_line=aid_line,
            beneficiary=beneficiary,
            created_by=user,
        )
        record("grants.application.created", request=request, actor=user, target=application)
    return application


def save_project(
    application: Application,
    user: User,
    *,
    version: int,
    title: str,
    description: str,
    beneficiary: str,
    conditions: Iterable[str],
    request: HttpRequest | None = None,
) -> None:
    """Save the draft's object, description, beneficiary type and declared conditions."""
    with transaction.atomic():
        current = _locked(application, version)
        _require_applicant(user, current)
        _require_state(current, EDITABLE, _("modifier le dossier"))
        current.title, current.description = title, description
        current.beneficiary, current.conditions = beneficiary, sorted(set(conditions))
        _save(current, application, "title", "description", "beneficiary", "conditions")
        record(
            "grants.application.edited", request=request, target=current, data={"step": "projet"}
        )


@contextmanager
def _editing_draft(
    application: Application,
    user: User,
    version: int,
    step: str,
    request: HttpRequest | None,
    **data: Any,
) -> Iterator[Application]:
    """Lock an editable draft of the user's, let the caller change it, save and journal it."""
    with transaction.atomic():
        current = _locked(application, version)
        _require_applicant(user, current)
        _require_state(current, EDITABLE, _("modifier le dossier"))
        yield current
        _save(current, application)
        record(
            "grants.application.edited",
            request=request,
            target=current,
            data={"step": step, **data},
        )


def save_expenses(
    application: Application,
    user: User,
    *,
    version: int,
    lines: Sequence[ExpenseData],
    request: HttpRequest | None = None,
) -> None:
    """Replace the draft's expense lines (quotes stay attached by position)."""
    with _editing_draft(application, user, version, "depenses", request, lines=len(lines)) as f:
        quotes = list(f.expense_items.values_list("quote_id", flat=True))
        f.expense_items.all().delete()
        ExpenseItem.objects.bulk_create(
            ExpenseItem(
                application=f,
                position=i,
                category=line.category,
                description=line.description,
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                quote_id=quotes[i] if i < len(quotes) else None,
            )
            for i, line in enumerate(lines)
        )


def save_cameras(
    application: Application,
    user: User,
    *,
    version: int,
    cameras: Sequence[CameraData],
    request: HttpRequest | None = None,
) -> None:
    with _editing_draft(application, user, version, "cameras", request, sites=len(cameras)) as f:
        f.cameras.all().delete()
        CameraSite.objects.bulk_create(
            CameraSite(application=f, place=c.place, count=c.count, bonus=c.bonus) for c in cameras
        )


def save_funders(
    application: Application,
    user: User,
    *,
    version: int,
    funders: Sequence[FunderData],
    request: HttpRequest | None = None,
) -> None:
    with _editing_draft(
        application, user, version, "financement", request, funders=len(funders)
    ) as f:
        f.funders.all().delete()
        Funder.objects.bulk_create(
            Funder(
                application=f,
                name=funder.name,
                amount=funder.amount,
                is_public=funder.is_public,
                status=funder.status,
            )
            for funder in funders
        )


def add_document(
    application: Application,
    user: User,
    *,
    kind: str,
    name: str,
    content: bytes,
    quote_for: int | None = None,
    request: HttpRequest | None = None,
) -> Document:
    """Store a new version of a document of ``kind`` (raises ``DocumentError`` if refused)."""
    checked = check_document(content, name)
    with transaction.atomic():
        current = _locked(application)
        _require_applicant(user, current)
        _require_state(current, DOCUMENTS_OPEN, _("ajouter une pièce"))
        if kind not in document_kinds(rules_for(current)):
            raise TransitionError(_("Type de pièce inconnu pour ce dossier."))
        last = current.documents.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0
        document = Document(
            application=current,
            kind=kind,
            version=last + 1,
            original_name=checked.name,
            content_type=checked.content_type,
            size=len(content),
            sha256=checked.sha256,
            uploaded_by=user,
        )
        # A random stored name: the uploaded one is only displayed, never used as a path.
        document.file.save(
            f"{current.pk}/{checked.sha256[:16]}.{checked.extension}",
            ContentFile(content),
            save=False,
        )
        document.save()
        if quote_for is not None:
            current.expense_items.filter(position=quote_for).update(quote=document)
        _save(current, application)
        record(
            "grants.document.uploaded",
            request=request,
            target=current,
            data={"kind": kind, "version": document.version, "sha256": checked.sha256},
        )
    return document


# ---------------------------------------------------------------------------------------------
# Submission.


def submit(application: Application, user: User, *, request: HttpRequest | None = None) -> bool:
    """Submit the draft; False (and nothing done) when it was already submitted.

    The set in force today is frozen into the file with the amount and its explanation; the
    acknowledgement PDF is rendered and e-mailed to the organisation's applicants.
    """
    from bouclier.grants.services.pdf import acknowledgement_pdf

    with transaction.atomic():
        current = _locked(application)
        _require_applicant(user, current)
        if current.submitted_at is not None and current.state != State.DRAFT:
            # A double click, or a second tab: the first request did the submission.
            application.refresh_from_db()
            return False
        _require_state(current, EDITABLE, _("déposer le dossier"))
        if not current.title.strip():
            raise TransitionError(_("Indiquez l'objet du projet avant de déposer le dossier."))
        if not current.expense_items.exists():
            raise TransitionError(
                _("Saisissez au moins une ligne de dépense avant de déposer le dossier.")
            )
        today = timezone.localdate()
        parameter_set: ParameterSet | None = parameters_in_force(current.aid_line, today)
        if parameter_set is None:
            raise TransitionError(
                _("Aucun règlement n'est en vigueur aujourd'hui : dépôt impossible.")
            )
        try:
            rules = parameter_set.rules()
        except RuleError:
            raise TransitionError(
                _("Le règlement en vigueur est en cours de correction : dépôt impossible.")
            ) from None
        result = compute_file(current, rules)
        now = timezone.now()
        current.parameter_set = parameter_set
        current.parameters_snapshot = parameter_set.snapshot()
        current.requested_amount = result.amount
        current.eligible_base = result.eligible_base.quantize(CENT, rounding=ROUND_FLOOR)
        current.explanation = [
            {
                "label": str(step.label),
                "amount": None if step.amount is None else str(step.amount),
                "detail": str(step.detail),
            }
            for step in result.steps
        ]
        current.state = State.SUBMITTED
        current.submitted_at = now
        current.number = f"BS-{now:%Y}-{current.pk:05d}"
        pdf = acknowledgement_pdf(current, result, missing_documents(current, rules))
        current.acknowledgement.save(f"{current.number}.pdf", ContentFile(pdf), save=False)
        _save(
            current,
            application,
            "parameter_set",
            "parameters_snapshot",
            "requested_amount",
            "eligible_base",
            "explanation",
            "state",
            "submitted_at",
            "number",
            "acknowledgement",
        )
        record(
            "grants.application.submitted",
            request=request,
            actor=user,
            target=current,
            data={
                "amount": str(result.amount),
                "parameter_set": parameter_set.pk,
                "valid_from": parameter_set.valid_from.isoformat(),
            },
        )
        from bouclier.grants.tasks import send_acknowledgement

        pk = current.pk
        transaction.on_commit(lambda: send_acknowledgement.enqueue(pk))
    return True


# ---------------------------------------------------------------------------------------------
# Completeness and instruction (the Département).


def request_documents(
    application: Application,
    user: User,
    *,
    kinds: Sequence[str],
    message: str,
    deadline: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> DocumentRequest:
    """Ask the applicant for missing documents: the file becomes incomplete until answered."""
    with transaction.atomic():
        current = _locked(application)
        _require_role(user, STAFF_ROLES, _("Seuls les instructeurs demandent des pièces."))
        _require_state(
            current, (State.SUBMITTED, State.UNDER_INSTRUCTION), _("demander des pièces")
        )
        if not kinds and not message.strip():
            raise TransitionError(_("Indiquez les pièces demandées ou un message."))
        rules = rules_for(current)
        known = document_kinds(rules)
        unknown = [k for k in kinds if k not in known]
        if unknown:
            raise TransitionError(_("Pièce inconnue : %(k)s.") % {"k": ", ".join(unknown)})
        today = timezone.localdate()
        days = rules.completeness_deadline_days if rules is not None else 30
        deadline = deadline or today + datetime.timedelta(days=days)
        if deadline <= today:
            raise TransitionError(_("La date limite doit être postérieure à aujourd'hui."))
        document_request = DocumentRequest.objects.create(
            application=current,
            kinds=list(kinds),
            message=message,
            deadline=deadline,
            from_state=current.state,
            requested_by=user,
        )
        current.state = State.INCOMPLETE
        _save(current, application, "state")
        record(
            "grants.application.documents_requested",
            request=request,
            actor=user,
            target=current,
            data={"kinds": list(kinds), "deadline": deadline.isoformat()},
        )
        _mail_applicants(
            current,
            "documents_requested",
            document_request=document_request,
            labels=[known[k] for k in kinds],
        )
    return document_request


def answer_document_request(
    application: Application,
    user: User,
    *,
    answer: str = "",
    request: HttpRequest | None = None,
) -> None:
    """The applicant says the missing documents are there, before the deadline."""
    with transaction.atomic():
        current = _locked(application)
        _require_applicant(user, current)
        _require_state(current, (State.INCOMPLETE,), _("répondre à une demande de pièces"))
        open_request = open_document_request(current)
        if open_request is None:  # pragma: no cover - an incomplete file always has one
            raise TransitionError(_("Aucune demande de pièces n'est en cours."))
        if timezone.localdate() > open_request.deadline:
            raise TransitionError(
                _("Le délai pour compléter le dossier a expiré le %(date)s.")
                % {"date": open_request.deadline.strftime("%d/%m/%Y")}
            )
        present = set(current.documents.values_list("kind", flat=True))
        lacking = [k for k in open_request.kinds if k not in present]
        if lacking:
            labels = document_kinds(rules_for(current))
            raise TransitionError(
                _("Il manque encore : %(list)s.")
                % {"list": ", ".join(labels.get(k, k) for k in lacking)}
            )
        open_request.answered_at = timezone.now()
        open_request.answer = answer
        open_request.save(update_fields=["answered_at", "answer"])
        current.state = open_request.from_state
        _save(current, application, "state")
        record(
            "grants.application.documents_provided",
            request=request,
            actor=user,
            target=current,
        )


def start_instruction(
    application: Application, user: User, *, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        current = _locked(application)
        _require_role(user, STAFF_ROLES, _("Seuls les instructeurs instruisent les dossiers."))
        _require_state(
            current, (State.SUBMITTED, State.INCOMPLETE), _("mettre le dossier en instruction")
        )
        if current.state == State.INCOMPLETE:
            # The instructor judges the file complete enough: the request is closed.
            current.document_requests.filter(answered_at__isnull=True).update(
                answered_at=timezone.now(), answer=_("Close par l'instructeur.")
            )
        current.state = State.UNDER_INSTRUCTION
        _save(current, application, "state")
        record(
            "grants.application.instruction_started", request=request, actor=user, target=current
        )
        _state_changed(current)


def propose(
    application: Application,
    user: User,
    *,
    amount: Decimal | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Propose the file to a Commission permanente session with an amount (default: computed)."""
    with transaction.atomic():
        current = _locked(application)
        _require_role(user, STAFF_ROLES, _("Seuls les instructeurs proposent les dossiers."))
        _require_state(current, (State.UNDER_INSTRUCTION,), _("proposer le dossier"))
        amount = current.requested_amount if amount is None else amount
        _check_amount(amount, current.requested_amount)
        current.proposed_amount = amount
        current.state = State.PROPOSED
        _save(current, application, "proposed_amount", "state")
        record(
            "grants.application.proposed",
            request=request,
            actor=user,
            target=current,
            data={"amount": str(amount)},
        )


def _check_amount(amount: Decimal | None, maximum: Decimal | None) -> None:
    if amount is None or not amount.is_finite() or amount <= 0:
        raise TransitionError(_("Le montant doit être un nombre positif."))
    if maximum is not None and amount > maximum:
        raise TransitionError(
            _("Le montant ne peut dépasser l'aide calculée (%(max)s €).") % {"max": maximum}
        )


def decide(
    application: Application,
    user: User,
    *,
    granted: bool,
    amount: Decimal | None = None,
    deliberation_number: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Record the Commission's vote: granted with an amount, or refused with a reason."""
    with transaction.atomic():
        current = _locked(application)
        _require_role(user, DECISION_ROLES, _("Seul le gestionnaire enregistre les décisions."))
        _require_state(current, (State.PROPOSED,), _("enregistrer la décision"))
        if granted:
            amount = current.proposed_amount if amount is None else amount
            _check_amount(amount, current.requested_amount)
            current.granted_amount = amount
            current.state = State.GRANTED
        else:
            if not reason.strip():
                raise TransitionError(_("Indiquez le motif du refus."))
            current.state = State.REFUSED
        current.deliberation_number = deliberation_number
        current.decision_reason = reason
        current.decided_at = timezone.now()
        _save(
            current,
            application,
            "granted_amount",
            "state",
            "deliberation_number",
            "decision_reason",
            "decided_at",
        )
        record(
            "grants.application.granted" if granted else "grants.application.refused",
            request=request,
            actor=user,
            target=current,
            reason=reason,
            data={"amount": str(amount) if granted else None, "deliberation": deliberation_number},
        )
        if not granted:
            _state_changed(current, reason)


def notify(application: Application, user: User, *, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        current = _locked(application)
        _require_role(user, DECISION_ROLES, _("Seul le gestionnaire notifie les décisions."))
        _require_state(current, (State.GRANTED,), _("notifier la décision"))
        current.state = State.NOTIFIED
        current.notified_at = timezone.now()
        _save(current, application, "state", "notified_at")
        record("grants.application.notified", request=request, actor=user, target=current)
        _state_changed(current)


def withdraw(
    application: Application, user: User, *, reason: str, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        current = _locked(application)
        _require_applicant(user, current)
        _require_state(current, WITHDRAWABLE, _("retirer le dossier"))
        if not reason.strip():
            raise TransitionError(_("Indiquez pourquoi vous retirez le dossier."))
        current.state = State.WITHDRAWN
        current.closed_at = timezone.now()
        current.decision_reason = reason
        _save(current, application, "state", "closed_at", "decision_reason")
        record(
            "grants.application.withdrawn",
            request=request,
            actor=user,
            target=current,
            reason=reason,
        )
        _state_changed(current, reason)


# ---------------------------------------------------------------------------------------------
# Payments.


def _own_documents(
    current: Application, documents: Iterable[Document], kind: str
) -> list[Document]:
    chosen = [d for d in documents if d.application_id == current.pk and d.kind == kind]
    return chosen


def request_advance(
    application: Application,
    user: User,
    *,
    proof: Document | None,
    request: HttpRequest | None = None,
) -> PaymentRequest:
    """Ask for the advance, with the proof that works have started."""
    with transaction.atomic():
        current = _locked(application)
        _require_applicant(user, current)
        _require_state(current, (State.NOTIFIED,), _("demander l'avance"))
        if current.payment_requests.filter(kind=PaymentKind.ADVANCE).exists():
            raise TransitionError(_("L'avance a déjà été demandée."))
        proofs = _own_documents(current, [proof] if proof else [], "debut_travaux")
        if not proofs:
            raise TransitionError(
                _("Joignez le justificatif de commencement des travaux pour demander l'avance.")
            )
        payment = PaymentRequest.objects.create(
            application=current, kind=PaymentKind.ADVANCE, requested_by=user
        )
        payment.documents.set(proofs)
        _save(current, application)
        record("grants.payment.advance_requested", request=request, actor=user, target=current)
    return payment


def advance_amount(application: Application) -> Decimal:
    rules = rules_for(application)
    share = rules.advance_share if rules is not None else Decimal(0)
    granted = application.granted_amount or Decimal(0)
    return (granted * share / HUNDRED).quantize(CENT, rounding=ROUND_FLOOR)


def pay_advance(
    application: Application, user: User, *, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        current = _locked(application)
        _require_role(
            user, PAYMENT_ROLES, _("Seul le service financier enregistre les versements.")
        )
        _require_state(current, (State.NOTIFIED,), _("verser l'avance"))
        payment = current.payment_requests.filter(kind=PaymentKind.ADVANCE).first()
        if payment is None:
            raise TransitionError(_("L'avance n'a pas été demandée."))
        amount = advance_amount(current)
        payment.paid_amount, payment.paid_at = amount, timezone.now()
        payment.save(update_fields=["paid_amount", "paid_at"])
        current.advance_paid = amount
        current.state = State.ADVANCE_PAID
        _save(current, application, "advance_paid", "state")
        record(
            "grants.payment.advance_paid",
            request=request,
            actor=user,
            target=current,
            data={"amount": str(amount)},
        )
        _state_changed(current)


def request_balance(
    application: Application,
    user: User,
    *,
    declared_expenses: Decimal,
    invoices: Sequence[Document],
    statement: Document | None,
    request: HttpRequest | None = None,
) -> PaymentRequest:
    """Ask for the balance with the paid invoices and the statement of expenses."""
    with transaction.atomic():
        current = _locked(application)
        _require_applicant(user, current)
        _require_state(current, (State.NOTIFIED, State.ADVANCE_PAID), _("demander le solde"))
        if current.payment_requests.filter(kind=PaymentKind.BALANCE).exists():
            raise TransitionError(_("Le solde a déjà été demandé."))
        if not declared_expenses.is_finite() or declared_expenses <= 0:
            raise TransitionError(_("Les dépenses réalisées doivent être un montant positif."))
        paid_invoices = _own_documents(current, invoices, "facture")
        statements = _own_documents(current, [statement] if statement else [], "etat_depenses")
        if not paid_invoices:
            raise TransitionError(_("Joignez les factures acquittées pour demander le solde."))
        if not statements:
            raise TransitionError(
                _("Joignez l'état récapitulatif des dépenses pour demander le solde.")
            )
        payment = PaymentRequest.objects.create(
            application=current,
            kind=PaymentKind.BALANCE,
            requested_by=user,
            declared_expenses=declared_expenses,
        )
        payment.documents.set([*paid_invoices, *statements])
        _save(current, application)
        record(
            "grants.payment.balance_requested",
            request=request,
            actor=user,
            target=current,
            data={"declared_expenses": str(declared_expenses)},
        )
    return payment


def balance_amount(application: Application, declared_expenses: Decimal) -> Decimal:
    """The balance: the granted aid prorated to the expenses actually made, minus the advance."""
    granted = application.granted_amount or Decimal(0)
    planned = application.eligible_base or Decimal(0)
    final = granted
    if planned > 0 and declared_expenses < planned:
        final = (granted * declared_expenses / planned).quantize(CENT, rounding=ROUND_FLOOR)
    return max(final - application.advance_paid, Decimal(0))


def pay_balance(
    application: Application, user: User, *, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        current = _locked(application)
        _require_role(
            user, PAYMENT_ROLES, _("Seul le service financier enregistre les versements.")
        )
        _require_state(current, (State.NOTIFIED, State.ADVANCE_PAID), _("verser le solde"))
        payment = current.payment_requests.filter(kind=PaymentKind.BALANCE).first()
        if payment is None or payment.declared_expenses is None:
            raise TransitionError(_("Le solde n'a pas été demandé."))
        amount = balance_amount(current, payment.declared_expenses)
        now = timezone.now()
        payment.paid_amount, payment.paid_at = amount, now
        payment.save(update_fields=["paid_amount", "paid_at"])
        current.balance_paid = amount
        current.state = State.BALANCE_PAID
        current.closed_at = now
        _save(current, application, "balance_paid", "state", "closed_at")
        record(
            "grants.payment.balance_paid",
            request=request,
            actor=user,
            target=current,
            data={"amount": str(amount)},
        )
        _state_changed(current)


# ---------------------------------------------------------------------------------------------
# Lapse.


def lapse_deadline(application: Application) -> datetime.date | None:
    """The date after which the file may lapse in its current state, if any."""
    rules = rules_for(application)
    if application.state == State.INCOMPLETE:
        open_request = open_document_request(application)
        return open_request.deadline if open_request is not None else None
    if rules is None or application.notified_at is None:
        return None
    notified = timezone.localdate(application.notified_at)
    if application.state in (State.NOTIFIED, State.ADVANCE_PAID):
        if application.payment_requests.filter(kind=PaymentKind.BALANCE).exists():
            return None
        balance = add_months(notified, rules.balance_request_deadline_months)
        if application.state == State.NOTIFIED and not application.payment_requests.exists():
            return min(add_months(notified, rules.works_start_deadline_months), balance)
        return balance
    return None


def lapse(
    application: Application,
    user: User | None,
    *,
    today: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Declare the file lapsed once its deadline has passed (``user`` None: scheduled job)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        current = _locked(application)
        if user is not None:
            _require_role(user, DECISION_ROLES, _("Seul le gestionnaire déclare un dossier caduc."))
        _require_state(
            current,
            (State.INCOMPLETE, State.NOTIFIED, State.ADVANCE_PAID),
            _("déclarer le dossier caduc"),
        )
        deadline = lapse_deadline(current)
        if deadline is None or today <= deadline:
            raise TransitionError(
                _("Le délai du dossier n'est pas dépassé : il ne peut être caduc.")
            )
        current.state = State.LAPSED
        current.closed_at = timezone.now()
        _save(current, application, "state", "closed_at")
        record(
            "grants.application.lapsed",
            request=request,
            actor=user,
            target=current,
            data={"deadline": deadline.isoformat()},
        )
        _state_changed(current)


def lapse_overdue(today: datetime.date | None = None) -> list[str]:
    """The scheduled job: every file past its deadline lapses; returns their numbers."""
    lapsed = []
    states = (State.INCOMPLETE, State.NOTIFIED, State.ADVANCE_PAID)
    for application in Application.objects.filter(state__in=states):
        try:
            lapse(application, None, today=today)
        except TransitionError:
            continue
        lapsed.append(application.number)
    return lapsed


# ---------------------------------------------------------------------------------------------
# Messages and private annotations.


def post_message(
    application: Application, user: User, *, body: str, request: HttpRequest | None = None
) -> Message:
    """A message between the applicant and the instructors (both sides read it)."""
    body = body.strip()
    if not body:
        raise TransitionError(_("Le message est vide."))
    staff = has_role(user, *STAFF_ROLES)
    if not staff:
        _require_applicant(user, application)
    if application.state == State.DRAFT:
        raise TransitionError(_("Déposez le dossier avant d'écrire à l'instructeur."))
    with transaction.atomic():
        message = Message.objects.create(
            application=application, author=user, from_department=staff, body=body
        )
        record("grants.message.posted", request=request, actor=user, target=application)
        if staff:
            _mail_applicants(application, "new_message", message=message)
    return message


def annotate(
    application: Application, user: User, *, body: str, request: HttpRequest | None = None
) -> Annotation:
    """An instructor's private annotation, never shown to the applicant."""
    _require_role(user, STAFF_ROLES, _("Seuls les instructeurs annotent les dossiers."))
    body = body.strip()
    if not body:
        raise TransitionError(_("L'annotation est vide."))
    with transaction.atomic():
        annotation = Annotation.objects.create(application=application, author=user, body=body)
        record("grants.annotation.written", request=request, actor=user, target=application)
    return annotation
