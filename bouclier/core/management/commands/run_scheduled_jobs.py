"""Run every registered scheduled job once (meant for an hourly timer)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bouclier.audit.services import record
from bouclier.core.scheduling import registered_jobs


class Command(BaseCommand):
    help = "Exécute les tâches planifiées (purges, expirations, relances)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--only", action="append", default=[], help="Nom d'une tâche.")
        parser.add_argument("--list", action="store_true", help="Liste les tâches.")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = registered_jobs()
        if options["list"]:
            for job in jobs:
                self.stdout.write(f"{job.name:<30} {job.description}")
            return
        if options["only"]:
            unknown = set(options["only"]) - {job.name for job in jobs}
            if unknown:
                raise CommandError(f"Tâche(s) inconnue(s) : {', '.join(sorted(unknown))}")
            jobs = [job for job in jobs if job.name in options["only"]]
        failures = []
        for job in jobs:
            try:
                summary = job.run()
            except Exception as exc:  # one job's failure must not stop the others
                failures.append(job.name)
                record("core.job.failed", data={"job": job.name, "error": repr(exc)[:500]})
                self.stderr.write(f"{job.name} : ÉCHEC ({exc!r})")
                continue
            record("core.job.ran", data={"job": job.name, "summary": summary})
            self.stdout.write(f"{job.name} : {summary}")
        if failures:
            raise CommandError(f"Tâche(s) en échec : {', '.join(failures)}")
