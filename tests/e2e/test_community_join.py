"""A new person signs up with the site's own sign-up, then joins the community with the keyboard alone:
from the home page's link to the community, a display name, the guidelines accepted, the profile with
its "show" switches. axe-core, 44 x 44 px targets and reflow at 320 px on each community page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.page_checks import PHONE_WIDTH_PX, target_size_problems

from smanav.community.models import Member


def _tab_to(page: Any, target: Any, *, limit: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would (fails if it never does)."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def _enter(page: Any, target: Any) -> None:
    _tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _signup_link(email: str) -> str:
    from django.core import mail

    [message] = [m for m in mail.outbox if email in m.to]
    [line] = [line for line in message.body.splitlines() if "/accounts/signup/confirm/" in line]
    return line.strip()


def _check(page: Any, assert_accessible: Callable[[Any], None]) -> None:
    assert_accessible(page)
    assert target_size_problems(page) == []
    page.set_viewport_size({"width": PHONE_WIDTH_PX, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH_PX
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_a_new_person_signs_up_and_joins_the_community_with_the_keyboard(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    page.goto(site + "/")
    _enter(page, page.locator("main").get_by_role("link", name="Talk with others who understand"))
    assert page.locator("h1").inner_text() == "Community"
    _check(page, assert_accessible)
    screenshot(page, "community-01-home-visitor")
    _enter(page, page.locator("main").get_by_role("link", name="Create an account"))

    _tab_to(page, page.get_by_label("Email address", exact=True))
    page.keyboard.type("newmember@example.org")
    _tab_to(page, page.get_by_label("I have read and accept the privacy notice and the terms of use"))
    page.keyboard.press("Space")
    _enter(page, page.locator("main").get_by_role("button", name="Send me the link"))
    page.goto(_signup_link("newmember@example.org"))
    _tab_to(page, page.get_by_label("User name", exact=True))
    page.keyboard.type("newmember")
    page.keyboard.press("Tab")
    page.keyboard.type("a long community passphrase")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Signed in: the navigation leads to the community, which offers to join.
    _enter(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Community"))
    _enter(page, page.locator("main").get_by_role("link", name="Join the community"))
    assert page.locator("h1").inner_text() == "Join the community"
    _check(page, assert_accessible)
    screenshot(page, "community-02-join")
    # Forgetting the guidelines is refused in the form's words, the name kept.
    _tab_to(page, page.get_by_label("Display name", exact=True))
    page.keyboard.type("Sam from Leeds")
    _enter(page, page.locator("main").get_by_role("button", name="Join the community"))
    assert "Read and accept the community guidelines to join." in page.locator("main").inner_text()
    assert_accessible(page)
    _tab_to(page, page.get_by_label("I have read the community guidelines and will follow them."))
    page.keyboard.press("Space")
    _enter(page, page.locator("main").get_by_role("button", name="Join the community"))

    assert page.locator("h1").inner_text() == "My community profile"
    _check(page, assert_accessible)
    screenshot(page, "community-03-profile-form")
    _tab_to(page, page.get_by_label("My relation to SMA", exact=True))
    page.keyboard.press("ArrowDown")  # the first relation: "I have SMA"
    _tab_to(page, page.locator("#id_show_relation"))
    page.keyboard.press("Space")
    _enter(page, page.locator("main").get_by_role("button", name="Save my profile"))

    assert page.locator("h1").inner_text() == "Sam from Leeds"
    assert "I have SMA" in page.locator("main").inner_text()
    _check(page, assert_accessible)
    screenshot(page, "community-04-my-profile")
    member = Member.objects.get(display_name="Sam from Leeds")
    assert member.relation == "person_with_sma" and member.show_relation
    assert member.sma_type == "" and not member.show_sma_type
