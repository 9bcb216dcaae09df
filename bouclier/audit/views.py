"""The journal page of the data-protection officer: search, export, chain verification."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bouclier.accounts.access import role_required
from bouclier.accounts.roles import Role
from bouclier.audit.forms import JournalSearchForm
from bouclier.audit.models import AuditEntry
from bouclier.audit.services import record, verify_chain

JOURNAL_READERS = (Role.DPO, Role.ADMINISTRATOR)
EXPORT_COLUMNS = (
    "sequence",
    "created_at",
    "actor_label",
    "organisation",
    "role",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "reason",
    "ip_address",
    "data",
    "entry_hash",
)


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def csv_export(entries: QuerySet[AuditEntry]) -> StreamingHttpResponse:
    """Stream the entries as CSV (semicolons, UTF-8 with BOM for spreadsheet software)."""
    writer = csv.writer(_Echo(), delimiter=";")

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow([getattr(entry, column) for column in EXPORT_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="journal-{stamp}.csv"'
    return response


@role_required(*JOURNAL_READERS)
def journal(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = JournalSearchForm(request.GET or None)
    entries: QuerySet[AuditEntry] = AuditEntry.objects.order_by("-sequence")
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    if request.GET.get("format") == "csv":
        record("audit.journal.exported", request=request, data=filters)
        return csv_export(entries)
    # Searching is itself journalled, once per search rather than once per page, and before
    # the query runs so that the count shown includes this very search.
    if request.GET.get("page", "1") == "1":
        record("audit.journal.searched", request=request, data=filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/journal.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


@require_POST
@role_required(*JOURNAL_READERS)
def verify(request: HttpRequest) -> HttpResponse:
    report = verify_chain()
    record(
        "audit.chain.verified",
        request=request,
        data={"checked": report.checked, "ok": report.ok, "problem": report.problem},
    )
    if report.ok:
        messages.success(
            request,
            _("Chaîne intègre : %(count)d entrée(s) vérifiée(s).") % {"count": report.checked},
        )
    else:
        messages.error(request, _("Journal ALTÉRÉ : %(problem)s.") % {"problem": report.problem})
    return redirect("audit:journal")
