"""Nothing a person types is lost when their session ends as they send a form (issue 14): what they
typed comes back on the form after they sign in again as the same account, and nobody else sees it."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import PASSWORD, Personas, log_in, people_fixture  # noqa: F401
from tests.web.test_session_limits import Clock

from smanav.patients.models import Assessment

DAY = 24 * 3600


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("smanav.accounts.session_limits.time.time", clock)
    monkeypatch.setattr("smanav.accounts.kept_forms.time.time", clock)
    return clock


def _kept_fields(page: str) -> list[list[str]]:
    start = page.index('<script id="kept-form" type="application/json">') + len(
        '<script id="kept-form" type="application/json">'
    )
    return json.loads(page[start : page.index("</script>", start)])


def _send_measurement_after_the_idle_limit(client: Client, clock: Clock, path: str) -> str:
    clock.now += 2 * DAY
    response = client.post(
        path,
        {
            "date": "2026-11-30",
            "instrument": "WEIGHT_KG",
            "value": "12.4",
            "form_key": "k1",
            "csrfmiddlewaretoken": "x",
            "password": "never kept",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    return str(response["Location"])


def test_a_form_sent_after_the_session_ended_comes_back_filled_after_signing_in(
    people: Personas, clock: Clock
) -> None:
    client = log_in(Client(), people.parent)
    path = reverse("patients:assessment_new", args=[people.shared_child.pk])
    before = Assessment.objects.count()

    login_page = client.get(_send_measurement_after_the_idle_limit(client, clock, path)).content.decode()

    assert "What you typed has been kept" in login_page
    assert Assessment.objects.count() == before  # nothing saved
    assert (
        client.post(
            reverse("accounts:login"), {"username": "parent", "password": PASSWORD, "next": path}
        ).status_code
        == 302
    )
    page = client.get(path).content.decode()
    fields = _kept_fields(page)
    assert ["value", "12.4"] in fields and ["instrument", "WEIGHT_KG"] in fields
    assert all(name not in {"password", "csrfmiddlewaretoken", "form_key"} for name, _ in fields)
    assert "has been put back in the form" in page
    # Once only.
    assert "kept-form" not in client.get(path).content.decode()


def test_another_account_signing_in_on_the_same_browser_gets_nothing_and_the_copy_is_forgotten(
    people: Personas, clock: Clock
) -> None:
    client = log_in(Client(), people.parent)
    path = reverse("patients:assessment_new", args=[people.shared_child.pk])
    _send_measurement_after_the_idle_limit(client, clock, path)

    client.post(reverse("accounts:login"), {"username": people.adult.username, "password": PASSWORD})
    assert "kept-form" not in client.get(reverse("patients:dashboard")).content.decode()
    client.logout()
    client.post(reverse("accounts:login"), {"username": "parent", "password": PASSWORD})
    assert "kept-form" not in client.get(path).content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_session_ended_without_anything_typed_keeps_nothing(
    people: Personas, clock: Clock, method: str
) -> None:
    client = log_in(Client(), people.parent)
    path = reverse("patients:dashboard")
    clock.now += 2 * DAY
    getattr(client, method)(path)
    assert "smanav_kept_form" not in client.session
