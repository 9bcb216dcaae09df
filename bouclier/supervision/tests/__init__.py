"""Tests of the supervision context (platform side of the camera workers)."""
