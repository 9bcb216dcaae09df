"""State changes of the Département's side: opinions, adjustments, sessions, votes, letters,
reminders. Built on ``bouclier.grants.services.applications``, whose transitions (propose,
decide, notify, pay) stay the only way to change a file's state: these functions add what
surrounds them (the agenda, the envelope check, the letter) inside the same transaction.

Each function checks who acts and from which state, refuses with a French ``TransitionError``
that changes nothing (the transaction is rolled back) and writes the audit trail.

Concurrent votes: a vote locks its envelope's row (``select_for_update``) before summing what
is already committed, so two votes on one envelope run one after the other and the second
sees the first; the envelope is never overspent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bouclier.accounts.access import has_role
from bouclier.accounts.models import User
from bouclier.accounts.services import send_templated_email
from bouclier.audit.services import record
from bouclier.grants.access import DECISION_ROLES, STAFF_ROLES
from bouclier.grants.models import AidLine
from bouclier.grants.models_files import Application, PaymentKind, PaymentRequest, State
from bouclier.grants.services import applications as files
from bouclier.grants.services.applications import CENT, TransitionError
from bouclier.grants_office.models import (
    Adjustment,
    AgendaItem,
    Envelope,
    Opinion,
    Outcome,
    Reminder,
    Session,
    UserQueuePreference,
)

# Reminders go out this many days before a deadline (once per deadline).
REMINDER_DAYS = 15
# Files whose vote commits the envelope for the whole granted amount: still to be paid.
COMMITTED_STATES = (State.GRANTED, State.NOTIFIED, State.ADVANCE_PAID)
ZERO = Decimal(0)
MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _require(user: User, roles: tuple[str, ...], message: str) -> None:
    if not has_role(user, *roles):  # type: ignore[arg-type]
        raise TransitionError(message)


# ---------------------------------------------------------------------------------------------
# Opinions and adjustments during the instruction.

OPINION_STATES = (State.SUBMITTED, State.INCOMPLETE, State.UNDER_INSTRUCTION)


def request_opinion(
    application: Application,
    user: User,
    *,
    requested_from: User,
    question: str,
    deadline: datetime.date,
    request: HttpRequest | None = None,
) -> Opinion:
    """Ask someone's opinion on the file (e.g. the référent sûreté on the camera sites)."""
    _require(user, STAFF_ROLES, _("Seuls les instructeurs demandent des avis."))
    if application.state not in OPINION_STATES:
        raise TransitionError(_("Les avis se demandent pendant l'instruction du dossier."))
    if not question.strip():
        raise TransitionError(_("Posez la question à laquelle l'avis doit répondre."))
    if deadline <= timezone.localdate():
        raise TransitionError(_("La date limite doit être postérieure à aujourd'hui."))
    if not requested_from.is_active or requested_from.pk == user.pk:
        raise TransitionError(_("Choisissez une autre personne, dont le compte est actif."))
    with transaction.atomic():
        opinion = Opinion.objects.create(
            application=application,
            requested_from=requested_from,
            requested_by=user,
            question=question.strip(),
            deadline=deadline,
        )
        record(
            "grants.opinion.requested",
            request=request,
            actor=user,
            target=application,
            data={"opinion": opinion.pk, "deadline": deadline.isoformat()},
        )
        send_templated_email(
            "grants_office/email/opinion_requested",
            requested_from.email,
            {"opinion": opinion, "link": _absolute("grants_office:opinion", opinion.pk)},
        )
    return opinion


def give_opinion(
    opinion: Opinion,
    user: User,
    *,
    answer: str,
    favourable: bool | None,
    request: HttpRequest | None = None,
) -> None:
    with transaction.atomic():
        current = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if current.requested_from_id != user.pk:
            raise TransitionError(_("Cet avis a été demandé à une autre personne."))
        if current.answered_at is not None:
            raise TransitionError(_("Cet avis a déjà été rendu."))
        if not answer.strip():
            raise TransitionError(_("Rédigez l'avis."))
        current.answer, current.favourable = answer.strip(), favourable
        current.answered_at = timezone.now()
        current.save(update_fields=["answer", "favourable", "answered_at"])
        record(
            "grants.opinion.given",
            request=request,
            actor=user,
            target=current.application,
            data={"opinion": current.pk, "favourable": favourable},
        )
    opinion.refresh_from_db()


