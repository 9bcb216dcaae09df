"""Fixtures of the guide's tests: the territory, the règlement in force and the guide's data."""

from __future__ import annotations

import pytest

from bouclier.videoguide.tests.helpers import load_guide_data


@pytest.fixture
def guide(territory: None) -> None:
    """The territory, the default règlement and the guide's default unit costs and rates."""
    load_guide_data()
