"""Verify the audit journal's hash chain and name the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bouclier.audit.services import record, verify_chain


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes du journal d'audit."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Journal d'audit ALTÉRÉ : {report.problem}. "
                f"{report.checked} entrée(s) vérifiée(s) avant la rupture."
            )
        record("audit.chain.verified", data={"checked": report.checked})
        self.stdout.write(
            self.style.SUCCESS(f"Journal d'audit intègre : {report.checked} entrée(s) vérifiée(s).")
        )
