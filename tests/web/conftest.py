"""What the Django tiers share (the core tier, tests/core, runs without Django)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests marked `postgres` need PostgreSQL features. They are skipped on SQLite, also under CI:
    # .ci/run runs the whole suite a second time on PostgreSQL, where they run (and fail if they must).
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgresql://...")
    for item in items:  # items of every tier: only Django tests carry the marker
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)
