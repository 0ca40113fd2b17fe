"""Fixtures for tests of background jobs: the server's date, and a real worker.

Import them like the personas: `from tests.web.background import run_worker_fixture, today_fixture`.
"""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command
from django.utils import timezone


@pytest.fixture(name="run_worker")
def run_worker_fixture() -> Iterator[Callable[[], None]]:
    """Run a real `manage.py db_worker --batch`: every queued job, then exit.

    Needs `django_db(transaction=True)`: the worker claims jobs in transactions of its own, as in
    production. It installs SIGINT/SIGTERM handlers for a graceful shutdown; pytest's are put back.
    """
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {number: signal.getsignal(number) for number in signals}

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    yield run
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.fixture(name="today")
def today_fixture(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    """Set the server's date: `timezone.localdate`, which the views and commands read."""

    def set_today(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_today
