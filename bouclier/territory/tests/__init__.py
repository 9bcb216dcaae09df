"""Tests of the territory context."""
