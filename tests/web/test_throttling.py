"""Issue 14, part 3: the anonymous API (evaluate, triage, services search, trial matching) answers 429
with Retry-After beyond its rate, per caller address, counted in the database that every app server
shares."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from smanav.jsonapi.models import ThrottleWindow
from smanav.jsonapi.throttling import Rate, throttle_hit

pytestmark = pytest.mark.django_db

NOW = 1_800_000_015.0  # 15 seconds into a minute
RECORD = json.dumps({"birth_date": "2020-03-01", "region": "US"})
REQUESTS = {
    "evaluate": ("post", "/api/v1/evaluate", RECORD),
    "triage": ("post", "/api/v1/triage", json.dumps({"age_years": 4})),
    "search": ("get", "/api/v1/services/search?near=Boston", None),
    "trials": ("post", "/api/v1/trials/match", json.dumps({"record": json.loads(RECORD)})),
}


@pytest.fixture(autouse=True)
def three_a_minute(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.SMANAV_API_RATE = "3/minute"
    monkeypatch.setattr("smanav.jsonapi.throttling.time.time", lambda: NOW)


def call(scope: str, address: str = "192.0.2.1") -> Any:
    method, path, body = REQUESTS[scope]
    client = Client(REMOTE_ADDR=address)
    if method == "get":
        return client.get(path)
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize("scope", list(REQUESTS))
def test_beyond_the_rate_the_answer_is_429_with_retry_after(scope: str) -> None:
    for _ in range(3):
        assert call(scope).status_code < 400
    response = call(scope)
    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    assert response.json()["errors"][0]["message"].startswith("too many requests from your address")
    # Another address is counted on its own.
    assert call(scope, address="192.0.2.2").status_code < 400


def test_the_count_is_kept_in_the_database_shared_by_every_app_server() -> None:
    # What another app server counted for this address in this minute.
    ThrottleWindow.objects.create(key="evaluate:192.0.2.1", window=int(NOW // 60), hits=3)
    assert call("evaluate").status_code == 429


def test_a_new_window_starts_a_new_count_and_old_windows_are_cleared() -> None:
    rate = Rate.parse("2/minute")
    for _ in range(2):
        assert throttle_hit(key="evaluate:a", rate=rate, now=NOW) is None
    assert throttle_hit(key="evaluate:a", rate=rate, now=NOW) == 45
    assert throttle_hit(key="evaluate:a", rate=rate, now=NOW + 120) is None
    assert not ThrottleWindow.objects.filter(window=int(NOW // 60)).exists()


def test_behind_our_proxies_the_address_they_saw_is_counted(settings: Any) -> None:
    settings.SMANAV_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="127.0.0.1")
    for index in range(4):
        # The client forges the first entry; the proxy appends the real address.
        forwarded = f"10.0.0.{index}, 192.0.2.50"
        response = client.post(
            "/api/v1/evaluate", RECORD, content_type="application/json", HTTP_X_FORWARDED_FOR=forwarded
        )
    assert response.status_code == 429


@pytest.mark.parametrize("text", ["60/minute", "5/second", "1000/hour", "100/day"])
def test_rates_are_read_from_their_settings_words(text: str) -> None:
    rate = Rate.parse(text)
    assert rate.requests == int(text.split("/")[0])
