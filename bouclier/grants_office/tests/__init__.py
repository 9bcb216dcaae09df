"""Tests of the Département's side of the aid teleservice."""
