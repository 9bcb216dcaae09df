"""Tests of the school-safety mediators brigade."""
