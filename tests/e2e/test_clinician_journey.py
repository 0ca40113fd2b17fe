"""A clinician logs in with two-factor authentication, records an HFMSE decline, records a partial
re-test that does not hide it, and finds the alert on the clinic worklist. Keyboard only, axe-core on
every page, screenshots kept."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.personas import PASSWORD, Personas, make_personas

from smanav.patients.services import assessment_record
from smanav_core.rules.decline import day_words


@pytest.fixture
def live_people(transactional_db: Any, settings: Any) -> Personas:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_personas()


def _type_into(page: Any, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def _submit(page: Any, name: str) -> None:
    page.locator("main").get_by_role("button", name=name, exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _record_hfmse(page: Any, on: dt.date, value: str) -> None:
    """From the record page: open the measurement form and fill in an HFMSE value on that day."""
    page.locator(".record-nav").get_by_role("link", name="Add a measurement").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_label("Date of the measurement", exact=True).fill(on.isoformat())
    page.get_by_label("Measure", exact=True).select_option(label="HFMSE (0–66)")
    _type_into(page, "Value", value)


def _open_section(page: Any, name: str) -> None:
    page.locator(".record-toc").get_by_role("link", name=name, exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _code(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_clinician_records_an_hfmse_decline_and_finds_it_on_the_worklist(
    page: Any,
    site: str,
    live_people: Personas,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    # Ada's HFMSE was 30 five months ago (a date relative to today, so the 12-month window holds it).
    today = dt.date.today()
    earlier = today - dt.timedelta(days=150)
    assessment_record(
        author=live_people.parent,
        patient_id=live_people.shared_child.pk,
        date=earlier,
        instrument="HFMSE",
        value=30,
        as_of=today,
    )
    page.goto(site + "/clinic/")
    assert "/accounts/login/" in page.url
    assert_accessible(page)
    _type_into(page, "Username", "clinician")
    _type_into(page, "Password", PASSWORD)
    _submit(page, "Log in")

    assert "/accounts/two-factor/" in page.url
    assert_accessible(page)
    screenshot(page, "clinician-01-two-factor")
    _type_into(page, "6-digit code from your authenticator app", _code(live_people.clinician))
    _submit(page, "Confirm")

    assert page.get_by_role("heading", name="Worklist of Northside Neuromuscular Clinic").count() == 1
    assert "Motor decline" not in page.locator("table.worklist").inner_text()
    assert_accessible(page)
    screenshot(page, "clinician-02-worklist-before")

    page.get_by_role("link", name="Ada").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _record_hfmse(page, today - dt.timedelta(days=14), "24")
    assert_accessible(page)
    screenshot(page, "clinician-03-record-hfmse")
    _submit(page, "Save")

    assert page.locator("#alerts").get_by_text("Motor decline").count() >= 1
    assert_accessible(page)
    screenshot(page, "clinician-04-evaluation-with-alert")

    # A re-test two weeks later scores 25: the alert stays and says what was compared with what.
    _record_hfmse(page, today, "25")
    _submit(page, "Save")
    alerts = page.locator("#alerts").inner_text()
    assert "Motor decline" in alerts
    assert f"HFMSE 25 on {day_words(today)} is 5 points below 30 on {day_words(earlier)}." in alerts
    # The charts and measurements open from the record's table of contents.
    _open_section(page, "Charts and measurements")
    assert "Marked on the chart: 25 on" in page.locator("#monitoring").inner_text()
    assert_accessible(page)
    screenshot(page, "clinician-04a-retest-keeps-the-alert")

    # Removing a measurement asks first, on a page of its own; "Keep it" leaves the record as it is.
    remove = page.locator("#monitoring").get_by_role("link", name=re.compile(r"^Remove HFMSE \(0–66\) 25,"))
    remove.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Remove a measurement from the record of Ada?").count() == 1
    assert "history keeps the earlier version" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "clinician-04b-remove-confirmation")
    page.locator("main").get_by_role("link", name="Keep it", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#alerts").get_by_text("Motor decline").count() >= 1
    _open_section(page, "Charts and measurements")
    assert remove.count() == 1

    page.locator(".site-nav").get_by_role("link", name="Clinic worklist").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_label("Alert", exact=True).select_option(label="Motor decline")
    _submit(page, "Apply")
    rows = page.locator("table.worklist tbody tr")
    assert rows.count() == 1
    assert "Ada" in rows.first.inner_text()
    assert "Motor decline" in rows.first.inner_text()
    assert_accessible(page)
    screenshot(page, "clinician-05-worklist-alert")
