"""The scheduled job of the files: every file whose deadline has passed becomes lapsed.

Also run by ``manage.py run_scheduled_jobs`` (job ``grants.lapse``). Each lapse is journalled
with no actor (the job) and e-mailed to the applicants, like any other transition.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bouclier.grants.apps import lapse_overdue_summary


class Command(BaseCommand):
    help = "Déclare caducs les dossiers d'aide dont le délai est dépassé."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(lapse_overdue_summary())
