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


def _tab_to(page: Any, target: Any, *, limit: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would (fails if it never does)."""
    seen = []
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.id || document.activeElement.tagName"))
    raise AssertionError(f"Tab never reached {target}; focus went through {seen}")


def _choose_by_arrows(page: Any, question: str, answer: str) -> None:
    """Tab into a group of radio buttons and press the down arrow until `answer` is chosen."""
    group = page.get_by_role("group", name=question)
    _tab_to(page, group.locator("input:checked"))
    choice = group.get_by_label(answer, exact=True)
    for _ in range(10):
        if choice.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not choose {answer!r} for {question!r}")


def _signup_link(email: str) -> str:
    from django.core import mail

    [message] = [m for m in mail.outbox if email in m.to]
    [line] = [line for line in message.body.splitlines() if "/accounts/signup/confirm/" in line]
    return line.strip()


@pytest.mark.django_db(transaction=True)
def test_a_new_family_goes_from_the_home_page_to_a_saved_record_with_its_care_plan_by_keyboard(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(site + "/")
    assert_accessible(page)
    screenshot(page, "family-01-home")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "family-01-home-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    _tab_to(page, page.locator("main").get_by_role("link", name="Create an account"))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("h1").inner_text() == "Create a family account"
    assert_accessible(page)
    screenshot(page, "family-02-signup")
    _tab_to(page, page.get_by_label("Email address", exact=True))
    page.keyboard.type("newparent@example.org")
    _tab_to(page, page.get_by_label("I have read and accept the privacy notice and the terms of use"))
    page.keyboard.press("Space")
    _tab_to(page, page.locator("main").get_by_role("button", name="Send me the link"))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("h1").inner_text() == "Check your email"
    assert_accessible(page)
    screenshot(page, "family-03-check-your-email")
    page.goto(_signup_link("newparent@example.org"))  # the link in the email

    assert page.locator("h1").inner_text() == "Finish your account"
    assert_accessible(page)
    _tab_to(page, page.get_by_label("User name", exact=True))
    page.keyboard.type("newparent")
    page.keyboard.press("Tab")
    page.keyboard.type("a long family passphrase")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("h1").inner_text() == "Add a record"
    assert_accessible(page)
    born = dt.date.today() - dt.timedelta(days=6)
    _tab_to(page, page.get_by_label("Name or nickname", exact=True))
    page.keyboard.type("Nora")
    for part in (str(born.day), str(born.month), str(born.year)):
        page.keyboard.press("Tab")
        page.keyboard.type(part)
    assert page.get_by_label("Where do you live?").input_value() == "UK"  # from the browser's en-GB
    # Each question starts at "I don't know" (the last choice): arrow keys move within a question.
    _choose_by_arrows(page, "SMN1 result", "No working SMN1 (0 copies)")
    _choose_by_arrows(page, "SMN2 copies", "2 copies")
    _choose_by_arrows(page, "Was it found by newborn screening (the heel-prick blood test)?", "Yes")
    _choose_by_arrows(page, "Are there signs of SMA now, such as weakness or floppiness?", "No")
    screenshot(page, "family-04-add-a-record")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "family-04-add-a-record-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    _tab_to(page, page.locator("main").get_by_role("button", name="Save and see what it means"))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("h1").inner_text() == "Nora"
    urgency = page.locator("#urgency").inner_text()
    assert "Urgent" in urgency
    assert page.locator("#therapies .therapy").count() >= 4
    assert page.locator("#care-plan").count() == 1
    assert "not a prescription" in page.locator("p.disclaimer").first.inner_text()
    main_text = page.locator("main").inner_text()
    assert '{"' not in main_text and "smn2_copies" not in main_text  # no JSON anywhere on the way
    assert_accessible(page)
    screenshot(page, "family-05-evaluation")

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
    screenshot(page, "family-06-after-pdf-download")

    page.get_by_label("Clinician detail").check()
    _submit(page, "Show")
    assert page.locator("#summary .reasons code").count() >= 1  # rule codes are shown in the clinician view
    assert_accessible(page)
    screenshot(page, "family-07-evaluation-clinician-view")


@pytest.mark.django_db(transaction=True)
def test_form_problems_are_named_next_to_their_fields(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    from smanav.accounts.services import user_create

    user_create(username="parent2", email="parent2@example.org", password="a long family passphrase")
    page.goto(site + "/accounts/login/")
    _type_into(page, "Username", "parent2")
    _type_into(page, "Password", "a long family passphrase")
    _submit(page, "Log in")
    page.goto(site + "/records/new/")
    _type_into(page, "Name or nickname", "Otto")
    page.get_by_label("Date of birth", exact=True).fill("2020-01-01")
    _type_into(page, "SMN2 copies", "12")
    _submit(page, "Save")
    error = page.locator(".field--error .field-error").first.inner_text()
    assert error == "SMN2 copies must be a whole number from 0 to 8"
    assert page.locator("#form-errors a[href='#id_genetics__smn2_copies']").count() == 1
    assert_accessible(page)
    screenshot(page, "family-08-form-problems")
