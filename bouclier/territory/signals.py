"""Signals of the territory context, so that other contexts follow imports without coupling."""

from django.dispatch import Signal

# Sent after an import has committed; other contexts (accounts) create what they derive.
territory_imported = Signal()
