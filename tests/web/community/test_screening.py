"""Screening: what publishes, what waits for a moderator, what is refused with a message. Screening
saves nothing, ever: every refusal leaves the tables as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from tests.web.community.moderation_people import make_comment, make_member, make_moderator, make_post

from smanav.community.models import (
    Comment,
    Flag,
    ModerationAction,
    Picture,
    Post,
    Status,
    TrustLevel,
    WatchedWord,
    WatchedWordAction,
)
from smanav.community.screening import (
    Screening,
    honeypot_filled,
    link_count,
    mentions_self_harm,
    screen_submission,
    trust_level_of,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Post, Comment, Flag, ModerationAction, WatchedWord))


def _screen(member: Any, text: str, *, picture: bool = False, comment: bool = False) -> Screening:
    return screen_submission(member=member, text=text, has_picture=picture, is_comment=comment)


def assert_refused_and_nothing_saved(member: Any, text: str, *, needle: str, **kwargs: Any) -> None:
    before = _counts()
    result = _screen(member, text, **kwargs)
    assert result.refused, result
    assert result.status is None
    assert needle in result.message
    assert _counts() == before


def test_a_member_in_good_standing_publishes() -> None:
    member = make_member("Ada")
    assert _screen(member, "Our physio suggested a standing frame.") == Screening(status=Status.PUBLISHED)


def test_a_new_members_posts_and_replies_wait_for_a_moderator() -> None:
    newcomer = make_member("Nell", trust=TrustLevel.NEW)
    for is_comment in (False, True):
        result = _screen(newcomer, "Hello everyone, we are new here.", comment=is_comment)
        assert result.status == Status.PENDING
        assert "moderator" in result.message


def test_a_silenced_member_is_refused_until_the_date() -> None:
    member = make_member("Sid")
    member.silenced_until = timezone.now() + dt.timedelta(days=2)
    member.save()
    assert_refused_and_nothing_saved(member, "Anything at all.", needle="paused your posting")
    member.silenced_until = timezone.now() - dt.timedelta(minutes=1)
    member.save()
    assert _screen(member, "Anything at all.").status == Status.PUBLISHED


def test_posts_an_hour_are_counted_in_the_database(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_POSTS_PER_HOUR = 2
    member = make_member("Rae")
    make_post(member, body="first")
    make_post(member, body="second", created_at=timezone.now() - dt.timedelta(minutes=59))
    make_post(member, body="old", created_at=timezone.now() - dt.timedelta(minutes=61))
    assert_refused_and_nothing_saved(member, "A third post this hour.", needle="2 posts in the last hour")
    # Replies have their own, larger allowance.
    assert _screen(member, "A reply is still fine.", comment=True).status == Status.PUBLISHED


def test_replies_an_hour_are_limited_too(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_COMMENTS_PER_HOUR = 1
    member = make_member("Ray")
    make_comment(make_post(make_member("Other")), member)
    assert_refused_and_nothing_saved(
        member, "Another reply.", needle="1 reply in the last hour", comment=True
    )


def test_the_same_text_twice_in_a_day_is_refused_whatever_the_spacing_and_capitals() -> None:
    member = make_member("Dee")
    make_post(member, body="Does anyone know a good wheelchair repair shop in Leeds?")
    assert_refused_and_nothing_saved(
        member, "does anyone know a good   wheelchair repair shop in LEEDS?", needle="already posted"
    )
    # As a reply too, and only the member's own texts count.
    assert_refused_and_nothing_saved(
        member,
        "Does anyone know a good wheelchair repair shop in Leeds?",
        needle="already posted",
        comment=True,
    )
    assert _screen(make_member("Eve"), "Does anyone know a good wheelchair repair shop in Leeds?").status == (
        Status.PUBLISHED
    )


def test_a_post_sent_again_with_its_title_is_a_duplicate() -> None:
    member = make_member("Pat")
    make_post(member, title="Power chair advice", body="Which power chair tilts the furthest back?")
    assert_refused_and_nothing_saved(
        member, "Power chair advice\n\nWhich power chair tilts the furthest back?", needle="already posted"
    )


def test_short_thanks_may_be_said_twice_and_old_texts_do_not_count() -> None:
    member = make_member("Tia")
    make_comment(make_post(make_member("Other")), member, body="Thank you!")
    assert _screen(member, "Thank you!", comment=True).status == Status.PUBLISHED
    make_post(
        member,
        body="A long text written two days ago, word for word.",
        created_at=timezone.now() - dt.timedelta(days=2),
    )
    assert _screen(member, "A long text written two days ago, word for word.").status == Status.PUBLISHED


def test_too_many_links_for_the_trust_level_are_refused(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_LINKS_MEMBER = 2
    member = make_member("Lou")
    two = "See https://example.org/a and www.example.org/b"
    three = two + " and http://example.net/c"
    assert link_count(three) == 3
    assert _screen(member, two).status == Status.PUBLISHED
    assert_refused_and_nothing_saved(member, three, needle="at most 2 links")


def test_a_new_member_may_add_fewer_links(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_LINKS_NEW = 0
    newcomer = make_member("Ned", trust=TrustLevel.NEW)
    assert_refused_and_nothing_saved(newcomer, "Look at https://shop.example.com", needle="at most 0 links")


def test_pictures_a_day_are_limited_until_trusted(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_PICTURES_PER_DAY = 1
    member = make_member("Pia")
    post = make_post(member)
    post.picture = Picture.objects.create(
        owner=member, content_type="image/png", data=b"x", width=1, height=1, alt_text="a chair"
    )
    post.save()
    assert_refused_and_nothing_saved(member, "Another picture today.", needle="pictures today", picture=True)
    assert _screen(member, "Text alone is fine.").status == Status.PUBLISHED
    trusted = make_member("Tom", trust=TrustLevel.TRUSTED)
    trusted_post = make_post(trusted)
    trusted_post.picture = post.picture
    trusted_post.save()
    assert _screen(trusted, "My second picture today.", picture=True).status == Status.PUBLISHED


def test_watched_words_hold_or_refuse() -> None:
    member = make_member("Wes")
    WatchedWord.objects.create(word="miracle cure", action=WatchedWordAction.REVIEW)
    WatchedWord.objects.create(word="casino", action=WatchedWordAction.BLOCK)
    held = _screen(member, "Is this a Miracle  Cure for SMA?")
    assert held.status == Status.PENDING
    assert_refused_and_nothing_saved(member, "Best CASINO bonus here", needle='"casino"')
    # Whole words only: a word inside another word is not the word.
    assert _screen(member, "We went to the casinos' car park.").status == Status.PUBLISHED


def test_words_about_self_harm_hold_the_post_and_ask_for_support_lines() -> None:
    member = make_member("Sam", trust=TrustLevel.TRUSTED)
    result = _screen(member, "Some days I just want to die, I can't do this anymore.")
    assert result.status == Status.PENDING
    assert result.mentions_self_harm
    assert "listen" in result.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I have been thinking about suicide", True),
        ("I don’t want to live like this", True),
        ("Sometimes I hurt myself", True),
        ("He is better off without me", True),
        ("The drug helped my son's breathing", False),
        ("We are dying to see the new chair", False),
    ],
)
def test_self_harm_phrases(text: str, expected: bool) -> None:
    assert mentions_self_harm(text) is expected


def test_trust_comes_with_published_posts_and_days(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_TRUST_AFTER_POSTS = 2
    settings.SMANAV_COMMUNITY_TRUST_AFTER_DAYS = 10
    veteran = make_member("Vic", joined_days_ago=11)
    recent = make_member("Rex", joined_days_ago=3)
    for member in (veteran, recent):
        make_post(member, body="one")
        make_comment(make_post(make_member(f"Peer{member.pk}")), member, body="two")
    assert trust_level_of(veteran) == TrustLevel.TRUSTED
    assert trust_level_of(recent) == TrustLevel.MEMBER
    # A new member is promoted by approvals only, however old the account.
    assert trust_level_of(make_member("Old", trust=TrustLevel.NEW, joined_days_ago=400)) == TrustLevel.NEW
    # A moderator counts as trusted.
    assert trust_level_of(make_moderator()) == TrustLevel.TRUSTED


def test_the_honeypot_field() -> None:
    assert honeypot_filled({"website": "http://spam.example"})
    assert not honeypot_filled({"website": "  "})
    assert not honeypot_filled({})
