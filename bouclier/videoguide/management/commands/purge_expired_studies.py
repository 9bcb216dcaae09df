"""``manage.py purge_expired_studies``: delete the anonymous studies past their date (daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bouclier.videoguide.services.studies import purge_expired_studies


class Command(BaseCommand):
    help = "Supprime les études vidéoprotection anonymes arrivées à expiration."

    def handle(self, *args: Any, **options: Any) -> None:
        count = purge_expired_studies()
        self.stdout.write(f"{count} étude(s) supprimée(s).")
