"""The record page answers "what needs attention now" first: on a 390 x 844 phone the summary is the
first screen, and at most 15 tab stops lie between the top of the page and the first alert. A clinician
logs in, lands on the worklist, opens the record and acknowledges the alert with a note, keyboard only;
the record and the worklist then say who saw it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.personas import PASSWORD, Personas, log_in, make_personas

from smanav.patients.services import assessment_record

PHONE = {"width": 390, "height": 844}
MOST_TAB_STOPS_BEFORE_THE_FIRST_ALERT = 15
ACKNOWLEDGE_DECLINE = re.compile(r"^Acknowledge\s+the alert “Motor decline”$")


@pytest.fixture
def live_people(transactional_db: Any, settings: Any) -> Personas:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    people = make_personas()
    people.clinician.first_name, people.clinician.last_name = "Ana", "Ruiz"
    people.clinician.save()
    # Ada's HFMSE falls by 6 points within the rule's window: a motor decline alert.
    today = dt.date.today()
    for days_ago, value in ((200, 34), (20, 28)):
        assessment_record(
            author=people.parent,
            patient_id=people.shared_child.pk,
            date=today - dt.timedelta(days=days_ago),
            instrument="HFMSE",
            value=value,
            as_of=today,
        )
    return people


def _signed_in(browser: Any, site: str, user: Any, **context: Any) -> Any:
    cookie = log_in(__import__("django.test").test.Client(), user).cookies["sessionid"].value
    made = browser.new_context(**context)
    made.add_cookies([{"name": "sessionid", "value": cookie, "url": site}])
    return made.new_page()


def _tab_stops_before(page: Any, selector: str) -> int:
    """How many Tab presses reach the first focusable element inside or after `selector`'s start."""
    return int(
        page.evaluate(
            """(selector) => {
                const target = document.querySelector(selector);
                const focusable = [...document.querySelectorAll(
                    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]'
                )].filter((el) => !el.disabled && el.offsetParent !== null);
                return focusable.filter((el) =>
                    target.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING
                    && !target.contains(el)).length;
            }""",
            selector,
        )
    )


@pytest.mark.parametrize("role", ["parent", "clinician"])
def test_the_summary_is_the_first_screen_of_a_phone_and_the_first_alert_is_near_the_top(
    browser: Any,
    site: str,
    live_people: Personas,
    role: str,
    screenshot: Callable[[Any, str], Path],
) -> None:
    page = _signed_in(browser, site, live_people.by_role(role), viewport=PHONE, locale="en-GB")
    page.goto(f"{site}/records/{live_people.shared_child.pk}/")
    assert "Motor decline" in page.locator("#alerts").inner_text()
    stops = _tab_stops_before(page, "#alerts")
    assert stops <= MOST_TAB_STOPS_BEFORE_THE_FIRST_ALERT, f"{stops} tab stops before the first alert"
    # Walk it with the keyboard too: the first alert's region is reached within the budget.
    reached = None
    for press in range(1, MOST_TAB_STOPS_BEFORE_THE_FIRST_ALERT + 2):
        page.keyboard.press("Tab")
        if page.evaluate("() => Boolean(document.activeElement.closest('#summary'))"):
            reached = press
            break
    assert reached is not None and reached <= MOST_TAB_STOPS_BEFORE_THE_FIRST_ALERT + 1
    screenshot(page, f"record-summary-phone-{role}")
    box = page.locator("#summary").bounding_box()
    assert box is not None
    assert box["height"] <= PHONE["height"], f"the summary is {box['height']} px tall"
    page.context.close()


def _code(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def _type_into(page: Any, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def _press(page: Any, locator: Any) -> None:
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_clinician_logs_in_lands_on_the_worklist_and_acknowledges_an_alert(
    page: Any,
    site: str,
    live_people: Personas,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page.goto(site + "/accounts/login/")
    _type_into(page, "Username", "clinician")
    _type_into(page, "Password", PASSWORD)
    _press(page, page.locator("main").get_by_role("button", name="Log in", exact=True))
    _type_into(page, "6-digit code from your authenticator app", _code(live_people.clinician))
    _press(page, page.locator("main").get_by_role("button", name="Confirm", exact=True))

    # Clinicians land on their worklist, which names the alert and what is due.
    assert page.get_by_role("heading", name="Worklist of Northside Neuromuscular Clinic").count() == 1
    row = page.locator("table.worklist tbody tr", has_text="Ada")
    assert "Motor decline" in row.inner_text()
    assert "seen by" not in row.inner_text()
    assert_accessible(page)
    screenshot(page, "acknowledge-01-worklist")

    _press(page, page.get_by_role("link", name="Ada"))
    summary = page.locator("#summary")
    assert "Motor decline" in summary.inner_text(), page.url
    _press(page, summary.get_by_role("link", name=ACKNOWLEDGE_DECLINE))
    assert_accessible(page)
    _type_into(page, "Note (optional)", "Seen with the family; HFMSE again in 3 months.")
    screenshot(page, "acknowledge-02-form")
    _press(page, page.locator("main").get_by_role("button", name="Acknowledge the alert", exact=True))

    summary = page.locator("#summary")
    assert "Seen by Ana Ruiz on" in summary.inner_text()
    assert "Seen with the family; HFMSE again in 3 months." in summary.inner_text()
    assert summary.get_by_role("link", name=ACKNOWLEDGE_DECLINE).count() == 0
    assert_accessible(page)
    screenshot(page, "acknowledge-03-record")

    _press(page, page.locator(".site-nav").get_by_role("link", name="Clinic worklist"))
    assert "seen by Ana Ruiz on" in page.locator("table.worklist tbody tr", has_text="Ada").inner_text()
    assert_accessible(page)
    screenshot(page, "acknowledge-04-worklist")
