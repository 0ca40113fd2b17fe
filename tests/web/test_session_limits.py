"""Issue 14, part 3: sessions end after an idle and an absolute limit, shorter for staff than for
families (a verified clinician's session used to last 14 days with no idle limit)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401

START = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("smanav.accounts.session_limits.time.time", clock)
    return clock


def signed_in_page(client: Client, path: str) -> bool:
    response = client.get(path)
    return response.status_code == 200


@pytest.mark.parametrize(
    ("role", "url_name", "idle_minutes"),
    [
        ("clinician", "patients:worklist", 30),
        ("administrator", "accounts:clinics", 30),
        ("researcher", "registry:cohort_dashboard", 30),  # a researcher has staff's limits (ADR 0031)
        ("parent", "patients:dashboard", 24 * 60),
    ],
)
def test_a_session_idle_beyond_its_roles_limit_ends(
    people: Personas, clock: Clock, role: str, url_name: str, idle_minutes: int
) -> None:
    client = log_in(Client(), people.by_role(role))
    assert signed_in_page(client, reverse(url_name))
    clock.now += idle_minutes * 60 - 5
    assert signed_in_page(client, reverse(url_name))  # activity just inside the limit keeps it open
    clock.now += idle_minutes * 60 + 1
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    follow = client.get(response["Location"])
    assert "without activity" in follow.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_clinicians_session_ends_after_ten_hours_even_when_active(people: Personas, clock: Clock) -> None:
    client = log_in(Client(), people.clinician)
    for _ in range(30):  # busy all day, a page every 29 minutes
        clock.now += 29 * 60
        if not signed_in_page(client, reverse("patients:worklist")):
            break
    assert clock.now - START > 10 * 3600
    assert clock.now - START <= 10 * 3600 + 29 * 60
    assert "_auth_user_id" not in client.session


def test_a_family_session_outlasts_the_staff_limits(people: Personas, clock: Clock) -> None:
    client = log_in(Client(), people.parent)
    for _ in range(12):
        clock.now += 60 * 60
        assert signed_in_page(client, reverse("patients:dashboard"))


def test_an_ended_session_answers_the_api_as_not_signed_in(people: Personas, clock: Clock) -> None:
    client = log_in(Client(), people.clinician)
    assert client.get("/api/v1/patients").status_code == 200
    clock.now += 31 * 60
    assert client.get("/api/v1/patients").status_code == 401


def test_limits_come_from_settings(people: Personas, clock: Clock, settings: Any) -> None:
    settings.SMANAV_STAFF_SESSION_IDLE_SECONDS = 5 * 60
    client = log_in(Client(), people.clinician)
    assert signed_in_page(client, reverse("patients:worklist"))
    clock.now += 6 * 60
    assert not signed_in_page(client, reverse("patients:worklist"))
