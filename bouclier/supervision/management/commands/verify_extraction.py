"""``manage.py verify_extraction PATH``: check a judicial extraction (zip package or folder).

The manifest's signature is checked with the platform's public key, then every listed file's
size and SHA-256. Exit status 0 when everything matches, an error (status 1) otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bouclier.supervision.services_judicial import read_directory, read_package


class Command(BaseCommand):
    help = "Vérifie la signature et les empreintes d'une extraction judiciaire (zip ou dossier)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="paquet zip téléchargé, ou dossier de l'extraction")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if path.is_dir():
            result = read_directory(path)
        elif path.is_file():
            result = read_package(path.read_bytes())
        else:
            raise CommandError(f"Introuvable : {path}")
        reference = (result.manifest.get("requisition") or {}).get("reference", "?")
        self.stdout.write(f"Réquisition : {reference}")
        self.stdout.write(f"Signature : {'valide' if result.signature_ok else 'INVALIDE'}")
        for name, ok, message in result.files:
            self.stdout.write(f"{'OK ' if ok else 'ÉCHEC'} {name} : {message}")
        for error in result.errors:
            self.stdout.write(f"ÉCHEC {error}")
        if not result.ok:
            raise CommandError("Extraction NON conforme.")
        self.stdout.write(self.style.SUCCESS("Extraction authentique et intègre."))
