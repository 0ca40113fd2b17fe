"""Reports hide a post and a moderator restores it, keyboard only: two members report a post from its
page, it is hidden; a moderator passes the second factor, finds it first in the queue and restores it
with a reason; members read it again. A post about self-harm sends its writer to the support lines.
axe-core, names, 44 px targets and reflow at 320 px on each moderation page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.e2e.page_checks import PHONE_WIDTH_PX, page_problems
from tests.web.community.moderation_people import PASSWORD, make_member, make_moderator, make_post

from smanav.community.models import ModerationAction, ModerationKind, Post, Status, Topic


def check(page: Any, site: str) -> None:
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


def _type_into(page: Any, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def _log_in(page: Any, site: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(site + "/accounts/login/")
    _type_into(page, "Username", username)
    _type_into(page, "Password", PASSWORD)
    _press(page, "Log in")


def _code(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 2


@pytest.mark.django_db(transaction=True)
def test_reports_hide_a_post_and_a_moderator_restores_it_with_the_keyboard(
    page: Any,
    site: str,
    fast_passwords: None,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    author = make_member("Ana")
    make_member("Rob")
    make_member("Ria")
    moderator = make_moderator("Mona")
    post = make_post(author, title="Our first wheelchair", body="It arrived today and it tilts.")
    post_url = f"{site}/community/posts/{post.pk}/"

    for reporter in ("rob", "ria"):
        _log_in(page, site, reporter)
        page.goto(post_url)
        _press(page, "Report this post", role="link")
        assert "Report to the moderators" in page.locator("h1").inner_text()
        check(page, site)
        if reporter == "rob":
            screenshot(page, "moderation-01-report")
        page.get_by_label("Unkind or abusive", exact=True).focus()
        page.keyboard.press("Space")
        _press(page, "Send the report")
        assert "Thank you" in page.locator("main").inner_text()
        assert_accessible(page)

    post.refresh_from_db()
    assert post.status == Status.HIDDEN
    # Hidden: the post is not found for members (asked without a page load, which would log a 404).
    assert page.request.get(post_url).status == 404

    _log_in(page, site, "mona")
    page.goto(site + "/community/moderation/")
    assert "/accounts/two-factor/" in page.url
    _type_into(page, "6-digit code from your authenticator app", _code(moderator.user))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/community/moderation/")
    first = page.locator("main article").first
    assert "Our first wheelchair" in first.inner_text()
    assert "Unkind or abusive (2)" in first.inner_text()
    check(page, site)
    screenshot(page, "moderation-02-queue")
    first.get_by_label("Reason (the member is told it; needed to hide or restore)").focus()
    page.keyboard.type("Nothing unkind in it.")
    _press(page, "Restore")
    assert "Done. The member is told." in page.locator("main").inner_text()
    assert "Nothing waits for a moderator." in page.locator("main").inner_text()
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert ModerationAction.objects.filter(
        kind=ModerationKind.RESTORE, post=post, moderator=moderator
    ).exists()

    _press(page, "Moderator actions", role="link")
    assert "Nothing unkind in it." in page.locator("main").inner_text()
    check(page, site)
    screenshot(page, "moderation-03-audit")

    _log_in(page, site, "rob")
    assert page.goto(post_url).status == 200
    assert "It arrived today" in page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_post_about_self_harm_waits_and_shows_the_support_lines(
    page: Any, site: str, fast_passwords: None, screenshot: Callable[[Any, str], Path]
) -> None:
    make_member("Sam")
    Topic.objects.get_or_create(slug="living-e2e", defaults={"name": "Everyday life"})
    _log_in(page, site, "sam")
    page.set_extra_http_headers({"Accept-Language": "en-GB,en;q=0.8"})
    page.goto(site + "/community/write/")
    page.get_by_label("Topic", exact=True).select_option(label="Everyday life")
    _type_into(page, "Title", "A hard week")
    _type_into(page, "Text", "Some days I want to end my life.")
    _press(page, "Publish")
    assert page.url.endswith("/community/support/")
    main = page.locator("main").inner_text()
    assert "Call 116 123" in main and "Samaritans" in main and "local emergency number" in main
    check(page, site)
    screenshot(page, "moderation-04-support-lines")
    assert Post.objects.get(title="A hard week").status == Status.PENDING
