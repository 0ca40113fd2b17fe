"""A parent signs up, adds their newborn from a newborn-screening result, and sees the urgent
evaluation. Keyboard only (focus, type, Enter), axe-core on every page, a screenshot of each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def _type_into(page: Any, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.focus()
    page.keyboard.type(text)


def _choose(page: Any, label: str, option_label: str) -> None:
    page.get_by_label(label, exact=True).select_option(label=option_label)


def _submit(page: Any, name: str) -> None:
    page.locator("main").get_by_role("button", name=name, exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.django_db(transaction=True)
def test_parent_signs_up_and_sees_the_urgent_evaluation_of_a_screened_newborn(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(site + "/accounts/signup/")
    assert_accessible(page)
    screenshot(page, "family-01-signup")
    _type_into(page, "Username", "newparent")
    _type_into(page, "Email address", "newparent@example.org")
    _type_into(page, "Password", "a long family passphrase")
    _submit(page, "Create account")

    assert page.get_by_role("heading", name="My records").count() == 1
    assert_accessible(page)
    screenshot(page, "family-02-dashboard")
    page.get_by_role("link", name="Add a record").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert_accessible(page)
    born = dt.date.today() - dt.timedelta(days=6)
    _type_into(page, "Name or nickname", "Nora")
    page.get_by_label("Date of birth", exact=True).fill(born.isoformat())
    _choose(page, "Region (for treatment approvals)", "United States")
    _type_into(page, "SMN1 copies", "0")
    _type_into(page, "SMN2 copies", "2")
    _choose(page, "Test method", "Newborn screening")
    _choose(page, "Has symptoms of SMA", "No")
    screenshot(page, "family-03-new-record")
    _submit(page, "Save")

    assert page.locator("h1").inner_text() == "Nora"
    urgency = page.locator("#urgency").inner_text()
    assert "Urgent" in urgency
    assert (
        page.locator("#therapies .therapy").count() >= 4
    )  # the four contract therapies, and agents in trials
    assert page.locator("#care-plan").count() == 1
    assert "not a prescription" in page.locator("p.disclaimer").first.inner_text()
    assert_accessible(page)
    screenshot(page, "family-04-evaluation")

    pdf_link = page.get_by_role("link", name="Download the care plan (PDF)")
    pdf_link.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf_path = Path(download.path())
    assert pdf_path.read_bytes().startswith(b"%PDF")
    # Kept beside the screenshots so a person can read the document the family downloads.
    download.save_as(Path(__file__).resolve().parents[2] / "test-artifacts" / "family-care-plan.pdf")
    screenshot(page, "family-05-after-pdf-download")

    page.get_by_label("Clinician detail").check()
    _submit(page, "Show")
    assert page.locator("#summary .reasons code").count() >= 1  # rule codes are shown in the clinician view
    assert_accessible(page)
    screenshot(page, "family-06-evaluation-clinician-view")


@pytest.mark.django_db(transaction=True)
def test_form_problems_are_named_next_to_their_fields(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(site + "/accounts/signup/")
    _type_into(page, "Username", "parent2")
    _type_into(page, "Email address", "parent2@example.org")
    _type_into(page, "Password", "a long family passphrase")
    _submit(page, "Create account")
    page.goto(site + "/records/new/")
    _type_into(page, "Name or nickname", "Otto")
    page.get_by_label("Date of birth", exact=True).fill("2020-01-01")
    _type_into(page, "SMN2 copies", "12")
    _submit(page, "Save")
    error = page.locator(".field--error .field-error").first.inner_text()
    assert error == "SMN2 copies must be a whole number from 0 to 8"
    assert page.locator("#form-errors a[href='#id_genetics__smn2_copies']").count() == 1
    assert_accessible(page)
    screenshot(page, "family-07-form-problems")
