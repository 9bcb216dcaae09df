"""Benchmark of the audit journal: what chaining costs against plain inserts, in one run.

    DATABASE_URL=postgres://... .venv/bin/python bench/audit_chain.py [--entries 2000]

Creates a throwaway test database, then measures on it:
  (a) baseline: inserting N journal rows directly (no lock, no hash, no head update);
  (b) ``record()``: the same N entries through the one write path (lock, SHA-256 chain, head);
  (c) verifying the chain of all entries vs (d) merely reading them in order.
Prints entries per second and the ratios b/a and c/d; no verdict, the ratios are the point.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouclier.settings")
os.environ.setdefault("BOUCLIER_ALLOW_GENERATED_KEY", "1")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bouclier.audit.models import AuditEntry  # noqa: E402
from bouclier.audit.services import record  # noqa: E402


def timed(label: str, count: int, work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {count / elapsed:>10.0f} entrées/s  ({elapsed:.3f} s)")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=2000)
    count = parser.parse_args().entries
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"Base : {connection.vendor}, {count} entrées")

        def plain() -> None:
            for n in range(count):
                with transaction.atomic():
                    AuditEntry(
                        sequence=10_000_000 + n,
                        created_at=timezone.now(),
                        action="bench.plain.inserted",
                        data={"n": n},
                        prev_hash="0" * 64,
                        entry_hash=f"{n:064x}",
                    ).save()

        def chained() -> None:
            for n in range(count):
                record("bench.chain.recorded", data={"n": n})

        a = timed("(a) insertion simple (référence)", count, plain)
        b = timed("(b) record() : verrou + chaîne SHA-256", count, chained)
        chained_rows = AuditEntry.objects.filter(action="bench.chain.recorded")
        d = timed(
            "(d) lecture ordonnée (référence)",
            count,
            lambda: sum(1 for _ in chained_rows.order_by("sequence").iterator(2000)),
        )
        c = timed("(c) vérification de la chaîne", count, verify_chain_of_chained)
        print(f"\nb/a (coût de l'écriture chaînée)   : {b / a:.2f}")
        print(f"c/d (coût de la vérification)      : {c / d:.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def verify_chain_of_chained() -> None:
    # The plain rows sit far above the chain's numbers; verify_chain would flag them as a
    # broken end, so verify only the chain proper, as the command does on a real journal.
    from bouclier.audit.models import ChainHead
    from bouclier.audit.services import verify_entries

    entries = AuditEntry.objects.filter(sequence__lt=10_000_000).order_by("sequence")
    report = verify_entries(entries.iterator(chunk_size=2000), ChainHead.objects.get(pk=1))
    assert report.ok, report.problem


if __name__ == "__main__":
    main()
