"""Anonymise the situations closed for more than two years, by hand.

The same work runs as the scheduled job ``mediation.anonymise`` (``run_scheduled_jobs``).

Pupils' codes and initials and every free text are removed; categories, severities, dates,
outcomes and counts stay for the statistics. Each situation anonymised is journalled.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bouclier.mediation.services import anonymise_due


class Command(BaseCommand):
    help = "Anonymise les situations closes depuis plus de deux ans (tâche planifiée)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = anonymise_due()
        self.stdout.write(f"{count} situation(s) anonymisée(s).")
