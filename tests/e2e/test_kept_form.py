"""Nothing typed is lost to a session time-out (issue 14): a parent types a measurement, their session
ends before they send it, they sign in again and find it back in the form, and send it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.web.personas import PASSWORD, Personas, make_personas

from smanav.patients.models import Assessment


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def live_people(transactional_db: Any, settings: Any) -> Personas:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_personas()


def _log_in(page: Any, site: str, next_path: str) -> None:
    page.goto(f"{site}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill("parent")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def test_a_measurement_typed_before_the_session_ended_is_put_back_after_signing_in(
    page: Any,
    site: str,
    live_people: Personas,
    monkeypatch: pytest.MonkeyPatch,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    clock = Clock(1_800_000_000.0)
    monkeypatch.setattr("smanav.accounts.session_limits.time.time", clock)
    monkeypatch.setattr("smanav.accounts.kept_forms.time.time", clock)
    path = f"/records/{live_people.shared_child.pk}/assessments/new/"
    _log_in(page, site, path)
    page.get_by_label("Date of the measurement").fill("2026-11-30")
    page.get_by_label("Value").fill("12.4")
    clock.now += 2 * 24 * 3600  # a family's idle limit is a day
    before = Assessment.objects.count()
    with page.expect_navigation():
        page.locator("main form").get_by_role("button").last.click()

    assert "What you typed has been kept" in page.locator("main").inner_text()
    assert Assessment.objects.count() == before
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Username").fill("parent")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    assert page.url.endswith(path)
    notice = page.locator("#kept-form-notice")
    notice.wait_for(state="visible")
    assert "put back in the form" in notice.inner_text()
    assert page.evaluate("() => document.activeElement.id") == "kept-form-notice"
    assert page.get_by_label("Value").input_value() == "12.4"
    assert page.get_by_label("Date of the measurement").input_value() == "2026-11-30"
    assert_accessible(page)
    screenshot(page, "kept-form-after-sign-in")
