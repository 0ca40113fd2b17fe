"""Reading an article with the keyboard alone, and printing it.

Every library page also passes the checks of test_every_page.py; these follow one reader: from the
index to an article by Tab and Enter, to a section by its entry in "On this page", and the article as it
prints (no menus, forms or related articles; each link followed by where it leads).
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_TABS = 60


def tab_until(page: Any, text: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => (document.activeElement.textContent || '').trim()") == text:
            return
    raise AssertionError(f"Tab never reached {text!r}")


def test_an_article_is_read_with_the_keyboard_alone(page: Any, site: str) -> None:
    page.goto(f"{site}/library/")
    tab_until(page, "Breathing support in SMA")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/library/breathing-support/")
    tab_until(page, "Clearing the airway")
    page.keyboard.press("Enter")
    assert page.url.endswith("#clearing-the-airway")
    # The heading is in view: the reader lands on the section, not just the address.
    top = page.evaluate("() => document.getElementById('clearing-the-airway').getBoundingClientRect().top")
    assert 0 <= top < 300


def test_an_article_prints_without_menus_and_with_link_addresses(page: Any, site: str) -> None:
    page.goto(f"{site}/library/breathing-support/")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.site-header', '.toc', '.article-tools', '.related', '.print-hint']
            .map((s) => document.querySelector(s))
            .filter((el) => el && getComputedStyle(el).display !== 'none')
            .map((el) => el.className)"""
    )
    assert hidden == []
    after = page.evaluate(
        """() => getComputedStyle(document.querySelector('.article-body a[href^="/"]'), '::after').content"""
    )
    assert after.startswith('" (/')
    assert page.locator(".review-status").is_visible()
    assert page.locator(".article-sources").is_visible()
