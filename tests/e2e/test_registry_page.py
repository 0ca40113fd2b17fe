"""A parent tells the registry when the first signs came, with the keyboard alone; a clinician reports
another age, sees the disagreement on the record and decides it with a note. axe-core on each state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.e2e.page_checks import PHONE_WIDTH_PX
from tests.web.personas import PASSWORD, Personas, make_personas

from smanav.patients.services import all_summaries_refresh
from smanav.registry.models import ConflictResolution, ReportedValue
from smanav.registry.synth_write import synth_write


@pytest.fixture
def live_people(transactional_db: Any, settings: Any) -> Personas:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_personas()


def _press(page: Any, button: str, *, first: bool = False) -> None:
    buttons = page.locator("main").get_by_role("button", name=button, exact=True)
    (buttons.first if first else buttons).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _type_into(page: Any, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def _log_in(page: Any, site: str, username: str) -> None:
    page.goto(site + "/accounts/login/")
    _type_into(page, "Username", username)
    _type_into(page, "Password", PASSWORD)
    _press(page, "Log in")


def _code(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_a_family_and_a_clinic_disagree_and_the_clinician_decides(
    page: Any,
    site: str,
    live_people: Personas,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    child = live_people.shared_child
    _log_in(page, site, "parent")
    # From the record's navigation (the sharing page draws no charts).
    page.goto(f"{site}/records/{child.pk}/sharing/")
    page.locator(".record-nav").get_by_role("link", name="Registry", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Tell us what you know" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "registry-01-family-empty")

    _press(page, "Send", first=True)
    assert "Age at the first signs, in months: enter a number." in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "registry-02-family-problem")

    _type_into(page, "Age at the first signs, in months", "8")
    _press(page, "Send", first=True)
    assert "First signs at 8 months of age" in page.locator("main").inner_text()
    assert ReportedValue.objects.get().reported_by == "family"

    # The clinician, in the same browser after the parent's session is gone.
    page.context.clear_cookies()
    clinician = page
    _log_in(clinician, site, "clinician")
    _type_into(clinician, "6-digit code from your authenticator app", _code(live_people.clinician))
    _press(clinician, "Confirm")
    clinician.goto(f"{site}/records/{child.pk}/registry/")
    _type_into(clinician, "Age at the first signs, in months", "12")
    _press(clinician, "Send", first=True)
    main = clinician.locator("main").inner_text()
    assert "Where the family and the clinic differ" in main and "Not decided yet" in main
    assert_accessible(clinician)
    screenshot(clinician, "registry-03-clinic-disagreement")

    clinician.get_by_label("Both kept, with a note", exact=True).check()
    _type_into(clinician, "Note (needed when both stand)", "Parents noticed weak kicks at 8 months.")
    _press(clinician, "Keep this decision")
    assert (
        "Both kept, with a note: Parents noticed weak kicks at 8 months."
        in clinician.locator("main").inner_text()
    )
    assert ConflictResolution.objects.get().decision == "noted"
    assert_accessible(clinician)
    screenshot(clinician, "registry-04-clinic-decided")
    # Reflow: at a phone's width only the tables' own boxes scroll sideways.
    clinician.set_viewport_size({"width": PHONE_WIDTH_PX, "height": 640})
    assert clinician.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH_PX


def test_a_coordinator_reads_the_registry_dashboard(
    page: Any,
    site: str,
    live_people: Personas,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    synth_write(patients=40, seed=4, as_of=timezone.localdate())
    # The dashboard reads what the nightly refresh worked out (ADR 0029).
    all_summaries_refresh(as_of=timezone.localdate())
    _log_in(page, site, "coordinator")
    _type_into(page, "6-digit code from your authenticator app", _code(live_people.coordinator))
    _press(page, "Confirm")
    page.get_by_role("link", name="Registry dashboard", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = page.locator("main").inner_text()
    assert "People taking part: 40" in main
    assert "Motor scores over time" in main
    assert "Time to permanent ventilation or gastrostomy" in main
    assert "Everyone: still without permanent ventilation or gastrostomy" in main
    assert_accessible(page)
    screenshot(page, "registry-05-dashboard")
    page.set_viewport_size({"width": PHONE_WIDTH_PX, "height": 640})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH_PX
