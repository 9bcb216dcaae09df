"""Import departmental buildings (Maisons départementales des solidarités, others)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from bouclier.territory.importers import import_sites
from bouclier.territory.management.commands._base import ImportCommand


class Command(ImportCommand):
    help = "Importe les sites départementaux (CSV : type;nom;code_commune;adresse)."
    action = "territory.sites.imported"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--sample", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        self.run_import("Sites", path, lambda: import_sites(path, sample=options["sample"]))
