"""The secret key: outside debug smanav refuses to start without a usable one (docs/security.md).

Each case starts a real process with a clean environment, as an operator's service manager would, and
reads its exit status and what it printed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smanav.settings import PUBLISHED_DEVELOPMENT_KEY, secret_key_problem

REPO = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"

# What each kind of process does first: the WSGI application, and a management command.
START_WSGI = ["-c", "import smanav.wsgi; print('started')"]
START_COMMAND = ["manage.py", "check"]


def _start(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"), **env},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("argv", [START_WSGI, START_COMMAND], ids=["wsgi", "manage.py"])
@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "is not set"),
        ("", "is not set"),
        (PUBLISHED_DEVELOPMENT_KEY, "is a published development key"),
        ("django-insecure-" + "x1y2z3" * 10, "is a published development key"),
        ("short-but-random-7Hq", "is too short"),
        ("a" * 80, "is too short"),
    ],
    ids=["missing", "empty", "published-fallback", "django-insecure", "short", "one-character"],
)
def test_outside_debug_the_process_refuses_to_start_without_a_usable_key(
    argv: list[str], key: str | None, problem: str
) -> None:
    env = {} if key is None else {"SMANAV_SECRET_KEY": key}
    started = _start(argv, **env)
    assert started.returncode == 1, started.stdout + started.stderr
    assert "started" not in started.stdout
    lines = started.stderr.strip().splitlines()
    assert len(lines) == 1, started.stderr  # one line, no traceback
    assert lines[0].startswith(f"smanav will not start: SMANAV_SECRET_KEY {problem}")
    if key:
        assert key not in started.stderr  # a configured secret is never printed


def test_outside_debug_a_configured_key_starts() -> None:
    started = _start(START_WSGI, SMANAV_SECRET_KEY=GOOD_KEY)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "started"


def test_in_debug_the_process_starts_without_a_configured_key() -> None:
    script = "from django.conf import settings; k = settings.SECRET_KEY; print(len(k) >= 50, k != {!r})"
    started = _start(
        ["-c", script.format(PUBLISHED_DEVELOPMENT_KEY)],
        SMANAV_DEBUG="1",
        DJANGO_SETTINGS_MODULE="smanav.settings",
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "True True"


def test_the_checkouts_own_development_key_is_refused_outside_debug() -> None:
    development = "d3v-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
    assert secret_key_problem(development, development_key=development) == (
        "is this checkout's development key (var/secret_key)"
    )
    assert secret_key_problem(GOOD_KEY, development_key=development) is None
