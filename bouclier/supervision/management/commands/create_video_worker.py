"""``manage.py create_video_worker NAME``: register a camera worker and print its token once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bouclier.supervision.models import VideoWorker
from bouclier.supervision.services import create_worker, rotate_token


class Command(BaseCommand):
    help = (
        "Crée un worker caméras et affiche son jeton, une seule fois "
        "(seule son empreinte est gardée)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="nom du worker (minuscules, chiffres, - et _)")
        parser.add_argument(
            "--rotate", action="store_true", help="remplacer le jeton d'un worker existant"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if options["rotate"]:
            worker = VideoWorker.objects.filter(name=name).first()
            if worker is None:
                raise CommandError(f"Aucun worker « {name} ».")
            token = rotate_token(worker)
        else:
            try:
                worker, token = create_worker(name)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Worker « {worker.name} » : jeton (à noter, il ne sera plus affiché) :")
        self.stdout.write(token)
