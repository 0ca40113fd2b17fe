"""A parent gives consent to research use for their child with the keyboard alone, sees it stated,
then withdraws it; the child drops out of the research cohort at once. axe-core on each state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.web.personas import PASSWORD, make_personas

from smanav.registry.models import ConsentPurpose
from smanav.registry.selectors import consented_patients


def _press(page: Any, button: str) -> None:
    page.locator("main").get_by_role("button", name=button, exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _in_research_cohort(patient_id: int) -> bool:
    cohort = consented_patients(purpose=ConsentPurpose.RESEARCH, on=timezone.localdate())
    return cohort.filter(pk=patient_id).exists()


@pytest.mark.django_db(transaction=True)
def test_a_parent_gives_and_withdraws_research_consent_with_the_keyboard(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    people = make_personas()
    child = people.shared_child
    page.goto(site + "/accounts/login/")
    page.get_by_label("Username", exact=True).fill("parent")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    _press(page, "Log in")

    # From the record's navigation (on the sharing page).
    page.goto(f"{site}/records/{child.pk}/sharing/")
    page.get_by_role("link", name="Consent", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    research = page.locator("section", has=page.get_by_role("heading", name="Use in research"))
    assert "Not given." in research.inner_text()
    assert_accessible(page)
    screenshot(page, "consent-01-not-given")

    _press(page, "I agree: Use in research")
    assert "Consent given: Use in research." in page.locator("main").inner_text()
    assert "Given by a parent or carer on" in research.inner_text()
    assert _in_research_cohort(child.pk)
    assert_accessible(page)
    screenshot(page, "consent-02-given")

    _press(page, "Withdraw: Use in research")
    assert "Withdrawn on" in research.inner_text()
    assert not _in_research_cohort(child.pk)
    assert_accessible(page)
    # Nothing internal shows: no codes of purposes or states.
    text = page.locator("main").inner_text()
    codes = ("never_asked", "ask_again", "clinical_care", "trial_contact", "data_linkage")
    assert not any(code in text for code in codes)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    screenshot(page, "consent-03-withdrawn-320px")
    assert Client().get(f"/records/{child.pk}/consent/").status_code == 302  # signed out: to the login
