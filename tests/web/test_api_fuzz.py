"""schemathesis against every operation of the OpenAPI document, anonymous and signed in: whatever a
client sends (valid bodies and parameters, and deliberately invalid ones), the API never answers with
a server error. The requests go through the real WSGI application onto the test database.

Bounded in time: a fixed number of examples per operation (`FUZZ_EXAMPLES`, raise it by hand for a
longer run: `SMANAV_FUZZ_EXAMPLES=500`); the figures of such runs are in docs/security.md.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from tests.web.personas import Personas, people_fixture  # noqa: F401

from smanav.accounts.services import api_token_create

FUZZ_EXAMPLES = int(os.environ.get("SMANAV_FUZZ_EXAMPLES", "15"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# Who calls: nobody, a parent (their own children's records) and a clinician (records shared with the
# clinic). Tokens are made in a verified session in real use; here by the service.
CALLERS = ["anonymous", "parent", "clinician"]


@pytest.fixture
def wsgi_on_the_test_database(db: Any, settings: Any) -> Iterator[None]:
    # The throttles would answer most generated requests 429 and hide what lies behind them.
    settings.SMANAV_API_RATE = "1000000/minute"
    # The WSGI handler closes the database connection around each request; inside the test's transaction
    # that would drop it. Django's own test client disconnects the same handler.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Answers by status over the whole run, printed at the end (`-s`): the figures for docs/security.md.
STATUSES: Counter[int] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _print_statuses() -> Iterator[None]:
    yield
    total = sum(STATUSES.values())
    print(f"\nschemathesis: {total} requests; by status: {dict(sorted(STATUSES.items()))}")


@pytest.fixture
def callers(people: Personas) -> dict[str, dict[str, str]]:
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in CALLERS[1:]:
        _, token = api_token_create(user=people.by_role(role), name="fuzz")
        headers[role] = {"Authorization": f"Bearer {token}"}
    return headers


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_input_gives_a_server_error(
    case: schemathesis.Case, callers: dict[str, dict[str, str]], wsgi_on_the_test_database: None
) -> None:
    for caller, headers in callers.items():
        response = case.call(headers=headers)
        STATUSES[response.status_code] += 1
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} as {caller} answered {response.status_code}:\n"
            f"{response.text[:2000]}\nreproduce: {case.as_curl_command(headers=headers)}"
        )
