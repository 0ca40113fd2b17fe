"""Search with the database's own full-text search: FTS5 on SQLite, to_tsvector with GIN indexes on
PostgreSQL (run this file with DATABASE_URL=postgresql://... for the second)."""

from __future__ import annotations

import pytest
from django.db import connection
from tests.web.community.post_members import a_topic, make_member, signed_in_client

from smanav.community.models import FollowKind, MemberLink, Post, Status
from smanav.community.selectors.search import COMMENTS_MATCH, POSTS_MATCH, search
from smanav.community.services.comments import comment_create
from smanav.community.services.posts import post_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation():  # type: ignore[no-untyped-def]
    ana, ben = make_member("Ana"), make_member("Ben")
    chair = post_create(
        author=ana,
        topic=a_topic(),
        title="Choosing a power wheelchair",
        body="Tilt or not?",
        submission_key="1",
    ).post
    food = post_create(
        author=ben,
        topic=a_topic("nutrition"),
        title="Thickened drinks",
        body="Which powder?",
        submission_key="2",
    ).post
    comment_create(
        author=ben, post=chair, body="Our physiotherapist suggested a trial week", submission_key="3"
    )
    return ana, ben, chair, food


def test_words_in_titles_bodies_and_replies_are_found(conversation) -> None:  # type: ignore[no-untyped-def]
    ana, _ben, chair, food = conversation
    assert [h.post for h in search(member=ana, text="wheelchairs")] == [chair]  # stemmed
    assert [h.post for h in search(member=ana, text="powder")] == [food]
    hits = search(member=ana, text="physiotherapist trial")
    assert [h.post for h in hits] == [chair] and hits[0].reply is not None
    assert search(member=ana, text="tilt submarine") == []


def test_search_syntax_typed_by_a_member_is_only_words(conversation) -> None:  # type: ignore[no-untyped-def]
    ana, _ben, chair, food = conversation
    for text in ['"', "AND OR NOT", "tilt*", "title:chair", "NEAR(a b)", "!!!", "'); DROP TABLE x; --"]:
        # No error; whatever is found is one of the posts (the words' own matches, no operator's).
        assert {hit.post for hit in search(member=ana, text=text)} <= {chair, food}
    assert [hit.post for hit in search(member=ana, text="tilt*")] == [chair]  # "*" is no prefix operator
    assert Post.objects.count() == 2  # the "DROP TABLE" was only words


def test_edits_and_hidden_posts_follow_the_index(conversation) -> None:  # type: ignore[no-untyped-def]
    ana, _ben, _chair, food = conversation
    Post.objects.filter(pk=food.pk).update(title="Blended food")
    assert [h.post for h in search(member=ana, text="blended")] == [food]
    Post.objects.filter(pk=food.pk).update(status=Status.HIDDEN)
    assert search(member=ana, text="blended") == []


def test_blocked_members_are_not_found(conversation) -> None:  # type: ignore[no-untyped-def]
    ana, ben, _chair, _food = conversation
    MemberLink.objects.create(member=ana, other=ben, kind=FollowKind.BLOCK)
    assert search(member=ana, text="powder") == []
    # Ben's reply no longer brings Ana's post as a reason.
    assert search(member=ana, text="physiotherapist") == []


def test_the_search_page(conversation) -> None:  # type: ignore[no-untyped-def]
    ana, *_ = conversation
    page = signed_in_client(ana).get("/community/search/", {"q": "wheelchair"})
    assert page.status_code == 200
    assert b"Choosing a power wheelchair" in page.content


def test_the_index_is_the_databases_own() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'community_search'")
            assert "fts5" in cursor.fetchone()[0].lower()
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'community_post_search'")
            assert "gin" in cursor.fetchone()[0].lower()


@pytest.mark.postgres
def test_postgresql_answers_from_the_gin_indexes(conversation) -> None:  # type: ignore[no-untyped-def]
    # The queries' expressions must be the indexes' own, or PostgreSQL reads every row.
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for table, match in (("community_comment", COMMENTS_MATCH), ("community_post", POSTS_MATCH)):
            cursor.execute(f"EXPLAIN SELECT id FROM {table} WHERE {match}", ["wheelchair"])
            plans.append(" ".join(row[0] for row in cursor.fetchall()))
    assert "community_comment_search" in plans[0]
    assert "community_post_search" in plans[1]
