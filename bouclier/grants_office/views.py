"""Pages of the Département's side: queue, instruction page, opinions, sessions and votes,
envelopes, payments, dashboards, exports, the règlement as PDF and the applicant's guide.

Thin views: access through the helpers (404 for what the user may not see), a form, one
service call, and the service's French message when it refuses.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bouclier.accounts.access import has_role, role_required
from bouclier.accounts.models import User
from bouclier.grants.access import access_application, applications_for, is_applicant_for
from bouclier.grants.forms_files import TextForm
from bouclier.grants.models_files import PaymentRequest, State
from bouclier.grants.services import applications as files
from bouclier.grants.services.applications import TransitionError
from bouclier.grants_office import charts, columns, exports, queries, services
from bouclier.grants_office.access import (
    DASHBOARD_ROLES,
    DECISION_ROLES,
    PAYMENT_ROLES,
    STAFF_ROLES,
    access_opinion,
    opinions_for,
)
from bouclier.grants_office.forms import (
    AdjustmentForm,
    EnvelopeForm,
    OpinionForm,
    OpinionRequestForm,
    PeriodForm,
    ProposeForm,
    QueueForm,
    SessionForm,
    VoteForm,
)
from bouclier.grants_office.history import file_history
from bouclier.grants_office.models import Adjustment, AgendaItem, Opinion, Outcome, Session
from bouclier.grants_office.pdf import reglement_pdf, session_report_pdf
from bouclier.grants_office.report import session_report

PAGE_SIZE = 50
QUEUE_PARAMS = frozenset({*QueueForm.base_fields, "page"})


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _errors(form: Any) -> str:
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)


def _computation(application: Any) -> Any:
    """The frozen computation, recomputed from the file's snapshot (None if unreadable)."""
    try:
        return files.compute_file(application)
    except (TransitionError, ValueError):
        return None


def _open_sessions() -> Any:
    return Session.objects.filter(proposal_deadline__gte=timezone.localdate()).order_by("date")


# ---------------------------------------------------------------------------------------------
# Queue and instruction page.


