"""Plumbing shared by every tier of tests.

* `require_or_skip(reason)`: for a test whose prerequisite (Chromium, PostgreSQL, pdftoppm...) is
  missing. On a laptop the test is skipped with the reason; under CI (`CI` set) it fails, so a
  misconfigured CI machine can never pass by skipping.
* `as_of`: the frozen evaluation date every test uses, so results never depend on the day they run.

Nothing here imports Django: the core tier (`tests/core`) runs without it (`test_tiers.py` proves it).
What the Django tiers share is in `tests/web/conftest.py` and `tests/e2e/conftest.py`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import NoReturn

import pytest

# The contract's example date; tests never read the clock.
FROZEN_AS_OF = dt.date(2026, 11, 21)


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def require_or_skip(reason: str) -> NoReturn:
    """Skip this test on a developer's machine; fail it under CI, where every prerequisite must exist."""
    if running_under_ci():
        pytest.fail(f"CI requires this test to run, but: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(name="require_or_skip", scope="session")
def require_or_skip_fixture() -> Callable[[str], NoReturn]:
    return require_or_skip


@pytest.fixture
def as_of() -> dt.date:
    return FROZEN_AS_OF
