"""Loading the guide's reference data in tests (after a transactional test's flush too)."""

from __future__ import annotations

import importlib

from django.apps import apps

from bouclier.grants.management.commands.load_reglement import load_default_reglement
from bouclier.videoguide.models import UnitCost

# The defaults live in a data migration; a flush removes them, so they are loaded again from
# the migration itself (never a copy of its figures).
_DEFAULTS = importlib.import_module(
    "bouclier.videoguide.migrations.0002_default_unit_costs_and_region_rates"
)


def load_guide_data() -> None:
    """The default règlement, and the guide's default unit costs and Région rates."""
    if not UnitCost.objects.exists():
        _DEFAULTS.load(apps, None)
    load_default_reglement()
