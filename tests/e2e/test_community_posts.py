"""A member writes a post with a picture, keyboard only: the draft survives a reload of the page, the
picture's location is gone once published; another member replies. axe-core and 44 px targets on each
page of the way."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.e2e.page_checks import target_size_problems
from tests.web.community.post_members import a_topic, make_member
from tests.web.personas import log_in

from smanav.community.models import Comment, Draft, Post


def _tab_to(page: Any, target: Any, *, limit: int = 80) -> None:
    seen = []
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.id || document.activeElement.tagName"))
    raise AssertionError(f"Tab never reached {target}; focus went through {seen}")


def _signed_in(browser: Any, site: str, member: Any) -> Any:
    from django.test import Client

    cookie = log_in(Client(), member.user).cookies["sessionid"].value
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": site}])
    return context.new_page()


def _checked(page: Any, assert_accessible: Callable[[Any], None]) -> None:
    assert_accessible(page)
    assert target_size_problems(page) == []


def _photo_with_location(path: Path) -> Path:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 140, 90)).save(out, format="JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.django_db(transaction=True)
def test_a_member_writes_a_post_with_a_picture_by_keyboard_and_another_replies(
    browser: Any,
    site: str,
    tmp_path: Path,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    a_topic()
    ana, ben = make_member("Ana"), make_member("Ben")
    page = _signed_in(browser, site, ana)
    page.goto(site + "/community/")
    _checked(page, assert_accessible)
    _tab_to(page, page.locator("main").get_by_role("link", name="Write a post"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Write a post"
    _checked(page, assert_accessible)

    _tab_to(page, page.get_by_label("Topic"))
    page.get_by_label("Topic").select_option(label="Equipment")  # a select's options by keyboard: its own
    _tab_to(page, page.get_by_label("Title"))
    page.keyboard.type("Our new standing frame")
    _tab_to(page, page.get_by_label("Text", exact=True))
    page.keyboard.type("It took **months** to get funded, but it was worth it.")
    page.keyboard.press("Tab")  # leaving the field saves the draft
    page.get_by_text("Draft saved at").wait_for()
    for _ in range(50):  # an earlier save (on leaving the title) may have shown the message first
        draft = Draft.objects.filter(member=ana).first()
        if draft is not None and draft.body.startswith("It took **months**"):
            break
        page.wait_for_timeout(200)
    else:
        raise AssertionError("the draft was not saved as the member typed")

    page.reload()
    assert page.get_by_label("Text", exact=True).input_value().startswith("It took **months**")
    assert page.get_by_label("Title").input_value() == "Our new standing frame"

    picture = page.get_by_label("Picture (optional)")
    _tab_to(page, picture)
    # The keyboard reaches the picture field; what Space opens there is the browser's own file
    # dialog (headless Chromium opens it only now and then), so the file is handed to the field.
    picture.set_input_files(str(_photo_with_location(tmp_path / "frame.jpg")))
    _tab_to(page, page.get_by_label("Describe the picture"))
    page.keyboard.type("Our daughter standing in her green frame in the kitchen")
    screenshot(page, "community-01-composer")
    _tab_to(page, page.locator("main").get_by_role("button", name="Publish", exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    post = Post.objects.get()
    assert page.locator("h1").inner_text() == "Our new standing frame"
    image = page.locator("main img")
    assert image.get_attribute("alt") == "Our daughter standing in her green frame in the kitchen"
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert not Image.open(io.BytesIO(bytes(post.picture.data))).getexif()
    assert not Draft.objects.exists()
    _checked(page, assert_accessible)
    screenshot(page, "community-02-post")

    other = _signed_in(browser, site, ben)
    other.goto(f"{site}/community/posts/{post.pk}/")
    _tab_to(other, other.get_by_label("Your reply"))
    other.keyboard.type("That frame looks great. Which funder said yes?")
    _tab_to(other, other.locator("main").get_by_role("button", name="Publish reply"))
    with other.expect_navigation():
        other.keyboard.press("Enter")
    reply = Comment.objects.get()
    assert other.locator(f"#reply-{reply.pk}").get_by_text("Which funder said yes?").is_visible()
    _checked(other, assert_accessible)
    other.set_viewport_size({"width": 320, "height": 800})
    assert other.evaluate("() => document.documentElement.scrollWidth") <= 320
    screenshot(other, "community-03-reply-phone")
    # Closed before the live server stops, so that no late request (a picture, a draft) reaches it.
    other.context.close()
    page.context.close()
