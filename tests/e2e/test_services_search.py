"""The services finder and the trial finder in a real browser: keyboard only, axe-core on every page."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from smanav.geo.models import Place
from smanav.geo.names import name_key

MAX_TABS = 80


@pytest.fixture
def demo_directory(transactional_db: None) -> None:
    Place.objects.create(
        geonameid=4560349,
        name="Philadelphia",
        key=name_key("Philadelphia"),
        country_code="US",
        admin1="PA",
        latitude=39.95233,
        longitude=-75.16379,
        population=1603797,
    )
    call_command("directory_demo_load", stdout=StringIO())


def focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate("""() => { const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), id: el.id || "", type: el.type || "", name: el.name || "",
                value: el.value || ""}; }""")
    )


def tab_to(page: Any, wanted: Callable[[dict[str, str]], bool], what: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if wanted(focused(page)):
            return
    pytest.fail(f"could not reach {what} with the Tab key")


def test_search_services_with_the_keyboard_only(
    page: Any,
    site: str,
    demo_directory: None,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page.goto(site + "/services/")
    assert page.locator("script").count() == 0  # the page needs no JavaScript
    assert_accessible(page)
    tab_to(page, lambda el: el["name"] == "near", "the place field")
    page.keyboard.type("Philadelphia")
    tab_to(
        page, lambda el: el["name"] == "discipline" and el["value"] == "gene_therapy_infusion", "gene therapy"
    )
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["tag"] == "button" and el["type"] == "submit", "the Search button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    heading = page.locator("#results-heading").inner_text()
    assert heading.startswith("1 place near Philadelphia")
    assert "SAMPLE Delaware Valley SMA Clinic" in page.locator("ol.results").inner_text()
    assert "CC BY 4.0" in page.locator("footer").inner_text()
    assert_accessible(page)
    screenshot(page, "services-results")

    page.goto(site + "/services/?near=Philadelfia")
    assert page.locator("#results-heading").inner_text() == "We could not find that place"
    with page.expect_navigation():
        page.get_by_role("link", name="Philadelphia, Pennsylvania, United States").click()
    assert "near Philadelphia, Pennsylvania, United States" in page.locator("#results-heading").inner_text()
    assert_accessible(page)
    screenshot(page, "services-suggestions")


@pytest.fixture
def springfields(demo_directory: None) -> None:
    """Two Springfields of comparable size (GeoNames' rows): a name to choose from."""
    for geonameid, admin1, lat, lon, population in [
        (4951788, "MA", 42.10148, -72.58981, 153703),
        (4250542, "IL", 39.80172, -89.64371, 116250),
    ]:
        Place.objects.create(
            geonameid=geonameid,
            name="Springfield",
            key=name_key("Springfield"),
            country_code="US",
            admin1=admin1,
            latitude=lat,
            longitude=lon,
            population=population,
        )


@pytest.mark.browser_context_args(locale="en-US")
def test_a_us_reader_chooses_a_springfield_and_reads_miles(
    page: Any,
    site: str,
    springfields: None,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page.goto(site + "/services/")
    assert page.locator("#id_unit_1").is_checked()  # miles, shown as chosen
    assert "United States (from your browser's language)" in page.locator("#country-hint").inner_text()
    tab_to(page, lambda el: el["name"] == "near", "the place field")
    page.keyboard.type("Springfield")
    tab_to(page, lambda el: el["tag"] == "button" and el["type"] == "submit", "the Search button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("#results-heading").inner_text() == "Which “Springfield” do you mean?"
    choices = page.locator("#results-heading ~ .notice a").all_inner_texts()
    assert choices == ["Springfield, Massachusetts, United States", "Springfield, Illinois, United States"]
    assert_accessible(page)
    screenshot(page, "services-choose-a-place")

    tab_to(
        page,
        lambda el: el["tag"] == "a" and "Springfield%2C+MA" in page.evaluate("document.activeElement.href"),
        "the Massachusetts choice",
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    heading = page.locator("#results-heading").inner_text()
    assert heading.endswith("near Springfield, Massachusetts, United States")
    # Boston is 80 miles away: inside the 100 miles a US reader starts with (100 km would miss it).
    assert "Within 100 miles" in page.locator(".meta").first.inner_text()
    results = page.locator("ol.results").inner_text()
    assert "SAMPLE Northeast Neuromuscular Centre" in results and "miles away" in results
    assert " km away" not in results
    assert_accessible(page)
    screenshot(page, "services-results-in-miles")


def test_trial_finder_page_is_accessible(
    page: Any,
    site: str,
    demo_directory: None,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page.goto(site + "/trials/")
    assert_accessible(page)
    page.fill("#id_birth_date", "2021-03-01")
    page.fill("#id_smn1_copies", "0")
    page.fill("#id_smn2_copies", "3")
    page.check("#id_motor_2")
    with page.expect_navigation():
        page.get_by_role("button", name="Show trials").click()
    assert (
        page.get_by_role("heading", name="[SAMPLE] Demonstration study B in children who can sit").count()
        == 1
    )
    assert_accessible(page)
    screenshot(page, "trials-results")


def test_a_folded_trial_record_opens_from_the_keyboard_at_phone_width(
    page: Any,
    site: str,
    demo_directory: None,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    """A trial that does not fit keeps the record's criteria folded; a keyboard user opens them."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site + "/trials/")
    page.fill("#id_birth_date", "2021-03-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Show trials").click()
    card = page.locator(
        "article", has=page.get_by_role("heading", name="[SAMPLE] Demonstration study C in adults who walk")
    )
    exclusion = card.get_by_text("Pregnancy or breastfeeding")
    assert not exclusion.is_visible()
    summary = card.locator("summary")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if summary.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the folded criteria cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    assert exclusion.is_visible()
    assert summary.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    screenshot(page, "trials-results-phone")
