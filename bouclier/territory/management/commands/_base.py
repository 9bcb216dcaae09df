"""Shared plumbing of the import commands: French errors, summaries, an audit entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouclier.audit.services import record
from bouclier.territory.importers import ImportReport, TerritoryImportError


class ImportCommand(BaseCommand):
    """Runs an importer, turns its errors into ``CommandError`` and audits the import."""

    action = ""

    def run_import(self, label: str, path: Path, importer: Callable[[], ImportReport]) -> None:
        if not path.exists():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            report = importer()
        except TerritoryImportError as exc:
            raise CommandError(f"{path.name} : {exc} Rien n'a été importé.") from exc
        record(self.action, data={"file": path.name, "summary": report.summary()})
        self.stdout.write(self.style.SUCCESS(f"{label} : {report.summary()}"))
