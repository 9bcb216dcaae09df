"""Tests of the grants context."""