def adjust_eligible_base(
    application: Application,
    user: User,
    *,
    version: int,
    retained_base: Decimal,
    reason: str,
    request: HttpRequest | None = None,
) -> Adjustment:
    """Retain a lower eligible base, with its justification; the aid follows it pro rata.

    The aid is recomputed from the amounts computed at submission (never from an earlier
    adjustment's rounding): aid = computed aid x retained base / computed base, rounded down.
    """
    with transaction.atomic():
        current = files._locked(application, version)
        _require(user, STAFF_ROLES, _("Seuls les instructeurs ajustent la base éligible."))
        if current.state != State.UNDER_INSTRUCTION:
            raise TransitionError(
                _("La base éligible s'ajuste pendant l'instruction (dossier « %(state)s »).")
                % {"state": State(current.state).label}
            )
        if not reason.strip():
            raise TransitionError(_("Justifiez l'ajustement."))
        first = Adjustment.objects.filter(application=current).order_by("created_at", "pk").first()
        base = first.previous_base if first else current.eligible_base or ZERO
        amount = first.previous_amount if first else current.requested_amount or ZERO
        if not retained_base.is_finite() or retained_base <= 0:
            raise TransitionError(_("La base retenue doit être un montant positif."))
        if retained_base > base:
            raise TransitionError(
                _("La base retenue ne peut dépasser la base calculée (%(base)s €).")
                % {"base": base}
            )
        adjusted = (amount * retained_base / base).quantize(CENT, rounding=ROUND_FLOOR)
        adjustment = Adjustment.objects.create(
            application=current,
            author=user,
            previous_base=current.eligible_base or ZERO,
            retained_base=retained_base,
            previous_amount=current.requested_amount or ZERO,
            adjusted_amount=adjusted,
            reason=reason.strip(),
        )
        if first is None:
            # The first adjustment keeps the computed values as its "before".
            adjustment.previous_base, adjustment.previous_amount = base, amount
            adjustment.save(update_fields=["previous_base", "previous_amount"])
        current.eligible_base, current.requested_amount = retained_base, adjusted
        files._save(current, application, "eligible_base", "requested_amount")
        record(
            "grants.application.base_adjusted",
            request=request,
            actor=user,
            target=current,
            reason=reason,
            data={"retained_base": str(retained_base), "amount": str(adjusted)},
        )
    return adjustment


# ---------------------------------------------------------------------------------------------
# Budget envelopes.


@dataclass(frozen=True)
class EnvelopeFigures:
    year: int
    aid_line: AidLine
    amount: Decimal | None  # None: no envelope voted for that year and aid line
    committed: Decimal
    paid: Decimal
    proposed: Decimal  # on agendas, not yet voted

    @property
    def remaining(self) -> Decimal | None:
        return None if self.amount is None else self.amount - self.committed

    @property
    def overflows(self) -> bool:
        """True when the pending proposals would exceed what remains."""
        return self.remaining is not None and self.proposed > self.remaining


def committed_and_paid(year: int, aid_line_id: int) -> tuple[Decimal, Decimal]:
    """What the year's votes commit on an aid line, and what was paid.

    A granted file commits its granted amount while it may still be paid; once closed,
    lapsed or withdrawn, it commits only what was actually paid: the rest is released.
    """
    paid_expr = F("application__advance_paid") + F("application__balance_paid")
    totals = AgendaItem.objects.filter(
        outcome=Outcome.GRANTED, session__date__year=year, application__aid_line_id=aid_line_id
    ).aggregate(
        committed=Coalesce(
            Sum(
                Case(
                    When(application__state__in=COMMITTED_STATES, then=F("granted_amount")),
                    default=paid_expr,
                    output_field=MONEY,
                )
            ),
            Value(ZERO),
            output_field=MONEY,
        ),
        paid=Coalesce(Sum(paid_expr, output_field=MONEY), Value(ZERO), output_field=MONEY),
    )
    return totals["committed"], totals["paid"]


