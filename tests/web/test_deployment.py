"""The deployment of docs/deployment.md, started for real on loopback (issue 14, part 6).

`scripts/deploy-local start` runs nginx in front of two gunicorn app servers and two background workers
on one PostgreSQL database, with production settings (debug off, the key from the environment). This
test starts it, signs a family in through nginx, reads their records page, checks that nginx itself
serves the static files, stops one app server and sees every read still answered (nginx sends it to
the other), then stops everything. It needs nginx and PostgreSQL: skipped with the reason on a laptop
without them, failed under CI.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "deploy-local"
# Ports 8115-8117, apart from a deployment someone started by hand on the default 8110.
PORT = 8115
BASE = f"http://127.0.0.1:{PORT}"
DATABASE_NAME = "smanav_deploy_test"
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.deployment


def _postgres_url(require_or_skip: Callable[[str], NoReturn]) -> str:
    """A fresh database on the PostgreSQL server the tests use (or the local one)."""
    import psycopg

    ci_url = os.environ.get("SMANAV_CI_DATABASE_URL")  # .ci/run's server, when it names one
    default = "postgresql://postgres@127.0.0.1:5432/postgres"
    if ci_url:
        default = urllib.parse.urlunsplit(urllib.parse.urlsplit(ci_url)._replace(path="/postgres"))
    server = os.environ.get("SMANAV_DEPLOY_TEST_POSTGRES", default)
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {DATABASE_NAME}")
    except psycopg.OperationalError as error:
        require_or_skip(f"PostgreSQL is not reachable at {server}: {error}")
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(server)._replace(path=f"/{DATABASE_NAME}"))


@pytest.fixture
def deployment(require_or_skip: Callable[[str], NoReturn]) -> Iterator[tuple[dict[str, str], Path]]:
    if shutil.which("nginx") is None:
        require_or_skip("nginx is not installed (scripts/install-system-deps installs Debian's nginx)")
    if not (REPO / ".venv" / "bin" / "gunicorn").exists():
        require_or_skip("gunicorn is not installed in .venv (make install)")
    # Inside the checkout, not the test's private temporary directory: nginx's workers run as another
    # user (www-data) and must be able to reach the static files.
    run_dir = REPO / "var" / f"deploy-test-{secrets.token_hex(4)}"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SMANAV_", "DJANGO_"))}
    env.update(
        SMANAV_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=_postgres_url(require_or_skip),
        SMANAV_DEPLOY_DIR=str(run_dir),
        SMANAV_DEPLOY_PORT=str(PORT),
        SMANAV_APP_PROCESSES="1",
    )
    started = subprocess.run([SCRIPT, "start"], env=env, capture_output=True, text=True, timeout=600)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield env, run_dir
    finally:
        stopped = subprocess.run([SCRIPT, "stop"], env=env, capture_output=True, text=True, timeout=120)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert not list(run_dir.glob("*.pid")), "a process of the deployment is still running"
        shutil.rmtree(run_dir, ignore_errors=True)


def _make_family(env: dict[str, str]) -> None:
    """A family account with one record, made on the server's command line through the services."""
    code = (
        "import datetime as dt\n"
        "from smanav.accounts.services import user_create\n"
        "from smanav.patients.services import patient_create\n"
        f"user = user_create(username='deployfamily', email='f@example.org', password={PASSWORD!r})\n"
        "patient_create(author=user, display_name='Robin', document={'birth_date': '2020-03-01', "
        "'region': 'US'}, as_of=dt.date(2026, 11, 21))\n"
    )
    shell_env = {**env, "PYTHONPATH": str(REPO / "src"), "SMANAV_DEBUG": "0"}
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=REPO, env=shell_env, check=True, timeout=120
    )


def _open(browser: urllib.request.OpenerDirector, url: str, data: bytes | None = None) -> Any:
    """Open `url`; an error status fails the test with the answer's body, which says why."""
    try:
        return browser.open(url, data=data, timeout=30)
    except urllib.error.HTTPError as error:
        pytest.fail(f"{url}: {error.code}\n{error.read().decode(errors='replace')[-3000:]}")


def test_the_local_deployment_serves_a_signed_in_family_through_nginx_and_survives_an_app_server(
    deployment: tuple[dict[str, str], Path],
) -> None:
    env, run_dir = deployment
    status = subprocess.run([SCRIPT, "status"], env=env, capture_output=True, text=True, timeout=30)
    assert status.returncode == 0, status.stdout
    assert status.stdout.count(": running") == 5  # nginx, two app servers, two workers
    _make_family(env)

    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with _open(browser, f"{BASE}/accounts/login/") as answer:
        assert answer.headers["Server"] == "nginx"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.read().decode())
    assert token is not None
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": "deployfamily", "password": PASSWORD, "next": ""}
    ).encode()
    with _open(browser, f"{BASE}/accounts/login/", form) as answer:
        assert answer.status == 200
        assert urllib.parse.urlsplit(answer.url).path == "/records/"
        assert "Robin" in html.unescape(answer.read().decode())

    # nginx serves the static files from disk (collectstatic), with its own caching header.
    with _open(browser, f"{BASE}/static/css/smanav.css") as answer:
        assert answer.headers["Content-Type"] == "text/css"
        assert answer.headers.get_all("Cache-Control") == ["max-age=604800", "public"]

    # One app server dies: nginx sends each read to the other, and the family notices nothing.
    os.kill(int((run_dir / "app-1.pid").read_text()), signal.SIGTERM)
    for _ in range(6):
        with _open(browser, f"{BASE}/records/") as answer:
            assert answer.status == 200
            assert "Robin" in html.unescape(answer.read().decode())
    # The API's pure computations have a location of their own (sent again if a server dies mid-way).
    record = (REPO / "examples" / "type1-infant.json").read_bytes()
    for _ in range(4):
        request = urllib.request.Request(
            f"{BASE}/api/v1/evaluate?as_of=2026-12-07",
            data=record,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
            assert answer.headers["Server"] == "nginx"
