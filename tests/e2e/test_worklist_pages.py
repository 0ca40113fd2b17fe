"""The worklist's pages in the browser, by keyboard alone (ADR 0028): Tab to "Next page", Enter, and on
through the list, then back by "Previous page" to the first page; every page lists different patients,
reads "Page N of M", and passes every check of page_checks.py (axe-core, names, 44 px targets,
keyboard). The screenshot is test-artifacts/screenshots/worklist-second-page.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.e2e.page_checks import page_problems
from tests.web.personas import AS_OF, Personas, log_in, make_personas

from smanav.patients import views
from smanav.patients.services import clinic_share_invite, patient_create

PAGE_SIZE = 3


@pytest.fixture
def live_people(transactional_db: Any, settings: Any) -> Personas:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    people = make_personas()
    # Twins with one name and one birth date, and others: eight patients in all with Ada, three pages.
    for name in ("Bea", "Bea", "Cal", "Dot", "Eli", "Fay", "Gus"):
        patient = patient_create(
            author=people.parent, display_name=name, document={"birth_date": "2019-05-05"}, as_of=AS_OF
        )
        clinic_share_invite(author=people.parent, patient_id=patient.pk, clinic=people.clinic)
    return people


def _press_tab_until(page: Any, name: str) -> None:
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"the keyboard never reached {name!r}")


def _names(page: Any) -> list[str]:
    return [cell.strip() for cell in page.locator("table.worklist tbody tr td:first-child").all_inner_texts()]


def test_the_worklist_is_walked_by_keyboard_page_after_page_and_back(
    page: Any, site: str, live_people: Personas, monkeypatch: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    monkeypatch.setattr(views, "WORKLIST_PAGE_SIZE", PAGE_SIZE)
    session = log_in(Client(), live_people.coordinator).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": site}])
    page.goto(site + "/clinic/?sort=name")
    assert (
        page.get_by_role("navigation", name="Pages of the worklist")
        .inner_text()
        .strip()
        .startswith("Page 1 of 3")
    )

    pages = [_names(page)]
    for number in (2, 3):
        _press_tab_until(page, "Next page")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert (
            f"Page {number} of 3" in page.get_by_role("navigation", name="Pages of the worklist").inner_text()
        )
        pages.append(_names(page))
        if number == 2:
            screenshot(page, "worklist-second-page")
            problems = page_problems(page, site)
            assert not problems, "\n".join(problems)
    assert page.get_by_role("link", name="Next page").count() == 0
    assert [name for names in pages for name in names] == [
        "Ada",
        "Bea",
        "Bea",
        "Cal",
        "Dot",
        "Eli",
        "Fay",
        "Gus",
    ]

    for number, names in ((2, pages[1]), (1, pages[0])):
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        _press_tab_until(page, "Previous page")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert _names(page) == names
        assert (
            f"Page {number} of 3" in page.get_by_role("navigation", name="Pages of the worklist").inner_text()
        )
    assert page.get_by_role("link", name="Previous page").count() == 0
    # The first page reached back has a plain address: no position in it.
    assert "after=" not in page.url and "before=" not in page.url
