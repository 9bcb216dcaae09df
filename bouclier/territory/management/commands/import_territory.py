"""Import (or refresh) the communes and EPCI of Seine-et-Marne from Etalab's CSV files."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from bouclier.audit.services import record
from bouclier.territory.importers import (
    COMMUNES_CSV,
    EPCI_CSV,
    TerritoryImportError,
    import_communes_and_epci,
)
from bouclier.territory.management.commands._base import ImportCommand


class Command(ImportCommand):
    help = "Importe les communes et EPCI de Seine-et-Marne (idempotent)."
    action = "territory.communes.imported"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--communes", type=Path, default=COMMUNES_CSV)
        parser.add_argument("--epci", type=Path, default=EPCI_CSV)

    def handle(self, *args: Any, **options: Any) -> None:
        communes, epci = options["communes"], options["epci"]
        for path in (communes, epci):
            if not path.exists():
                raise CommandError(f"Fichier introuvable : {path}")
        try:
            epci_report, commune_report = import_communes_and_epci(communes, epci)
        except TerritoryImportError as exc:
            raise CommandError(f"{exc} Rien n'a été importé.") from exc
        record(
            self.action, data={"epci": epci_report.summary(), "communes": commune_report.summary()}
        )
        self.stdout.write(self.style.SUCCESS(f"EPCI : {epci_report.summary()}"))
        self.stdout.write(self.style.SUCCESS(f"Communes : {commune_report.summary()}"))
