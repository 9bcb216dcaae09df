"""Migrations of the grants context."""
