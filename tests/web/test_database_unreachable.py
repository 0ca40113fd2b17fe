"""A database that cannot be reached for a moment (PostgreSQL restarting, a broken connection) is answered
503 with Retry-After, never 500, by the same chokepoint as a busy SQLite database (src/smanav/database.py).
The errors are real: psycopg refused by a port where nothing listens."""

from __future__ import annotations

import socket

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler
from django.http import HttpResponse
from django.test import RequestFactory

from smanav.database import BusyDatabaseMiddleware, is_busy

# pytest-django lets a test open connections only with this mark; the one opened here is refused.
pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _refused() -> OperationalError:
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "HOST": "127.0.0.1",
                "PORT": _closed_port(),
                "NAME": "smanav",
                "USER": "postgres",
            }
        }
    )
    with pytest.raises(OperationalError) as raised:
        handler["default"].ensure_connection()
    return raised.value


def _never(request: object) -> HttpResponse:
    raise AssertionError("not called")


def test_a_database_that_refuses_connections_counts_as_busy_not_as_a_bug() -> None:
    assert is_busy(_refused())
    assert not is_busy(OperationalError("no such column: name"))
    assert not is_busy(ValueError("connection failed"))


@pytest.mark.parametrize(
    ("path", "kind"), [("/records/", "text/html"), ("/api/v1/patients", "application/json")]
)
def test_a_page_or_api_call_meeting_an_unreachable_database_answers_503_with_retry_after(
    path: str, kind: str
) -> None:
    # A request whose session and user were never read: reading them would meet the same dead database.
    request = RequestFactory().get(path)
    answer = BusyDatabaseMiddleware(_never).process_exception(request, _refused())
    assert answer is not None
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer["Cache-Control"] == "no-store"
    assert answer["Content-Type"].startswith(kind)
    assert b"Nothing was changed" in answer.content or b"nothing was changed" in answer.content
