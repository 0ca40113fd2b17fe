"""Moderation's pages through the test client: who may see them, and what a form does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.community.moderation_people import (
    client_for,
    make_comment,
    make_member,
    make_moderator,
    make_post,
)

from smanav.community.models import Flag, FlagReason, ModerationAction, ModerationKind, Status, WatchedWord
from smanav.community.services.moderation import moderator_revoke

pytestmark = pytest.mark.django_db

MODERATOR_PAGES = ["moderation_queue", "moderation_audit", "moderation_watched_words"]


@pytest.mark.parametrize("name", MODERATOR_PAGES)
def test_moderator_pages_need_a_signed_in_moderator_past_a_second_factor(name: str) -> None:
    url = reverse(f"community:{name}")
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(make_member("Plain")).get(url).status_code == 404
    moderator = make_moderator()
    unverified = client_for(moderator, verified=False).get(url)
    assert unverified.status_code == 302 and reverse("accounts:two_factor") in unverified["Location"]
    assert client_for(moderator).get(url).status_code == 200


def test_a_revoked_moderator_no_longer_sees_the_queue() -> None:
    moderator = make_moderator()
    moderator_revoke(member=moderator, reason="stepped down")
    assert client_for(moderator).get(reverse("community:moderation_queue")).status_code == 404


def test_members_report_and_enough_reports_hide_a_post_that_a_moderator_restores(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 2
    author = make_member("Author")
    post = make_post(author, title="Our first wheelchair", body="It arrived today.")
    url = reverse("community:report_post", args=[post.pk])
    for name in ("R1", "R2"):
        client = client_for(make_member(name))
        page = client.get(url)
        assert page.status_code == 200
        assert "Medical misinformation" in page.content.decode()
        response = client.post(url, {"reason": FlagReason.UNKIND, "note": "rude"})
        assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.HIDDEN
    # Hidden: nobody can report it again; the moderators see it.
    assert client_for(make_member("R3")).get(url).status_code == 404
    moderator = make_moderator()
    moderator_client = client_for(moderator)
    queue = moderator_client.get(reverse("community:moderation_queue")).content.decode()
    assert "Our first wheelchair" in queue and "Unkind or abusive (2)" in queue
    response = moderator_client.post(
        reverse("community:moderation_decide_post", args=[post.pk]),
        {"decision": "restore", "reason": "Nothing unkind in it."},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert ModerationAction.objects.filter(kind=ModerationKind.RESTORE, post=post).exists()
    assert (
        "Nothing waits for a moderator."
        in moderator_client.get(reverse("community:moderation_queue")).content.decode()
    )


def test_a_report_form_without_a_reason_names_the_field_and_saves_nothing() -> None:
    post = make_post(make_member("Author"))
    response = client_for(make_member("R1")).post(
        reverse("community:report_post", args=[post.pk]), {"note": "x"}
    )
    assert response.status_code == 200
    assert "What is wrong?" in response.content.decode()
    assert not Flag.objects.exists()


def test_a_self_harm_report_leads_to_the_support_lines() -> None:
    comment = make_comment(make_post(make_member("Author")), make_member("Writer"))
    response = client_for(make_member("Friend")).post(
        reverse("community:report_comment", args=[comment.pk]), {"reason": FlagReason.SELF_HARM}
    )
    assert response["Location"] == reverse("community:support_lines")


def test_hiding_without_a_reason_is_refused_with_a_message() -> None:
    post = make_post(make_member("Author"))
    client = client_for(make_moderator())
    response = client.post(
        reverse("community:moderation_decide_post", args=[post.pk]),
        {"decision": "hide", "reason": ""},
        follow=True,
    )
    assert "Enter the reason" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED


def test_a_moderator_silences_a_member_from_their_page() -> None:
    member = make_member("Max")
    client = client_for(make_moderator())
    url = reverse("community:moderation_member", args=[member.pk])
    assert "Max" in client.get(url).content.decode()
    missing_date = client.post(url, {"action": "silence", "reason": "Cool off."})
    assert "Until (for silence and suspension)" in missing_date.content.decode()
    member.refresh_from_db()
    assert member.silenced_until is None
    until = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(url, {"action": "silence", "reason": "Cool off.", "until": until.isoformat()})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.silenced_until is not None and timezone.localtime(member.silenced_until).date() == until


def test_the_audit_page_filters_by_member() -> None:
    moderator = make_moderator()
    client = client_for(moderator)
    for name in ("Max", "Ola"):
        client.post(
            reverse("community:moderation_member", args=[make_member(name).pk]),
            {"action": "warn", "reason": f"to {name}"},
        )
    page = client.get(reverse("community:moderation_audit"), {"member": "ola"}).content.decode()
    assert "to Ola" in page and "to Max" not in page
    unknown = client.get(reverse("community:moderation_audit"), {"member": "nobody"}).content.decode()
    assert "No member has that display name." in unknown
    bad_dates = client.get(
        reverse("community:moderation_audit"), {"date_from": "2026-12-07", "date_to": "2026-12-01"}
    )
    assert "“To” is before “From”." in bad_dates.content.decode()


def test_watched_words_page_adds_and_removes() -> None:
    client = client_for(make_moderator())
    url = reverse("community:moderation_watched_words")
    assert client.post(url, {"word": "casino", "action": "block", "reason": "spam"}).status_code == 302
    watched = WatchedWord.objects.get()
    client.post(reverse("community:moderation_watched_word_remove", args=[watched.pk]))
    assert not WatchedWord.objects.exists()


def test_the_author_links_what_the_sources_say_and_others_cannot() -> None:
    author = make_member("Author")
    comment = make_comment(make_post(make_member("Asker")), author)
    url = reverse("community:sources_comment", args=[comment.pk])
    refused = client_for(author).post(url, {"path": "https://evil.example/"})
    assert "Link a page of this site" in refused.content.decode()
    assert client_for(author).post(url, {"path": "/library/"}).status_code == 302
    comment.refresh_from_db()
    assert comment.sources_path == "/library/"
    assert client_for(make_member("Stranger")).get(url).status_code == 404


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"}, {}, "116 123"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr-FR"}, {}, "3114"),
        ({}, {"region": "US"}, "988"),
        ({}, {"region": "NL"}, "113"),
    ],
)
def test_the_support_page_shows_the_line_for_the_region(
    headers: dict[str, str], query: dict[str, str], expected: str
) -> None:
    page = Client().get(reverse("community:support_lines"), query, **headers).content.decode()
    assert f"Call {expected}" in page
    assert "local emergency number" in page


def test_the_support_page_without_a_known_region_says_to_call_the_emergency_number() -> None:
    page = Client().get(reverse("community:support_lines"), {"region": ""}).content.decode()
    assert "Call " not in page
    assert "local emergency number" in page


def test_the_community_navigation_shows_moderators_what_waits() -> None:
    make_post(make_member("Author"), status=Status.PENDING)
    moderator_page = client_for(make_moderator()).get(reverse("community:feed")).content.decode()
    assert "Moderation (1 waiting)" in moderator_page
    member_page = client_for(make_member("Plain")).get(reverse("community:feed")).content.decode()
    assert "Moderation" not in member_page
