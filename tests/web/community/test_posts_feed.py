"""The feed, a topic and a post page: pages cut by keyset, the same number of queries however many
posts or replies there are, and members' blocks and mutes respected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.web.community.post_members import a_topic, make_member, signed_in_client

from smanav.community.models import Comment, FollowKind, MemberLink, Post, Status, TopicFollow
from smanav.community.selectors.conversation import conversation_for
from smanav.community.selectors.feed import PAGE_SIZE, feed_all, feed_following, feed_topic

pytestmark = pytest.mark.django_db


def many_posts(author, n, *, topic_slug="equipment", start=None):  # type: ignore[no-untyped-def]
    start = start or timezone.now() - dt.timedelta(days=1)
    topic = a_topic(topic_slug)
    Post.objects.bulk_create(
        Post(
            author=author,
            topic=topic,
            title=f"Post {i}",
            body="text",
            body_html="<p>text</p>",
            submission_key=f"{author.pk}-{topic_slug}-{i}",
            created_at=start + dt.timedelta(minutes=i),
            # Every third post shares its time with the next: the id breaks the tie.
            last_activity_at=start + dt.timedelta(minutes=i - (i % 3 == 1)),
        )
        for i in range(n)
    )


def walk(fetch):  # type: ignore[no-untyped-def]
    seen, after = [], None
    while True:
        page = fetch(after=after)
        seen += [p.title for p in page.posts]
        if page.next_cursor is None:
            return seen
        after = page.next_cursor


def test_paging_by_keyset_shows_every_post_once_newest_first() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    many_posts(ana, 2 * PAGE_SIZE + 5)
    seen = walk(lambda after: feed_all(member=ben, after=after))
    assert len(seen) == len(set(seen)) == 2 * PAGE_SIZE + 5
    expected = Post.objects.order_by("-last_activity_at", "-id").values_list("title", flat=True)
    assert seen == list(expected)


def test_a_page_costs_the_same_queries_for_10_or_200_posts() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    client = signed_in_client(ben)
    many_posts(ana, 10)
    client.get("/community/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/community/").status_code == 200
    many_posts(make_member("Cai"), 200, topic_slug="breathing")
    with CaptureQueriesContext(connection) as many:
        client.get("/community/")
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as topic_page:
        client.get("/community/topics/breathing/")
    assert len(topic_page) <= len(few)
    assert "OFFSET" not in " ".join(q["sql"] for q in many.captured_queries).upper()


def test_a_post_page_costs_the_same_queries_for_2_or_200_replies() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    many_posts(ana, 1)
    post = Post.objects.get()

    def replies(n: int) -> None:
        Comment.objects.bulk_create(
            Comment(post=post, author=ben, body="yes", body_html="<p>yes</p>", submission_key=f"c{n}-{i}")
            for i in range(n)
        )

    client = signed_in_client(ben)
    replies(2)
    client.get(f"/community/posts/{post.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/community/posts/{post.pk}/")
    replies(198)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/community/posts/{post.pk}/")
    assert response.context["conversation"].count == 200
    assert len(many) == len(few)


def test_blocked_and_muted_members_posts_are_hidden_from_the_blocker() -> None:
    ana, ben, cai, dan = (make_member(n) for n in ("Ana", "Ben", "Cai", "Dan"))
    many_posts(ben, 1, topic_slug="equipment")
    many_posts(cai, 1, topic_slug="breathing")
    many_posts(dan, 1, topic_slug="nutrition")
    MemberLink.objects.create(member=ana, other=ben, kind=FollowKind.BLOCK)
    MemberLink.objects.create(member=ana, other=cai, kind=FollowKind.MUTE)
    authors = {p.author for p in feed_all(member=ana).posts}
    assert authors == {dan}
    # A block is both ways; a mute is not.
    assert ana not in {p.author for p in feed_all(member=ben).posts}
    assert {p.author for p in feed_all(member=cai).posts} == {ben, cai, dan}
    ben_post = Post.objects.get(author=ben)
    assert signed_in_client(ana).get(f"/community/posts/{ben_post.pk}/").status_code == 404


def test_replies_of_a_blocked_member_keep_their_place_without_their_text() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    many_posts(ana, 1)
    post = Post.objects.get()
    Comment.objects.create(post=post, author=ben, body="rude", body_html="<p>rude</p>", submission_key="c")
    MemberLink.objects.create(member=ana, other=ben, kind=FollowKind.BLOCK)
    page = signed_in_client(ana).get(f"/community/posts/{post.pk}/")
    assert b"rude" not in page.content and b"A reply that is not shown" in page.content
    assert conversation_for(member=ana, post=post).threads[0].comment.status == Status.HIDDEN


def test_the_following_feed_holds_followed_members_and_topics() -> None:
    ana, ben, cai, dan = (make_member(n) for n in ("Ana", "Ben", "Cai", "Dan"))
    many_posts(ben, 1, topic_slug="equipment")
    many_posts(cai, 1, topic_slug="breathing")
    many_posts(dan, 1, topic_slug="nutrition")
    assert feed_following(member=ana).posts == []
    MemberLink.objects.create(member=ana, other=ben, kind=FollowKind.FOLLOW)
    TopicFollow.objects.create(member=ana, topic=a_topic("breathing"))
    assert {p.author for p in feed_following(member=ana).posts} == {ben, cai}
    signed_in_client(ana).post("/community/topics/nutrition/follow/", {"follow": "1"})
    assert {p.author for p in feed_following(member=ana).posts} == {ben, cai, dan}
    assert [p.author for p in feed_topic(member=ana, topic_id=a_topic("nutrition").pk).posts] == [dan]


def test_pending_posts_are_seen_by_their_author_only() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    many_posts(ana, 1)
    Post.objects.update(status=Status.PENDING)
    post = Post.objects.get()
    assert feed_all(member=ana).posts == feed_all(member=ben).posts == []
    assert b"Your posts waiting for a moderator" in signed_in_client(ana).get("/community/").content
    assert b"waiting for a moderator" not in signed_in_client(ben).get("/community/").content
    assert signed_in_client(ana).get(f"/community/posts/{post.pk}/").status_code == 200
    assert signed_in_client(ben).get(f"/community/posts/{post.pk}/").status_code == 404


def test_a_visitor_reads_what_the_community_is_and_no_post() -> None:
    from django.test import Client

    ana = make_member("Ana")
    many_posts(ana, 1)
    response = Client().get("/community/")
    assert response.status_code == 200 and b"Create an account" in response.content
    assert Post.objects.get().title.encode() not in response.content
    assert Client().get("/community/topics/equipment/").status_code == 302
