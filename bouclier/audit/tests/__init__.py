"""Tests of the audit context."""
