"""Search with the database's own full-text search: FTS5 on SQLite, to_tsvector with GIN indexes on
PostgreSQL (run this file with DATABASE_URL=postgresql://... for the second)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from tests.web.community.post_members import a_topic, make_member, signed_in_client

from smanav.community.models import FollowKind, MemberLink, Post, Status
from smanav.community.selectors.search import (
    CANDIDATES,
    COMMENTS_MATCH,
    COMMENTS_SQL,
    MAX_RESULTS,
    POSTS_MATCH,
    POSTS_SQL,
    search,
)
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


def many_matches(author, n: int, *, word: str, tie_every: int = 0) -> list[Post]:  # type: ignore[no-untyped-def]
    """`n` published posts with `word`, an hour apart (the newest last); with `tie_every`, every such
    post shares its time with the one before (the id then decides)."""
    start = timezone.now() - dt.timedelta(days=10)
    made = []
    for i in range(n):
        at = start + dt.timedelta(hours=i - bool(tie_every and i % tie_every == 1))
        made.append(
            Post.objects.create(
                author=author,
                topic=a_topic(),
                title=f"Note {i}",
                body=f"About the {word} number {i}",
                body_html="",
                submission_key=f"{word}-{i}",
                created_at=at,
                last_activity_at=at,
            )
        )
    return made


def test_results_are_the_newest_activity_first_and_at_most_a_page(conversation) -> None:  # type: ignore[no-untyped-def]
    ana, ben, chair, _food = conversation
    made = many_matches(ben, MAX_RESULTS + 12, word="ramp", tie_every=3)
    hits = search(member=ana, text="ramps")
    expected = sorted(made, key=lambda p: (p.last_activity_at, p.pk), reverse=True)[:MAX_RESULTS]
    assert [h.post for h in hits] == expected
    # A new reply that matches brings its (older) post to the top, as the newest activity.
    oldest = made[0]
    comment_create(author=ana, post=oldest, body="We bought a folding ramp", submission_key="r")
    assert search(member=ana, text="ramp")[0].post == oldest
    assert search(member=ana, text="ramp")[0].reply is None  # its own text matched too
    comment_create(author=ana, post=chair, body="A ramp for the van", submission_key="v")
    first = search(member=ana, text="ramp")[0]
    assert first.post == chair and first.reply is not None and "van" in first.reply.body


@pytest.mark.postgres
def test_postgresql_keeps_each_rows_vector_stored_and_up_to_date(conversation) -> None:  # type: ignore[no-untyped-def]
    _ana, _ben, chair, _food = conversation
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, is_generated FROM information_schema.columns "
            "WHERE column_name = 'search_vector'"
        )
        assert dict(cursor.fetchall()) == {"community_post": "ALWAYS", "community_comment": "ALWAYS"}
        Post.objects.filter(pk=chair.pk).update(body="Manual or power?")
        cursor.execute("SELECT search_vector::text FROM community_post WHERE id = %s", [chair.pk])
        vector = cursor.fetchone()[0]
    assert "'manual'" in vector and "'tilt'" not in vector and "'wheelchair'" in vector


@pytest.mark.postgres
def test_postgresql_finds_matches_by_the_gin_indexes_or_by_walking_the_dates(conversation) -> None:  # type: ignore[no-untyped-def]
    # Rare words: the GIN index over the stored vector. Common ones: the date index, newest first,
    # testing the stored vector and stopping at the limit. Both plans must exist for the planner.
    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT plans")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for table, match in (("post", POSTS_MATCH), ("comment", COMMENTS_MATCH)):
            cursor.execute(f"EXPLAIN SELECT id FROM community_{table} WHERE {match}", ["wheelchair"])
            plans["gin", table] = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for table, sql in (("post", POSTS_SQL), ("comment", COMMENTS_SQL)):
            cursor.execute(f"EXPLAIN {sql}", [Status.PUBLISHED, "wheelchair", CANDIDATES])
            plans["walk", table] = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("ROLLBACK TO SAVEPOINT plans")
    assert "community_post_search" in plans["gin", "post"]
    assert "community_comment_search" in plans["gin", "comment"]
    assert "community_post_feed" in plans["walk", "post"] and "search_vector @@" in plans["walk", "post"]
    assert "community_comment_recent" in plans["walk", "comment"]
    assert "Sort" not in plans["walk", "comment"] and "to_tsvector" not in plans["walk", "comment"]
