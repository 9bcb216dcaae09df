"""Tests of the core context."""
