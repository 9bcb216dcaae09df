"""The scheduled job of the files: every file whose deadline has passed becomes lapsed.

Run daily (cron or systemd timer): ``manage.py lapse_grant_files``. Each lapse is journalled
with no actor (the job) and e-mailed to the applicants, like any other transition.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bouclier.grants.services.applications import lapse_overdue


class Command(BaseCommand):
    help = "Déclare caducs les dossiers d'aide dont le délai est dépassé."

    def handle(self, *args: Any, **options: Any) -> None:
        numbers = lapse_overdue()
        self.stdout.write(
            f"{len(numbers)} dossier(s) caduc(s)" + (f" : {', '.join(numbers)}" if numbers else "")
        )
