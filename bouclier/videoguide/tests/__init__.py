"""Tests of the video-protection project guide."""