def envelope_figures(year: int) -> list[EnvelopeFigures]:
    """Every aid line's envelope for ``year``: amount, committed, paid, proposed."""
    envelopes = {e.aid_line_id: e.amount for e in Envelope.objects.filter(year=year)}
    pending = dict(
        AgendaItem.objects.filter(outcome=Outcome.PENDING, session__date__year=year)
        .values("application__aid_line_id")
        .annotate(total=Sum("proposed_amount"))
        .values_list("application__aid_line_id", "total")
    )
    figures = []
    for aid_line in AidLine.objects.all():
        committed, paid = committed_and_paid(year, aid_line.pk)
        figures.append(
            EnvelopeFigures(
                year,
                aid_line,
                envelopes.get(aid_line.pk),
                committed,
                paid,
                pending.get(aid_line.pk) or ZERO,
            )
        )
    return figures


def set_envelope(
    user: User,
    *,
    year: int,
    aid_line: AidLine,
    amount: Decimal,
    request: HttpRequest | None = None,
) -> Envelope:
    """Create or change a year's envelope; never below what is already committed."""
    _require(user, DECISION_ROLES, _("Seul le gestionnaire fixe les enveloppes."))
    if not amount.is_finite() or amount < 0:
        raise TransitionError(_("Le montant de l'enveloppe doit être positif."))
    with transaction.atomic():
        envelope = Envelope.objects.select_for_update().filter(year=year, aid_line=aid_line).first()
        committed, _paid = committed_and_paid(year, aid_line.pk)
        if amount < committed:
            raise TransitionError(
                _("L'enveloppe ne peut être inférieure aux %(c)s € déjà engagés.")
                % {"c": committed}
            )
        if envelope is None:
            envelope = Envelope.objects.create(year=year, aid_line=aid_line, amount=amount)
        else:
            envelope.amount = amount
            envelope.save(update_fields=["amount"])
        record(
            "grants.envelope.set",
            request=request,
            actor=user,
            target=envelope,
            data={"year": year, "aid_line": aid_line.code, "amount": str(amount)},
        )
    return envelope


# ---------------------------------------------------------------------------------------------
# Sessions, agenda, votes, notification.


def create_session(
    user: User,
    *,
    date: datetime.date,
    proposal_deadline: datetime.date,
    title: str = "",
    request: HttpRequest | None = None,
) -> Session:
    _require(user, DECISION_ROLES, _("Seul le gestionnaire crée les séances."))
    if proposal_deadline > date:
        raise TransitionError(
            _("La date limite des propositions doit précéder la date de la séance.")
        )
    if Session.objects.filter(date=date).exists():
        raise TransitionError(_("Une séance existe déjà à cette date."))
    with transaction.atomic():
        session = Session.objects.create(
            date=date, proposal_deadline=proposal_deadline, title=title.strip()
        )
        record(
            "grants.session.created",
            request=request,
            actor=user,
            target=session,
            data={"date": date.isoformat()},
        )
    return session


