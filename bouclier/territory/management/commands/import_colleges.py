"""Import the collèges of Seine-et-Marne from an "Annuaire de l'éducation" CSV export."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from bouclier.territory.importers import import_colleges
from bouclier.territory.management.commands._base import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe les collèges depuis l'export CSV de l'Annuaire de l'éducation "
        "(séparateur point-virgule). Les autres établissements et départements sont ignorés."
    )
    action = "territory.colleges.imported"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--sample",
            action="store_true",
            help="Marque les collèges importés comme données d'exemple.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        self.run_import("Collèges", path, lambda: import_colleges(path, sample=options["sample"]))
