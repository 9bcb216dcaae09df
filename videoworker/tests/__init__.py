"""Tests of the camera worker (no Django, no database)."""