def put_on_agenda(
    session: Session,
    application: Application,
    user: User,
    *,
    amount: Decimal | None = None,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """Propose a file to a session (or carry a postponed one over to a later session)."""
    _require(user, STAFF_ROLES, _("Seuls les instructeurs proposent les dossiers."))
    if timezone.localdate() > session.proposal_deadline:
        raise TransitionError(
            _("La date limite des propositions de cette séance (%(d)s) est passée.")
            % {"d": session.proposal_deadline.strftime("%d/%m/%Y")}
        )
    with transaction.atomic():
        current = files._locked(application)
        if AgendaItem.objects.filter(application=current, outcome=Outcome.PENDING).exists():
            raise TransitionError(_("Ce dossier est déjà à l'ordre du jour d'une séance."))
        if current.state == State.UNDER_INSTRUCTION:
            files.propose(current, user, amount=amount, request=request)
            current.refresh_from_db()
        elif current.state != State.PROPOSED:
            raise TransitionError(
                _("Seul un dossier instruit peut être proposé (dossier « %(state)s »).")
                % {"state": State(current.state).label}
            )
        elif amount is not None:
            raise TransitionError(_("Un dossier ajourné garde le montant déjà proposé."))
        assert current.proposed_amount is not None  # set by propose(), kept when postponed
        item = AgendaItem.objects.create(
            session=session, application=current, proposed_amount=current.proposed_amount
        )
        record(
            "grants.session.item_added",
            request=request,
            actor=user,
            target=current,
            data={"session": session.pk, "amount": str(item.proposed_amount)},
        )
    application.refresh_from_db()
    return item


def record_vote(
    item: AgendaItem,
    user: User,
    *,
    outcome: str,
    amount: Decimal | None = None,
    deliberation_number: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Record the Commission's vote on one file of the agenda.

    Granted: the amount (default: the proposed one) may not exceed the computed aid nor what
    remains of the year's envelope for the aid line, checked under the envelope's row lock.
    """
    _require(user, DECISION_ROLES, _("Seul le gestionnaire enregistre les votes."))
    if outcome not in (Outcome.GRANTED, Outcome.REFUSED, Outcome.POSTPONED):
        raise TransitionError(_("Choisissez : accordée, refusée ou ajournée."))
    deliberation_number = deliberation_number.strip()
    if outcome != Outcome.POSTPONED and not deliberation_number:
        raise TransitionError(_("Indiquez le numéro de la délibération."))
    with transaction.atomic():
        current = (
            AgendaItem.objects.select_for_update()
            .select_related("session", "application")
            .get(pk=item.pk)
        )
        if current.outcome != Outcome.PENDING:
            raise TransitionError(_("Le vote sur ce dossier est déjà enregistré."))
        application = current.application
        if outcome == Outcome.GRANTED:
            amount = current.proposed_amount if amount is None else amount
            year = current.session.date.year
            envelope = (
                Envelope.objects.select_for_update()
                .filter(year=year, aid_line_id=application.aid_line_id)
                .first()
            )
            if envelope is None:
                raise TransitionError(
                    _("Aucune enveloppe n'est ouverte en %(year)s pour ce dispositif.")
                    % {"year": year}
                )
            committed, _paid = committed_and_paid(year, application.aid_line_id)
            if amount.is_finite() and committed + amount > envelope.amount:
                raise TransitionError(
                    _(
                        "Ce vote dépasserait l'enveloppe %(year)s : %(left)s € restent"
                        " disponibles pour %(amount)s € demandés."
                    )
                    % {"year": year, "left": envelope.amount - committed, "amount": amount}
                )
            files.decide(
                application,
                user,
                granted=True,
                amount=amount,
                deliberation_number=deliberation_number,
                reason=reason,
                request=request,
            )
            current.granted_amount = application.granted_amount
        elif outcome == Outcome.REFUSED:
            files.decide(
                application,
                user,
                granted=False,
                deliberation_number=deliberation_number,
                reason=reason,
                request=request,
            )
        elif not reason.strip():
            raise TransitionError(_("Indiquez pourquoi le dossier est ajourné."))
        current.outcome = outcome
        current.deliberation_number = deliberation_number
        current.reason = reason.strip()
        current.voted_by, current.voted_at = user, timezone.now()
        current.save(
            update_fields=[
                "outcome",
                "granted_amount",
                "deliberation_number",
                "reason",
                "voted_by",
                "voted_at",
            ]
        )
        record(
            "grants.session.vote",
            request=request,
            actor=user,
            target=application,
            reason=reason,
            data={"session": current.session_id, "outcome": outcome, "amount": str(amount)},
        )
    item.refresh_from_db()


def notify_beneficiary(item: AgendaItem, user: User, *, request: HttpRequest | None = None) -> None:
    """Render the notification letter (PDF), notify the file and e-mail the letter."""
    from bouclier.grants_office.pdf import notification_letter_pdf
    from bouclier.grants_office.tasks import send_letter

    with transaction.atomic():
        current = (
            AgendaItem.objects.select_for_update()
            .select_related("session", "application__organisation", "application__aid_line")
            .get(pk=item.pk)
        )
        if current.outcome != Outcome.GRANTED:
            raise TransitionError(_("Seule une aide accordée se notifie par lettre."))
        application = current.application
        files.notify(application, user, request=request)
        pdf = notification_letter_pdf(current)
        current.letter.save(f"notification-{application.number}.pdf", ContentFile(pdf))
        pk = current.pk
        transaction.on_commit(lambda: send_letter.enqueue(pk))
    item.refresh_from_db()


# ---------------------------------------------------------------------------------------------
# Payments (validation by the finance service) and reminders.


def validate_payment(
    payment: PaymentRequest, user: User, *, request: HttpRequest | None = None
) -> None:
    """Pay the requested advance or balance (the amounts come from the grants services)."""
    if payment.kind == PaymentKind.ADVANCE:
        files.pay_advance(payment.application, user, request=request)
    else:
        files.pay_balance(payment.application, user, request=request)


def payment_amount(payment: PaymentRequest) -> Decimal:
    """The amount the validation would pay, shown before the finance service validates."""
    if payment.paid_amount is not None:
        return payment.paid_amount
    if payment.kind == PaymentKind.ADVANCE:
        return files.advance_amount(payment.application)
    return files.balance_amount(payment.application, payment.declared_expenses or ZERO)


def _absolute(name: str, pk: int) -> str:
    return str(settings.BASE_URL) + reverse(name, kwargs={"pk": pk})


def _remind(
    application: Application,
    kind: str,
    deadline: datetime.date,
    emails: list[str],
    template: str = "grants_office/email/reminder",
    context: dict[str, object] | None = None,
) -> bool:
    """Send one reminder unless it was already sent for that deadline."""
    if not emails:
        return False
    with transaction.atomic():
        _reminder, created = Reminder.objects.get_or_create(
            application=application, kind=kind, deadline=deadline, defaults={"recipients": emails}
        )
        if not created:
            return False
        for email in emails:
            send_templated_email(
                template,
                email,
                {"application": application, "kind": kind, "deadline": deadline, **(context or {})},
            )
    return True


def send_deadline_reminders(today: datetime.date | None = None) -> int:
    """The scheduled job: remind, once per deadline, those who must act before it."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REMINDER_DAYS)
    sent = 0
    watched = Application.objects.filter(
        state__in=(State.INCOMPLETE, State.NOTIFIED, State.ADVANCE_PAID)
    ).select_related("organisation", "aid_line")
    for application in watched:
        deadline = files.lapse_deadline(application)
        if deadline is None or not today <= deadline <= horizon:
            continue
        kind = "pieces" if application.state == State.INCOMPLETE else "caducite"
        sent += _remind(application, kind, deadline, files._applicant_emails(application))
    pending = Opinion.objects.filter(
        Q(answered_at__isnull=True), deadline__gte=today, deadline__lte=horizon
    ).select_related("application", "requested_from")
    for opinion in pending:
        sent += _remind(
            opinion.application,
            f"avis-{opinion.pk}",
            opinion.deadline,
            [opinion.requested_from.email] if opinion.requested_from.is_active else [],
        )
    return sent + remind_overdue_opinions(today)


def remind_overdue_opinions(today: datetime.date) -> int:
    """Tell the instructor who asked an opinion that it is overdue: once per opinion (the
    ``Reminder`` row keyed on the opinion makes a rerun of the job send nothing), and only
    while the file is still being instructed: afterwards the opinion can no longer help."""
    overdue = Opinion.objects.filter(
        answered_at__isnull=True,
        deadline__lt=today,
        requested_by__isnull=False,
        application__state__in=OPINION_STATES,
    ).select_related("application", "requested_by", "requested_from")
    sent = 0
    for opinion in overdue:
        asker = opinion.requested_by
        assert asker is not None  # filtered above
        sent += _remind(
            opinion.application,
            f"avis-retard-{opinion.pk}",
            opinion.deadline,
            [asker.email] if asker.is_active else [],
            template="grants_office/email/opinion_overdue",
            context={
                "opinion": opinion,
                "link": _absolute("grants_office:instruction", opinion.application_id),
            },
        )
    return sent


def set_queue_columns(
    user: User, columns: list[str], *, request: HttpRequest | None = None
) -> UserQueuePreference:
    """Remember which columns the instructor wants in the queue (the number always shows)."""
    from bouclier.grants_office.columns import COLUMNS

    _require(user, STAFF_ROLES, _("Seuls les instructeurs ont une file des dossiers."))
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise TransitionError(_("Colonne inconnue : %(c)s.") % {"c": ", ".join(unknown)})
    ordered = [key for key in COLUMNS if key in columns]
    with transaction.atomic():
        preference, _created = UserQueuePreference.objects.update_or_create(
            user=user, defaults={"columns": ordered}
        )
        record(
            "grants.queue.columns_set",
            request=request,
            actor=user,
            target=preference,
            data={"columns": ordered},
        )
    return preference
