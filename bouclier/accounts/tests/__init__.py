"""Tests of the accounts context."""