@role_required(*STAFF_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "state": data["etat"],
            "aid_line": data["dispositif"],
            "epci": int(data["epci"]) if data["epci"] else None,
            "deadline_before": data["echeance"],
            "sort": data["tri"] or "depot",
        }
    user = _user(request)
    files_qs = queries.queue(applications_for(user), **filters)
    page = Paginator(files_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    shown = columns.columns_of(user)
    return render(
        request,
        "grants_office/queue.html",
        {
            "form": form,
            "page": page,
            "query": urlencode(kept),
            "columns": [(key, columns.COLUMNS[key]) for key in shown],
            "rows": columns.cells(page.object_list, shown),
            "columns_form": columns.ColumnsForm(initial={"colonnes": shown}),
        },
    )


@require_POST
@role_required(*STAFF_ROLES)
def queue_columns(request: HttpRequest) -> HttpResponse:
    """Remember the instructor's columns, then back to the queue with its filters."""
    form = columns.ColumnsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            services.set_queue_columns(
                _user(request), list(form.cleaned_data["colonnes"]), request=request
            )
        except TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Colonnes de la file enregistrées."))
    # Back to the queue with its filters: only the queue's own parameters are kept.
    kept = [(k, v) for k, v in parse_qsl(request.POST.get("filtres", "")) if k in QUEUE_PARAMS]
    back = redirect("grants_office:queue")
    if kept:
        back["Location"] += "?" + urlencode(kept)
    return back


@role_required(*STAFF_ROLES)
def instruction(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    application = access_application(user, pk)
    if application.state == State.DRAFT:
        raise Http404
    rules = files.rules_for(application)
    kinds = dict(files.document_kinds(rules))
    context: dict[str, Any] = {
        "application": application,
        "State": State,
        "rules": rules,
        "result": _computation(application),
        "expenses": application.expense_items.all(),
        "cameras": application.cameras.all(),
        "funders": application.funders.all(),
        "documents": application.documents.select_related("uploaded_by"),
        "document_labels": kinds,
        "missing": files.missing_documents(application, rules) if rules else [],
        "open_request": files.open_document_request(application),
        "messages_list": application.messages.select_related("author"),
        "annotations": application.annotations.select_related("author"),
        "opinions": Opinion.objects.filter(application=application).select_related(
            "requested_from"
        ),
        "adjustments": Adjustment.objects.filter(application=application).select_related("author"),
        "agenda": AgendaItem.objects.filter(application=application).select_related("session"),
        "payments": application.payment_requests.all(),
        "can_decide": has_role(user, *DECISION_ROLES),
        "message_form": TextForm(),
        "opinion_form": OpinionRequestForm(),
        "adjust_form": AdjustmentForm(
            initial={"version": application.version, "retained_base": application.eligible_base}
        ),
        "propose_form": ProposeForm(sessions=_open_sessions()),
        # The journal of the file: this page is for the staff only (role_required above).
        "history": file_history(application),
    }
    return render(request, "grants_office/instruction.html", context)


def _instruction_action(request: HttpRequest, application: Any, action: str) -> str:
    user, post = _user(request), request.POST
    if action == "instruire":
        files.start_instruction(application, user, request=request)
        return str(_("Dossier mis en instruction."))
    if action in ("message", "annotation"):
        form = TextForm(post)
        if not form.is_valid():
            raise TransitionError(str(_("Le texte est vide.")))
        if action == "message":
            files.post_message(application, user, body=form.cleaned_data["body"], request=request)
            return str(_("Message envoyé au demandeur."))
        files.annotate(application, user, body=form.cleaned_data["body"], request=request)
        return str(_("Annotation enregistrée (visible du Département seulement)."))
    if action == "avis":
        opinion = OpinionRequestForm(post)
        if not opinion.is_valid():
            raise TransitionError(_errors(opinion))
        services.request_opinion(
            application,
            user,
            requested_from=opinion.cleaned_data["email"],
            question=opinion.cleaned_data["question"],
            deadline=opinion.cleaned_data["deadline"],
            request=request,
        )
        return str(_("Avis demandé : la personne consultée est prévenue par e-mail."))
    if action == "ajuster":
        adjust = AdjustmentForm(post)
        if not adjust.is_valid():
            raise TransitionError(_errors(adjust))
        services.adjust_eligible_base(
            application,
            user,
            version=adjust.cleaned_data["version"],
            retained_base=adjust.cleaned_data["retained_base"],
            reason=adjust.cleaned_data["reason"],
            request=request,
        )
        return str(_("Base éligible ajustée ; l'aide suit au prorata."))
    if action == "proposer":
        propose = ProposeForm(post, sessions=_open_sessions())
        if not propose.is_valid():
            raise TransitionError(_errors(propose))
        services.put_on_agenda(
            propose.cleaned_data["session"],
            application,
            user,
            amount=propose.cleaned_data["amount"],
            request=request,
        )
        return str(_("Dossier inscrit à l'ordre du jour de la séance."))
    raise Http404


@require_POST
@role_required(*STAFF_ROLES)
def instruction_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = access_application(_user(request), pk)
    try:
        done = _instruction_action(request, application, action)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("grants_office:instruction", pk=pk)


# ---------------------------------------------------------------------------------------------
# Opinions.


@login_required
def opinions(request: HttpRequest) -> HttpResponse:
    mine = opinions_for(_user(request)).select_related(
        "application__organisation", "application__aid_line"
    )
    return render(request, "grants_office/opinions.html", {"opinions": mine})


@login_required
def opinion(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = access_opinion(user, pk)
    form = OpinionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            raw = form.cleaned_data["favourable"]
            try:
                services.give_opinion(
                    found,
                    user,
                    answer=form.cleaned_data["answer"],
                    favourable=None if raw == "" else raw == "1",
                    request=request,
                )
            except TransitionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Avis rendu : merci."))
                return redirect("grants_office:opinion", pk=pk)
        status = 400
    application = found.application
    return render(
        request,
        "grants_office/opinion.html",
        {
            "opinion": found,
            "application": application,
            "cameras": application.cameras.all(),
            "expenses": application.expense_items.all(),
            "form": form,
            "can_answer": found.requested_from_id == user.pk and found.answered_at is None,
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# Sessions, envelopes, votes, letters.


@role_required(*STAFF_ROLES)
def sessions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    session_form = SessionForm(request.POST if "seance" in request.POST else None)
    envelope_form = EnvelopeForm(request.POST if "enveloppe" in request.POST else None)
    status = 200
    if request.method == "POST":
        try:
            if "seance" in request.POST and session_form.is_valid():
                services.create_session(user, **session_form.cleaned_data, request=request)
                messages.success(request, _("Séance créée."))
                return redirect("grants_office:sessions")
            if "enveloppe" in request.POST and envelope_form.is_valid():
                services.set_envelope(user, **envelope_form.cleaned_data, request=request)
                messages.success(request, _("Enveloppe enregistrée."))
                return redirect("grants_office:sessions")
        except TransitionError as error:
            target = session_form if "seance" in request.POST else envelope_form
            target.add_error(None, error.message)
        status = 400
    year = timezone.localdate().year
    return render(
        request,
        "grants_office/sessions.html",
        {
            "sessions": Session.objects.all()[:50],
            "session_form": session_form,
            "envelope_form": envelope_form,
            "envelopes": services.envelope_figures(year),
            "year": year,
            "can_decide": has_role(user, *DECISION_ROLES),
        },
        status=status,
    )


@role_required(*STAFF_ROLES)
def session(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Session, pk=pk)
    return render(
        request,
        "grants_office/session.html",
        {
            "session": found,
            "lines": session_report(found).lines,
            "vote_form": VoteForm(),
            "Outcome": Outcome,
            "State": State,
            "can_decide": has_role(_user(request), *DECISION_ROLES),
        },
    )


@role_required(*STAFF_ROLES)
def session_report_as_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Session, pk=pk)
    response = HttpResponse(
        session_report_pdf(session_report(found)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="rapport-cp-{found.date.isoformat()}.pdf"'
    return response


@role_required(*STAFF_ROLES)
def session_report_as_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Session, pk=pk)
    response = HttpResponse(
        exports.session_report_xlsx(session_report(found)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="rapport-cp-{found.date.isoformat()}.xlsx"'
    )
    return response


@require_POST
@role_required(*DECISION_ROLES)
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(AgendaItem, pk=pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            services.record_vote(item, _user(request), **form.cleaned_data, request=request)
        except TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Vote enregistré."))
    return redirect("grants_office:session", pk=item.session_id)


@require_POST
@role_required(*DECISION_ROLES)
def notify(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(AgendaItem, pk=pk)
    try:
        services.notify_beneficiary(item, _user(request), request=request)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Décision notifiée : la lettre est envoyée au bénéficiaire."))
    return redirect("grants_office:session", pk=item.session_id)


@login_required
def letter(request: HttpRequest, pk: int) -> FileResponse:
    """The notification letter: for the staff and the beneficiary's applicants."""
    item = get_object_or_404(AgendaItem, pk=pk)
    user = _user(request)
    application = access_application(user, item.application_id)
    if not (has_role(user, *STAFF_ROLES) or is_applicant_for(user, application)):
        raise Http404
    if not item.letter:
        raise Http404
    return FileResponse(
        item.letter.open("rb"),
        as_attachment=True,
        filename=f"notification-{application.number}.pdf",
        content_type="application/pdf",
    )


# ---------------------------------------------------------------------------------------------
# Payments.


@role_required(*PAYMENT_ROLES)
def payments(request: HttpRequest) -> HttpResponse:
    pending = (
        PaymentRequest.objects.filter(paid_at__isnull=True)
        .exclude(application__state__in=(State.LAPSED, State.WITHDRAWN, State.BALANCE_PAID))
        .select_related("application__organisation", "application__aid_line")
        .order_by("requested_at", "pk")
    )
    rows = [(p, services.payment_amount(p)) for p in pending[:200]]
    recent = exports.paid_payments().order_by("-paid_at")[:50]
    return render(
        request,
        "grants_office/payments.html",
        {"rows": rows, "recent": recent, "period_form": PeriodForm()},
    )


@require_POST
@role_required(*PAYMENT_ROLES)
def validate_payment(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(PaymentRequest.objects.select_related("application"), pk=pk)
    try:
        services.validate_payment(payment, _user(request), request=request)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Versement validé."))
    return redirect("grants_office:payments")


@role_required(*PAYMENT_ROLES)
def payment_orders(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["du"], form.cleaned_data["au"]
    response = HttpResponse(
        exports.payment_orders_csv(exports.paid_payments(start, end)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="ordres-de-paiement.csv"'
    return response


# ---------------------------------------------------------------------------------------------
# Dashboards and exports.


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("annee", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


def _tables(year: int | None) -> list[tuple[str, str, list[queries.Row]]]:
    return [
        ("Par année", "Année", queries.by_year()),
        ("Par dispositif", "Dispositif", queries.by_aid_line(year)),
        ("Par intercommunalité", "Intercommunalité", queries.by_epci(year)),
    ]


@role_required(*DASHBOARD_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    tables = _tables(year)
    sections = [
        {
            "title": title,
            "key_label": key_label,
            "rows": rows,
            "chart": charts.bar_chart(
                str(_("Aide accordée, %(by)s")) % {"by": title.lower()},
                [(row.label, row.granted) for row in rows],
            ),
        }
        for title, key_label, rows in tables
    ]
    return render(
        request,
        "grants_office/dashboard.html",
        {
            "year": year,
            "years": queries.years(),
            "totals": queries.totals(year),
            "sections": sections,
        },
    )


@role_required(*DASHBOARD_ROLES)
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    content = exports.dashboard_xlsx(queries.totals(year), _tables(year))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="aides-tableau-de-bord.xlsx"'
    return response


def open_data(request: HttpRequest) -> HttpResponse:
    """Public: granted aids above 23,000 EUR in the SCDL "Subventions" schema."""
    response = HttpResponse(
        exports.scdl_csv(exports.granted_items(_year(request))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="subventions-bouclier-77.csv"'
    return response


# ---------------------------------------------------------------------------------------------
# The règlement as PDF and the applicant's guide (public).


def reglement_as_pdf(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("date", "")
    try:
        on_date = datetime.date.fromisoformat(raw[:10]) if raw else timezone.localdate()
    except ValueError:
        on_date = timezone.localdate()
    response = HttpResponse(reglement_pdf(on_date), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="reglement-aides-{on_date.isoformat()}.pdf"'
    )
    return response


GUIDE_PAGES: list[tuple[str, Any]] = [
    ("", _("Mode d'emploi du téléservice")),
    ("compte", _("Créer son compte et se rattacher")),
    ("projet", _("Le projet")),
    ("depenses", _("Les dépenses")),
    ("cameras", _("Les caméras")),
    ("financement", _("Le plan de financement")),
    ("pieces", _("Les pièces")),
    ("depot", _("Déposer et suivre le dossier")),
    ("versements", _("Avance et solde")),
]


def guide(request: HttpRequest, page: str = "") -> HttpResponse:
    titles = dict(GUIDE_PAGES)
    if page not in titles:
        raise Http404
    return render(
        request,
        "grants_office/help/guide.html",
        {"page": page, "title": titles[page], "pages": GUIDE_PAGES[1:]},
    )
