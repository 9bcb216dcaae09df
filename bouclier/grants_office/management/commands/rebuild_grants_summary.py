"""Rebuild the grants dashboard's summary from the files.

Also run by ``manage.py run_scheduled_jobs`` (job ``grants.dashboard_summary``); needed once
after migrating an existing database and after any bulk import of files.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bouclier.grants_office.apps import rebuild_summary


class Command(BaseCommand):
    help = "Recalcule la synthèse du tableau de bord des aides à partir des dossiers."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(rebuild_summary())
