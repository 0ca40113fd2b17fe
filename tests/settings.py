"""The settings of the test process: the project's one settings module (smanav.settings), given a
secret key made for this run.

Outside debug smanav refuses to start without SMANAV_SECRET_KEY, and tests run outside debug, as
production does. The key exists only in this process and the processes it starts, so nothing it signs
outlives the run.
"""

import atexit
import os
import secrets
import shutil
import tempfile

os.environ.setdefault("SMANAV_SECRET_KEY", secrets.token_urlsafe(50))
# The test client and the browser tests' live server speak plain HTTP on loopback: HTTPS redirect, HSTS
# and secure-only cookies (on by default outside debug) are off here; tests/web/test_headers.py checks
# the defaults in a process of their own.
os.environ.setdefault("SMANAV_HTTPS_REDIRECT", "0")
os.environ.setdefault("SMANAV_SECURE_COOKIES", "0")
os.environ.setdefault("SMANAV_HSTS_SECONDS", "0")

from smanav.settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The test database is a file, never SQLite's in-memory database. Django hands the browser tests'
    # live server the test's own in-memory connection, and the server answers each request in a thread
    # of its own: a page and its chart images, fetched in parallel, then began transactions on one
    # connection ("cannot start a transaction within a transaction", a 500 now and then). With a file
    # every thread opens its own connection and the database holds several of them as in production
    # (WAL, BEGIN IMMEDIATE, the busy timeout: ADR 0016). One directory per test process, so that two
    # runs never share a database; Django deletes the file at the end, the directory goes at exit.
    _TEST_DATABASE_DIR = tempfile.mkdtemp(prefix="smanav-test-db-")
    atexit.register(shutil.rmtree, _TEST_DATABASE_DIR, ignore_errors=True)
    DATABASES["default"]["TEST"] = {  # noqa: F405
        **DATABASES["default"].get("TEST", {}),  # noqa: F405
        "NAME": os.path.join(_TEST_DATABASE_DIR, "test.sqlite3"),
    }
    # The database a test process reaches before (or without) pytest-django setting up the test database
    # is that same file, never the developer's var/smanav.sqlite3: a browser test run alone whose tests
    # have no `django_db` mark (tests/e2e/test_every_page.py) gets no set-up, and must not seed into, or
    # flush, the demo database.
    # A process a test starts with its own DATABASE_URL (a database file of that test) keeps it.
    if "DATABASE_URL" not in os.environ:
        DATABASES["default"]["NAME"] = DATABASES["default"]["TEST"]["NAME"]  # noqa: F405
