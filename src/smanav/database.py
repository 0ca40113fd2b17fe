"""The database under load: SQLite set up to hold with several writers, and what a page answers when the
database stays busy (ADR 0016).

SQLite allows one writer at a time. With its defaults a transaction starts as a reader and asks for the
write lock only at its first write; when another writer holds it, SQLite cannot wait (both could wait
for each other) and fails at once with "database is locked". smanav therefore opens every transaction
with `BEGIN IMMEDIATE` (it queues for the lock before reading anything), waits up to a busy timeout for
its turn, and keeps the journal in WAL mode so that readers never wait for a writer. Imports commit in
batches, so a writer never waits long.

If the lock is still held when the timeout ends (a stuck process, a copy of the file being taken the
wrong way), a read of a page is tried once more and then, like a write, answered 503 with Retry-After
and a sentence saying nothing was changed; never a 500. A record is never shown without its audit row:
when the row cannot be written, the record is not shown.

A database that cannot be reached for a moment (PostgreSQL restarting, a connection broken by a network
fault) is answered the same way: 503 with Retry-After, a read tried once more first; the app keeps
running and its next request opens a new connection (`CONN_HEALTH_CHECKS`). A transaction whose
connection broke before its commit was rolled back by the database: nothing was changed.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

# How long a browser or API client is told to wait before trying again, in seconds.
RETRY_AFTER_SECONDS = 5
# Pause before a read is tried once more (the rare lock is usually gone by then).
READ_RETRY_PAUSE_SECONDS = 0.5
BUSY_MESSAGE = "the database is busy: nothing was changed; try again in a few seconds"
_BUSY_WORDS = ("database is locked", "database table is locked")
# What psycopg and PostgreSQL say when the server cannot be reached, is starting or stopping, or has
# closed the connection (a restart, an administrator's command, the network).
_UNREACHABLE_WORDS = (
    "connection failed",
    "connection refused",
    "could not connect",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "terminating connection due to administrator command",
    "server closed the connection unexpectedly",
    "consuming input failed",
    "connection already closed",
    "the connection is closed",
    "the connection is lost",
)
_RETRIED = "_smanav_busy_retried"
_BUSY = "_smanav_busy"


def sqlite_options(*, busy_timeout_seconds: float) -> dict[str, object]:
    """Django's OPTIONS for an SQLite database that several processes write (Django 5.1 or later)."""
    return {
        # Readers never wait for the writer, and the writer never waits for readers.
        "init_command": "PRAGMA journal_mode=WAL",
        # Every transaction.atomic() begins with BEGIN IMMEDIATE: it takes the write lock before its first
        # read, so two writers queue (busy timeout) instead of the second failing in the middle.
        "transaction_mode": "IMMEDIATE",
        # sqlite3.connect's timeout: how long a statement waits for the lock before "database is locked".
        "timeout": busy_timeout_seconds,
    }


def is_busy(error: BaseException | None) -> bool:
    """Whether `error` means another process held the database's lock for longer than the timeout, or
    the database could not be reached for a moment."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    text = str(error).lower()
    return any(words in text for words in (*_BUSY_WORDS, *_UNREACHABLE_WORDS))


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON in the API's one error shape, a page elsewhere."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"errors": [{"field": None, "message": BUSY_MESSAGE}]}, status=503)
    else:
        # Rendered without the request: no context processor, no user or session is read, so the page
        # answers even when the error came from the database being gone (a middleware reading the
        # session or the user met it; reading them again here would fail the same way).
        response = HttpResponse(render_to_string("busy.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class BusyDatabaseMiddleware:
    """Answers a busy database with 503 instead of 500; a read (GET or HEAD) is tried once more first.

    Only reads are tried again: a form's submission that failed wrote nothing (its transaction began
    with BEGIN IMMEDIATE and took no lock), and the person sends it again from the page that says so.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        busy = getattr(request, _BUSY, False)
        if busy and request.method in ("GET", "HEAD") and not getattr(request, _RETRIED, False):
            setattr(request, _RETRIED, True)
            setattr(request, _BUSY, False)
            time.sleep(READ_RETRY_PAUSE_SECONDS)
            response = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        setattr(request, _BUSY, True)
        logger.warning("database busy during %s %s: %s", request.method, request.path, exception)
        return busy_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a busy database raised outside a view (a middleware, a session) is a 503 too."""
    if is_busy(sys.exc_info()[1]):
        return busy_response(request)
    return defaults.server_error(request)
