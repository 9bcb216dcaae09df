"""Load the default règlement (aid lines and their parameter sets); idempotent.

An aid line or a set that already exists is left as it is, so that running the command again
never overwrites what the grants manager corrected in the back office; ``--reset`` puts the
shipped values back on the default sets (journalled like any other change).
"""

from __future__ import annotations

import copy
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bouclier.audit.services import record
from bouclier.grants.default_reglement import DEFAULT_SETS, RULE_FIELDS, TITLE, VALID_FROM
from bouclier.grants.models import AidLine, ParameterSet
from bouclier.grants.services.rules import RuleError


def load_default_reglement(*, reset: bool = False) -> list[str]:
    """Create the default aid lines and sets that are missing; return what was done."""
    done: list[str] = []
    with transaction.atomic():
        for default in DEFAULT_SETS:
            line_data = default["aid_line"]
            aid_line, created = AidLine.objects.get_or_create(
                code=line_data["code"],
                defaults={k: v for k, v in line_data.items() if k != "code"},
            )
            if created:
                record("grants.aidline.created", target=aid_line, data={"via": "load_reglement"})
                done.append(f"dispositif créé : {aid_line.name}")
            values: dict[str, Any] = {name: copy.deepcopy(default[name]) for name in RULE_FIELDS}
            parameter_set = ParameterSet.objects.filter(
                aid_line=aid_line, valid_from=VALID_FROM
            ).first()
            if parameter_set is not None and not reset:
                done.append(f"déjà présent, laissé tel quel : {parameter_set}")
                continue
            verb = "created" if parameter_set is None else "reset"
            parameter_set = parameter_set or ParameterSet(aid_line=aid_line, valid_from=VALID_FROM)
            parameter_set.title = TITLE
            for name, value in values.items():
                setattr(parameter_set, name, value)
            try:
                parameter_set.full_clean()
            except ValidationError as error:  # a broken default is a bug: say which set
                raise CommandError(f"{aid_line.name} : {error}") from error
            parameter_set.save()
            parameter_set.refresh_from_db()
            try:
                parameter_set.rules()
            except RuleError as error:
                raise CommandError(f"{aid_line.name} : {error}") from error
            record(
                f"grants.parameterset.{verb}",
                target=parameter_set,
                data={"via": "load_reglement", "valid_from": VALID_FROM.isoformat()},
            )
            done.append(
                f"jeu {'créé' if verb == 'created' else 'remis aux valeurs livrées'} :"
                f" {parameter_set}"
            )
    return done


class Command(BaseCommand):
    help = "Charge le règlement des aides livré par défaut (reconstitution à vérifier)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remet les valeurs livrées sur les jeux par défaut existants.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for line in load_default_reglement(reset=bool(options["reset"])):
            self.stdout.write(line)
