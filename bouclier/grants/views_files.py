"""Pages of the application file: the applicant's steps and actions, the file page, downloads.

Thin views: they fetch the file through ``access_application`` (404 for a file the user may
not see), validate a form, call one service function and render or redirect. A refused
transition or a version conflict comes back as the service's French message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bouclier.accounts.access import has_role, role_required
from bouclier.accounts.models import User
from bouclier.accounts.roles import Role
from bouclier.grants.access import (
    DECISION_ROLES,
    PAYMENT_ROLES,
    STAFF_ROLES,
    access_application,
    applicant_organisations,
    applications_for,
    is_applicant_for,
)
from bouclier.grants.forms_files import (
    BalanceForm,
    DocumentRequestForm,
    NewFileForm,
    ProjectForm,
    ReasonForm,
    TextForm,
    UploadForm,
    VersionForm,
    camera_rows,
    expense_rows,
    funder_rows,
)
from bouclier.grants.models_files import Application, LinkRequest, State
from bouclier.grants.services import applications as services
from bouclier.grants.services.applications import TransitionError
from bouclier.grants.services.documents import DocumentError, max_upload_bytes

READERS = (Role.APPLICANT, *STAFF_ROLES, *PAYMENT_ROLES)
STEPS: list[tuple[str, Any]] = [
    ("projet", _("Le projet")),
    ("depenses", _("Les dépenses")),
    ("cameras", _("Les caméras")),
    ("financement", _("Le plan de financement")),
    ("pieces", _("Les pièces")),
]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _detail(application: Application) -> HttpResponse:
    return redirect("grants:file", pk=application.pk)


def _steps(application: Application) -> list[tuple[str, Any]]:
    rules = services.rules_for(application)
    has_cameras = rules is not None and bool(rules.unit_bonuses)
    return [(code, label) for code, label in STEPS if code != "cameras" or has_cameras]


def _computation(application: Application) -> Any:
    try:
        return services.compute_file(application)
    except (TransitionError, ValueError):
        return None


@role_required(Role.APPLICANT)
def file_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    files = (
        applications_for(user)
        .filter(organisation__in=applicant_organisations(user))
        .select_related("organisation", "aid_line")
        .order_by("-created_at")
    )
    return render(
        request,
        "grants/files/list.html",
        {
            "files": files,
            "pending_links": LinkRequest.objects.filter(user=user, status="pending"),
        },
    )


@role_required(Role.APPLICANT)
def file_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = NewFileForm(request.POST or None, organisations=applicant_organisations(user))
    if request.method == "POST" and form.is_valid():
        try:
            application = services.create_draft(
                user,
                organisation=form.cleaned_data["organisation"],
                aid_line=form.cleaned_data["aid_line"],
                request=request,
            )
        except TransitionError as error:
            form.add_error("aid_line", error.message)
        else:
            messages.success(request, _("Brouillon créé : il est enregistré à chaque étape."))
            return redirect("grants:file_step", pk=application.pk, step="projet")
    return render(request, "grants/files/new.html", {"form": form})


@role_required(*READERS)
def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    application = access_application(user, pk)
    rules = services.rules_for(application)
    applicant = is_applicant_for(user, application)
    staff = has_role(user, *STAFF_ROLES)
    kinds = list(services.document_kinds(rules).items())
    context: dict[str, Any] = {
        "application": application,
        "rules": rules,
        "result": _computation(application),
        "steps": _steps(application),
        "is_applicant": applicant,
        "is_staff": staff,
        "can_decide": has_role(user, *DECISION_ROLES),
        "can_pay": has_role(user, *PAYMENT_ROLES),
        "documents": application.documents.select_related("uploaded_by"),
        "missing": services.missing_documents(application, rules) if rules else [],
        "document_labels": dict(kinds),
        "open_request": services.open_document_request(application),
        "expenses": application.expense_items.all(),
        "cameras": application.cameras.all(),
        "funders": application.funders.all(),
        "messages_list": application.messages.select_related("author"),
        "payments": application.payment_requests.all(),
        "State": State,
        "withdrawable": application.state in services.WITHDRAWABLE,
        "message_form": TextForm(),
    }
    if staff:
        # Private annotations: fetched only for the Département's staff, never otherwise.
        context["annotations"] = application.annotations.select_related("author")
        context["request_form"] = DocumentRequestForm(kinds=kinds)
    if applicant:
        latest = services.latest_documents(application)
        context["proofs"] = {
            kind: latest.get(kind) for kind in ("debut_travaux", "facture", "etat_depenses")
        }
        context["balance_form"] = BalanceForm()
    return render(request, "grants/files/detail.html", context)


def _step_forms(application: Application, step: str, data: Any) -> dict[str, Any]:
    rules = services.rules_for(application)
    if rules is None:
        raise Http404
    if step == "projet":
        return {
            "form": ProjectForm(
                data,
                rules=rules,
                initial={
                    "version": application.version,
                    "title": application.title,
                    "description": application.description,
                    "beneficiary": application.beneficiary,
                    "conditions": application.conditions,
                },
            )
        }
    version = VersionForm(data, initial={"version": application.version})
    if step == "depenses":
        items = list(application.expense_items.all())
        initial = [
            {
                "category": i.category,
                "description": i.description,
                "quantity": i.quantity,
                "unit_cost": i.unit_cost,
            }
            for i in items
        ]
        formset = expense_rows(len(items))(
            data, initial=initial, prefix="lignes", form_kwargs={"rules": rules}
        )
        return {"form": version, "formset": formset}
    if step == "cameras":
        cams = list(application.cameras.all())
        initial = [{"place": c.place, "count": c.count, "bonus": c.bonus} for c in cams]
        cameras = camera_rows(len(cams))(
            data, initial=initial, prefix="cameras", form_kwargs={"rules": rules}
        )
        return {"form": version, "formset": cameras}
    if step == "financement":
        funders = list(application.funders.all())
        initial = [
            {
                "name": f.name,
                "amount": f.amount,
                "is_public": "1" if f.is_public else "0",
                "status": f.status,
            }
            for f in funders
        ]
        funder_set = funder_rows(len(funders))(data, initial=initial, prefix="financeurs")
        return {"form": version, "formset": funder_set}
    raise Http404


def _save_step(
    request: HttpRequest, application: Application, step: str, forms: dict[str, Any]
) -> None:
    user = _user(request)
    form: Any = forms["form"]
    formset: Any = forms.get("formset")
    version = form.cleaned_data["version"]
    if step == "projet":
        data = form.cleaned_data
        services.save_project(
            application,
            user,
            version=version,
            title=data["title"],
            description=data["description"],
            beneficiary=data["beneficiary"],
            conditions=data.get("conditions", []),
            request=request,
        )
    elif step == "depenses":
        services.save_expenses(
            application, user, version=version, lines=formset.lines(), request=request
        )
    elif step == "cameras":
        services.save_cameras(
            application, user, version=version, cameras=formset.cameras(), request=request
        )
    else:
        services.save_funders(
            application, user, version=version, funders=formset.funders(), request=request
        )


@role_required(Role.APPLICANT)
def file_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = _user(request)
    application = access_application(user, pk)
    if not is_applicant_for(user, application):
        raise Http404
    steps = _steps(application)
    codes = [code for code, _label in steps]
    if step not in codes:
        raise Http404
    if step == "pieces":
        return _documents_step(request, application, steps)
    if application.state != State.DRAFT:
        messages.info(request, _("Le dossier est déposé : il ne se modifie plus."))
        return _detail(application)
    forms = _step_forms(application, step, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        valid = forms["form"].is_valid() and ("formset" not in forms or forms["formset"].is_valid())
        if valid:
            try:
                _save_step(request, application, step, forms)
            except TransitionError as error:
                messages.error(request, error.message)
                status = 409
            else:
                messages.success(request, _("Étape enregistrée dans le brouillon."))
                following = codes[codes.index(step) + 1]
                target = step if "rester" in request.POST else following
                return redirect("grants:file_step", pk=application.pk, step=target)
        else:
            status = 400
    return render(
        request,
        "grants/files/step.html",
        {
            "application": application,
            "step": step,
            "steps": steps,
            "result": _computation(application),
            **forms,
        },
        status=status,
    )


def _documents_step(
    request: HttpRequest, application: Application, steps: list[tuple[str, Any]]
) -> HttpResponse:
    user = _user(request)
    rules = services.rules_for(application)
    kinds = list(services.document_kinds(rules).items())
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > max_upload_bytes():
                    raise DocumentError(
                        str(
                            _("Le fichier dépasse la taille autorisée (%(mb)s Mo au plus).")
                            % {"mb": max_upload_bytes() // (1024 * 1024)}
                        )
                    )
                services.add_document(
                    application,
                    user,
                    kind=form.cleaned_data["kind"],
                    name=upload.name or "",
                    content=upload.read(),
                    request=request,
                )
            except DocumentError as error:
                form.add_error("file", str(error))
            except TransitionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Pièce ajoutée au dossier."))
                return redirect("grants:file_step", pk=application.pk, step="pieces")
        status = 400
    return render(
        request,
        "grants/files/documents.html",
        {
            "application": application,
            "step": "pieces",
            "steps": steps,
            "result": _computation(application),
            "form": form,
            "required": services.required_documents(application, rules) if rules else [],
            "latest": services.latest_documents(application),
            "documents": application.documents.all(),
            "document_labels": dict(kinds),
            "can_upload": application.state in services.DOCUMENTS_OPEN,
        },
        status=status,
    )


@role_required(*READERS)
def acknowledgement(request: HttpRequest, pk: int) -> FileResponse:
    application = access_application(_user(request), pk)
    if not application.acknowledgement:
        raise Http404
    return FileResponse(
        application.acknowledgement.open("rb"),
        as_attachment=True,
        filename=f"accuse-reception-{application.number}.pdf",
        content_type="application/pdf",
    )


@role_required(*READERS)
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = access_application(_user(request), pk)
    document = application.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


def _act(request: HttpRequest, application: Application, action: str) -> str:
    """Run one action of the file page; returns the success message (errors raise)."""
    user = _user(request)
    post = request.POST
    if action == "submit":
        created = services.submit(application, user, request=request)
        return str(
            _("Dossier déposé : l'accusé de réception vous a été envoyé par e-mail.")
            if created
            else _("Ce dossier était déjà déposé : rien n'a été fait une seconde fois.")
        )
    if action == "message":
        form = TextForm(post)
        if not form.is_valid():
            raise TransitionError(str(_("Écrivez le message.")))
        services.post_message(application, user, body=form.cleaned_data["body"], request=request)
        return str(_("Message envoyé."))
    if action == "annotate":
        form = TextForm(post)
        if not form.is_valid():
            raise TransitionError(str(_("Écrivez l'annotation.")))
        services.annotate(application, user, body=form.cleaned_data["body"], request=request)
        return str(_("Annotation enregistrée (visible du Département seulement)."))
    if action == "answer":
        services.answer_document_request(
            application, user, answer=post.get("answer", "")[:2000], request=request
        )
        return str(_("Réponse envoyée : le dossier repart chez l'instructeur."))
    if action == "withdraw":
        reason = ReasonForm(post)
        services.withdraw(
            application,
            user,
            reason=reason.cleaned_data["reason"] if reason.is_valid() else "",
            request=request,
        )
        return str(_("Dossier retiré."))
    latest = services.latest_documents(application)
    if action == "advance":
        services.request_advance(
            application, user, proof=latest.get("debut_travaux"), request=request
        )
        return str(_("Demande d'avance envoyée."))
    if action == "balance":
        balance = BalanceForm(post)
        if not balance.is_valid():
            raise TransitionError(
                "; ".join(str(e) for errors in balance.errors.values() for e in errors)
            )
        invoices = [d for d in application.documents.all() if d.kind == "facture"]
        services.request_balance(
            application,
            user,
            declared_expenses=balance.cleaned_data["declared_expenses"],
            invoices=invoices,
            statement=latest.get("etat_depenses"),
            request=request,
        )
        return str(_("Demande de solde envoyée."))
    if action == "request_documents":
        kinds = list(services.document_kinds(services.rules_for(application)).items())
        asked = DocumentRequestForm(post, kinds=kinds)
        if not asked.is_valid():
            raise TransitionError(
                "; ".join(str(e) for errors in asked.errors.values() for e in errors)
            )
        services.request_documents(
            application,
            user,
            kinds=asked.cleaned_data["kinds"],
            message=asked.cleaned_data["message"],
            deadline=asked.cleaned_data["deadline"],
            request=request,
        )
        return str(_("Pièces demandées : le dossier est incomplet jusqu'à la réponse."))
    if action == "instruct":
        services.start_instruction(application, user, request=request)
        return str(_("Dossier mis en instruction."))
    raise Http404


@require_POST
@role_required(*READERS)
def file_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = access_application(_user(request), pk)
    try:
        done = _act(request, application, action)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(reverse("grants:file", kwargs={"pk": application.pk}))
