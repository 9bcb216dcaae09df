"""Benchmark of the grants pages: do they slow down as files accumulate?

    DATABASE_URL=postgres://... .venv/bin/python bench/grants_pages.py [--requests 40]

Creates a throwaway test database (as bench/audit_chain.py does), loads the territory and the
règlement, then seeds 100 realistic files (bulk-created with the ORM: communes and EPCI of
the department, every state and aid line, expense lines, cameras, open requests for
documents, opinions, agenda items, payments), measures, tops up to 10,000 files and measures
again. For the instructor's queue, a file's instruction page, the same file's page and the
dashboard it prints the median and p95 server time (in-process Django test client, many
requests) at each size, their ratio (goal: at most 1.5) and the number of SQL queries of one
request (goal: the same at both sizes). No verdict is printed: the figures are the point.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouclier.settings")
os.environ.setdefault("BOUCLIER_ALLOW_GENERATED_KEY", "1")
# The test client speaks plain HTTP: a secure-only session cookie would never come back.
os.environ.setdefault("BOUCLIER_SECURE_COOKIES", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bouclier.accounts.models import Membership, Organisation, User  # noqa: E402
from bouclier.accounts.roles import OrganisationKind, Role, allowed_kinds  # noqa: E402
from bouclier.accounts.services import sync_organisations  # noqa: E402
from bouclier.grants.management.commands.load_reglement import (  # noqa: E402
    load_default_reglement,
)
from bouclier.grants.models import AidLine  # noqa: E402
from bouclier.grants.models_files import (  # noqa: E402
    Application,
    CameraSite,
    Document,
    DocumentRequest,
    ExpenseItem,
    PaymentKind,
    PaymentRequest,
    State,
)
from bouclier.grants.services import computation  # noqa: E402
from bouclier.grants.services.reglement import parameters_in_force  # noqa: E402
from bouclier.grants_office.models import AgendaItem, Opinion, Outcome, Session  # noqa: E402
from bouclier.territory.importers import import_communes_and_epci  # noqa: E402

rebuild_summary: Callable[[], str] | None
try:
    from bouclier.grants_office.summary import rebuild as _rebuild

    rebuild_summary = _rebuild
except ImportError:  # a tree from before the summary, to compare
    rebuild_summary = None

SIZES = (100, 10_000)
GOAL = 1.5
CENT = Decimal("0.01")
# How the files of a running programme spread over the states (weights, not counts).
STATE_WEIGHTS: dict[str, int] = {
    State.SUBMITTED: 12,
    State.INCOMPLETE: 6,
    State.UNDER_INSTRUCTION: 15,
    State.PROPOSED: 8,
    State.GRANTED: 4,
    State.NOTIFIED: 10,
    State.ADVANCE_PAID: 12,
    State.BALANCE_PAID: 20,
    State.REFUSED: 5,
    State.WITHDRAWN: 4,
    State.LAPSED: 4,
}
DECIDED = {
    State.GRANTED,
    State.NOTIFIED,
    State.ADVANCE_PAID,
    State.BALANCE_PAID,
    State.REFUSED,
    State.LAPSED,
}
FUNDED = {State.GRANTED, State.NOTIFIED, State.ADVANCE_PAID, State.BALANCE_PAID, State.LAPSED}
ON_AGENDA = {State.PROPOSED} | DECIDED


@dataclass(frozen=True)
class LineModel:
    """What a file of one aid line needs: the frozen rules, a beneficiary, its categories."""

    aid_line: AidLine
    parameter_set_id: int
    snapshot: dict[str, Any]
    rules: Any
    beneficiary: str
    categories: list[str]
    has_cameras: bool


def line_models() -> list[LineModel]:
    models = []
    for aid_line in AidLine.objects.all():
        parameter_set = parameters_in_force(aid_line)
        if parameter_set is None:
            continue
        rules = parameter_set.rules()
        beneficiary = rules.beneficiaries[0].code
        categories = [
            c.code
            for c in rules.expense_categories
            if not c.beneficiaries or beneficiary in c.beneficiaries
        ]
        models.append(
            LineModel(
                aid_line,
                parameter_set.pk,
                parameter_set.snapshot(),
                rules,
                beneficiary,
                categories,
                bool(rules.unit_bonuses),
            )
        )
    return models


def user_with(role: Role, email: str) -> User:
    user = User.objects.create_user(
        email, None, first_name="Banc", last_name=role.label, is_active=True
    )
    kind = sorted(allowed_kinds(role))[0]
    organisation, _ = Organisation.objects.get_or_create(kind=kind, name="Département – banc")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


class Seeder:
    """Bulk-creates files; ``top_up(n)`` brings the total to ``n`` files."""

    def __init__(self, staff: User) -> None:
        self.random = random.Random(77)  # noqa: S311 - reproducible data, not secrets
        self.staff = staff
        self.lines = line_models()
        self.organisations = list(
            Organisation.objects.filter(
                kind__in=(OrganisationKind.COMMUNE, OrganisationKind.EPCI)
            ).values_list("pk", flat=True)
        )
        today = timezone.localdate()
        self.sessions = [
            Session.objects.create(
                date=today + datetime.timedelta(days=30 - 45 * n),
                proposal_deadline=today + datetime.timedelta(days=15 - 45 * n),
            )
            for n in range(16)
        ]
        self.count = 0
        self.documents = 0

    def top_up(self, total: int) -> None:
        while self.count < total:
            self._batch(min(1000, total - self.count))

    def _batch(self, size: int) -> None:
        rng, now = self.random, timezone.now()
        states = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()), k=size)
        files, extras = [], []
        for state in states:
            self.count += 1
            model = rng.choice(self.lines)
            lines = [
                computation.ExpenseLine(
                    rng.choice(model.categories),
                    rng.randint(1, 12),
                    Decimal(rng.randrange(500, 9000, 50)),
                )
                for _ in range(rng.randint(1, 3))
            ]
            result = computation.compute(
                model.rules,
                computation.Application(
                    beneficiary=model.beneficiary,
                    expense_lines=tuple(lines),
                    conditions=frozenset(),
                    bonus_units={},
                    other_funders=(),
                ),
            )
            submitted = now - datetime.timedelta(days=rng.randint(1, 3 * 365))
            granted = result.amount if state in FUNDED else None
            advance = (
                (granted * model.rules.advance_share / 100).quantize(CENT, ROUND_FLOOR)
                if granted is not None and state in (State.ADVANCE_PAID, State.BALANCE_PAID)
                else Decimal(0)
            )
            files.append(
                Application(
                    number=f"BS-{submitted:%Y}-{self.count:05d}",
                    organisation_id=rng.choice(self.organisations),
                    aid_line=model.aid_line,
                    state=state,
                    beneficiary=model.beneficiary,
                    title=f"Projet de sécurisation n° {self.count}",
                    description="Équipement de la commune, dossier du banc d'essai.",
                    parameter_set_id=model.parameter_set_id,
                    parameters_snapshot=model.snapshot,
                    requested_amount=result.amount,
                    eligible_base=result.eligible_base.quantize(CENT, ROUND_FLOOR),
                    explanation=[
                        {"label": str(s.label), "amount": str(s.amount), "detail": str(s.detail)}
                        for s in result.steps
                    ],
                    proposed_amount=result.amount if state in ON_AGENDA else None,
                    granted_amount=granted,
                    deliberation_number="CP-BANC" if state in DECIDED else "",
                    advance_paid=advance,
                    balance_paid=(granted - advance)
                    if granted is not None and state == State.BALANCE_PAID
                    else Decimal(0),
                    submitted_at=submitted,
                    decided_at=submitted + datetime.timedelta(days=rng.randint(20, 120))
                    if state in DECIDED
                    else None,
                )
            )
            extras.append((model, lines))
        Application.objects.bulk_create(files)
        self._related(files, extras)

    def _related(self, files: list[Application], extras: list[tuple[LineModel, Any]]) -> None:
        rng, today = self.random, timezone.localdate()
        items, cameras, documents, requests, opinions, agenda, payments = (
            [],
            [],
            [],
            [],
            [],
            [],
            [],
        )
        for application, (model, lines) in zip(files, extras, strict=True):
            for position, line in enumerate(lines):
                items.append(
                    ExpenseItem(
                        application=application,
                        position=position,
                        category=line.category,
                        quantity=line.quantity,
                        unit_cost=line.unit_cost,
                    )
                )
            if model.has_cameras:
                cameras.append(CameraSite(application=application, place="Centre-ville", count=4))
            for kind in ("devis", "deliberation"):
                self.documents += 1
                documents.append(
                    Document(
                        application=application,
                        kind=kind,
                        file=f"grants/pieces/banc-{self.documents}.pdf",
                        original_name=f"{kind}.pdf",
                        content_type="application/pdf",
                        size=12_345,
                        sha256=f"{self.documents:064x}",
                        uploaded_by=self.staff,
                    )
                )
            state = application.state
            if state == State.INCOMPLETE:
                requests.append(
                    DocumentRequest(
                        application=application,
                        kinds=["plan_financement"],
                        message="Merci de joindre le plan de financement.",
                        deadline=today + datetime.timedelta(days=rng.randint(1, 60)),
                        from_state=State.UNDER_INSTRUCTION,
                        requested_by=self.staff,
                    )
                )
            if state == State.UNDER_INSTRUCTION and rng.random() < 0.3:
                opinions.append(
                    Opinion(
                        application=application,
                        requested_from=self.staff,
                        requested_by=self.staff,
                        question="Les emplacements conviennent-ils ?",
                        deadline=today + datetime.timedelta(days=rng.randint(1, 60)),
                    )
                )
            if state in ON_AGENDA:
                outcomes: dict[str, str] = {
                    State.PROPOSED: Outcome.PENDING,
                    State.REFUSED: Outcome.REFUSED,
                }
                outcome = outcomes.get(state, Outcome.GRANTED)
                agenda.append(
                    AgendaItem(
                        session=rng.choice(
                            self.sessions[1:] if state in DECIDED else self.sessions[:1]
                        ),
                        application=application,
                        proposed_amount=application.proposed_amount or Decimal(1),
                        outcome=outcome,
                        granted_amount=application.granted_amount,
                        deliberation_number=application.deliberation_number,
                    )
                )
            if application.advance_paid:
                payments.append(
                    PaymentRequest(
                        application=application,
                        kind=PaymentKind.ADVANCE,
                        requested_by=self.staff,
                        paid_amount=application.advance_paid,
                        paid_at=application.submitted_at,
                    )
                )
            if state == State.NOTIFIED and rng.random() < 0.5:
                payments.append(
                    PaymentRequest(
                        application=application, kind=PaymentKind.ADVANCE, requested_by=self.staff
                    )
                )
        ExpenseItem.objects.bulk_create(items)
        CameraSite.objects.bulk_create(cameras)
        Document.objects.bulk_create(documents)
        DocumentRequest.objects.bulk_create(requests)
        Opinion.objects.bulk_create(opinions)
        AgendaItem.objects.bulk_create(agenda)
        PaymentRequest.objects.bulk_create(payments)


@dataclass(frozen=True)
class Measure:
    median_ms: float
    p95_ms: float
    queries: int


def measure(client: Client, url: str, requests: int) -> Measure:
    for _ in range(3):  # warm the caches (templates, connections) before timing
        warm = client.get(url)
        assert warm.status_code == 200, (url, warm.status_code, warm.get("Location"))
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Counted now: each request resets the connection's query log.
    queries = len(captured)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return Measure(statistics.median(times), p95, queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=40, help="requests per page and size")
    requests = parser.parse_args().requests
    # WeasyPrint logs each stylesheet it parses at import time: noise among the figures.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    # Pages render without the collectstatic manifest, which a fresh clone does not have.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        import_communes_and_epci()
        sync_organisations()
        load_default_reglement()
        instructor = user_with(Role.GRANTS_INSTRUCTOR, "instructeur@banc.test")
        manager = user_with(Role.GRANTS_MANAGER, "gestionnaire@banc.test")
        seeder = Seeder(instructor)
        staff, dashboard = Client(), Client()
        staff.force_login(instructor)
        dashboard.force_login(manager)
        pages: list[tuple[str, Client, Callable[[Application], str]]] = [
            ("File d'instruction", staff, lambda a: "/aides/departement/"),
            ("Page d'instruction", staff, lambda a: f"/aides/departement/dossiers/{a.pk}/"),
            ("Page du dossier", staff, lambda a: f"/aides/dossiers/{a.pk}/"),
            ("Tableau de bord", dashboard, lambda a: "/aides/departement/tableau-de-bord/"),
        ]
        results: dict[tuple[str, int], Measure] = {}
        target: Application | None = None
        print(f"Base : {connection.vendor}, {requests} requêtes par page et par taille")
        for size in SIZES:
            start = time.perf_counter()
            seeder.top_up(size)
            print(f"\n{size} dossiers créés en {time.perf_counter() - start:.1f} s")
            if rebuild_summary is not None:
                # Bulk-created files send no signal: rebuild the dashboard's summary, as after
                # any import.
                start = time.perf_counter()
                rebuild_summary()
                took = time.perf_counter() - start
                print(f"  synthèse du tableau de bord recalculée en {took:.1f} s")
            # The same file at both sizes: the first one under instruction.
            target = target or Application.objects.filter(state=State.UNDER_INSTRUCTION).earliest(
                "pk"
            )
            if connection.vendor == "postgresql":
                # Fresh statistics, as autovacuum would have them on a real database.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            for name, client, url in pages:
                found = measure(client, url(target), requests)
                results[name, size] = found
                print(
                    f"  {name:<20} médiane {found.median_ms:7.1f} ms   p95 {found.p95_ms:7.1f} ms"
                    f"   {found.queries:3d} requêtes SQL"
                )
        small, large = SIZES
        print(f"\nRapport {large} / {small} dossiers (objectif ≤ {GOAL}) :")
        for name, _client, _url in pages:
            a, b = results[name, small], results[name, large]
            print(
                f"  {name:<20} médiane × {b.median_ms / a.median_ms:4.2f}"
                f"   p95 × {b.p95_ms / a.p95_ms:4.2f}"
                f"   requêtes SQL {a.queries} → {b.queries}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
