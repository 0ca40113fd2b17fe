"""Keyboard-only journeys through the public pages, with axe-core on every page and a screenshot each.

Many of our users cannot use a mouse, so these tests never click: they Tab, type and press keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.page_checks import PHONE_WIDTH_PX

RECORD: dict[str, Any] = {
    "id": "browser-test",
    "region": "US",
    "birth_date": "2026-10-01",
    "genetics": {"smn1_copies": 0, "smn2_copies": 2, "method": "newborn_screening"},
    "clinical": {"symptomatic": False},
}

MAX_TABS = 80


def focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                return {tag: el.tagName.toLowerCase(), id: el.id || "", type: el.type || "",
                        name: el.name || "", value: el.value || "", text: (el.textContent || "").trim()};
            }"""
        )
    )


def tab_to(page: Any, wanted: Callable[[dict[str, str]], bool], what: str) -> None:
    """Press Tab until the focused element is `wanted`, like a keyboard user would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if wanted(focused(page)):
            return
    pytest.fail(f"could not reach {what} with the Tab key in {MAX_TABS} presses")


def test_the_skip_link_comes_first_and_is_visible_on_focus(page: Any, site: str) -> None:
    page.goto(site + "/evaluate/")
    page.keyboard.press("Tab")
    current = focused(page)
    assert current["tag"] == "a" and "Skip to main content" in current["text"]
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] >= 24
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.parametrize("path", ["/", "/triage/", "/sources/"])
def test_public_pages_fit_a_phone_without_sideways_scrolling(page: Any, site: str, path: str) -> None:
    page.set_viewport_size({"width": PHONE_WIDTH_PX, "height": 640})
    page.goto(site + path)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH_PX


def test_evaluate_a_record_with_the_keyboard_only(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(site + "/evaluate/")
    assert_accessible(page)
    screenshot(page, "home")

    tab_to(page, lambda el: el["id"] == "id_record", "the record text area")
    page.keyboard.insert_text(json.dumps(RECORD, indent=2))
    tab_to(page, lambda el: el["tag"] == "button" and el["type"] == "submit", "the Evaluate button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("h1").inner_text().startswith("Evaluation")
    for heading in ("How urgent", "Diagnosis", "Treatment options", "Alerts", "Care plan", "Please read"):
        assert page.get_by_role("heading", name=heading, exact=True).count() == 1, heading
    assert page.locator("article.panel").count() >= 4  # the four contract therapies, and agents in trials
    assert page.locator("a[href^='/sources/#source-']").count() > 0
    assert_accessible(page)
    screenshot(page, "evaluation")


def test_problems_are_announced_next_to_the_form(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(site + "/evaluate/")
    tab_to(page, lambda el: el["id"] == "id_record", "the record text area")
    page.keyboard.insert_text(json.dumps({**RECORD, "genetics": {"smn2_copies": 12}, "colour": "blue"}))
    tab_to(page, lambda el: el["tag"] == "button" and el["type"] == "submit", "the Evaluate button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    problems = page.locator("#record-problems")
    assert "genetics.smn2_copies" in problems.inner_text()
    assert "colour" in problems.inner_text()
    assert page.locator("#id_record").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    screenshot(page, "evaluation-problems")


def test_triage_with_the_keyboard_only(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(site + "/triage/")
    assert_accessible(page)
    screenshot(page, "triage")

    tab_to(page, lambda el: el["name"] == "age_years", "the age field")
    page.keyboard.type("52")
    tab_to(page, lambda el: el["name"] == "symptoms" and el["value"] == "low_back_pain", "low back pain")
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["name"] == "history" and el["value"] == "spinal_surgery", "spinal surgery")
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["tag"] == "button" and el["type"] == "submit", "the submit button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("h1").inner_text() == "What your answers suggest"
    assert page.get_by_role("heading", name="What to do", exact=True).count() == 1
    assert_accessible(page)
    screenshot(page, "triage-result")


def test_the_sources_page_is_accessible(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(site + "/sources/")
    assert page.locator("ol.bibliography > li").count() > 0
    assert_accessible(page)
    screenshot(page, "sources")


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_red_flag_result_shows_the_number_to_call_first(
    page: Any,
    site: str,
    width: int,
    height: int,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    """Seek emergency care now, and the UK number, on the first screen at desktop and phone width."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(site + "/triage/")
    screenshot(page, f"triage-form-{width}")
    page.get_by_label("Age in years", exact=True).fill("47")
    page.locator("input[name='region'][value='UK']").check()
    page.locator("input[name='symptoms'][value='saddle_numbness']").check()
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="See what the answers suggest").click()

    assert page.locator("h1").inner_text() == "Seek emergency care now"
    call = page.get_by_role("link", name="Call 999", exact=True)
    box = call.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= height, "the number to call is on the first screen"
    assert box["height"] >= 44 and box["width"] >= 44
    assert call.get_attribute("href") == "tel:999"
    main = page.locator("main").inner_text()
    assert len(re.findall(r"\b999\b", main)) == 1
    assert main.index("999") < main.index("What the answers suggest")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    screenshot(page, f"triage-emergency-{width}")
