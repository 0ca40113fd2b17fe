"""A member reads their notifications, marks them read and chooses how they are told, with the keyboard
alone; someone opens an e-mail's unsubscribe link without signing in. axe-core, names, 44 px targets and
reflow at 320 px on each page (`assert_accessible`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.page_checks import PHONE_WIDTH_PX, page_problems
from tests.web.community.notice_people import PASSWORD, comment_make, member_make, post_make

from smanav.community import notifications
from smanav.community.models import NotificationKind, Topic
from smanav.community.notices.delivery import choice_for
from smanav.community.unsubscribe import unsubscribe_token


def check(page: Any, site: str) -> None:
    """Every page check (axe-core, names, 44 px targets, keyboard), then reflow at 320 px."""
    problems = page_problems(page, site)
    assert not problems, "\n".join(problems)
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH_PX, "height": 640})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH_PX
    page.set_viewport_size(size)


def _press(page: Any, name: str, role: str = "button") -> None:
    page.locator("main").get_by_role(role, name=name).first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.django_db(transaction=True)
def test_a_member_reads_notifications_and_chooses_how_to_be_told_with_the_keyboard(
    page: Any, site: str, assert_accessible: Callable[[Any], None], screenshot: Callable[[Any, str], Path]
) -> None:
    topic = Topic.objects.get_or_create(slug="equipment-e2e", defaults={"name": "Equipment"})[0]
    ana, ben = member_make("Ana Lopez"), member_make("Ben")
    post = post_make(ana, topic)
    notifications.notify_reply(comment=comment_make(post, ben))
    notifications.notify_moderation(member=ana, text="Thank you for keeping to the guidelines.")

    page.goto(site + "/accounts/login/")
    page.get_by_label("Username", exact=True).fill("ana_lopez")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.goto(site + "/community/notifications/")
    main = page.locator("main")
    assert "You have 2 new notifications." in main.inner_text()
    assert "Ben replied in “Our first wheelchair”." in main.inner_text()
    assert "Notifications (2 new)" in " ".join(page.locator("nav").last.inner_text().split())
    check(page, site)
    screenshot(page, "notifications-01-inbox")

    _press(page, "Mark all as read")
    assert "All your notifications are marked as read." in main.inner_text()
    assert_accessible(page)

    _press(page, "Choose how you are told", role="link")
    check(page, site)
    screenshot(page, "notifications-02-settings")
    box = page.get_by_role("group", name="Replies to my posts and comments").get_by_label("E-mail me at once")
    box.focus()
    page.keyboard.press("Space")
    _press(page, "Save")
    assert "Your notification settings were saved." in main.inner_text()
    assert choice_for(member=ana, kind=NotificationKind.REPLY).email is False


@pytest.mark.django_db(transaction=True)
def test_an_unsubscribe_link_works_without_signing_in(
    page: Any, site: str, assert_accessible: Callable[[Any], None]
) -> None:
    cai = member_make("Cai")
    page.goto(
        f"{site}/community/unsubscribe/{unsubscribe_token(member_id=cai.pk, kind=NotificationKind.DIGEST)}/"
    )
    assert "Stop the weekly e-mail of the smanav community?" in page.locator("main").inner_text()
    check(page, site)
    _press(page, "Stop these e-mails")
    assert "The weekly e-mail is turned off." in page.locator("main").inner_text()
    assert_accessible(page)
    assert choice_for(member=cai, kind=NotificationKind.DIGEST).email is False
