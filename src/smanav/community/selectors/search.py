"""Search over posts, questions and replies, with the database's own full-text search: on PostgreSQL
each row's stored `tsvector` (migration 0009) with GIN indexes, on SQLite an FTS5 table (migration 0003).
Results are the posts the reader may read, newest activity first; a reply that matched brings its post,
with the reply shown as the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from smanav.community.models import Comment, Member, Post, Status
from smanav.community.selectors.feed import hidden_ids

MAX_RESULTS = 30
# How many matches each database is asked for before the reader's filter (blocks, statuses): enough
# for a page of 30 posts after blocks and replies to the same post, and on PostgreSQL the length of the
# walk down the date index for a common word (about CANDIDATES x how rare the word is rows).
CANDIDATES = 100
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Hit:
    post: Post
    # The matching reply's text when the post was found through a reply.
    reply: Comment | None


def _fts5_query(text: str) -> str:
    # Every word quoted (so that AND, NEAR, quotes or stars typed by a member are only words), all needed.
    return " ".join('"' + word.replace('"', '""') + '"' for word in _WORD.findall(text))


# The stored vectors of migration 0009. The planner chooses: for a common word, the date index walked
# newest first, each row's stored vector tested, stopping at the limit; for a rare one, the GIN index.
POSTS_MATCH = "search_vector @@ websearch_to_tsquery('english', %s)"
COMMENTS_MATCH = POSTS_MATCH
POSTS_SQL = (
    f"SELECT id FROM community_post WHERE status = %s AND {POSTS_MATCH} "
    "ORDER BY last_activity_at DESC, id DESC LIMIT %s"
)
COMMENTS_SQL = (
    f"SELECT id FROM community_comment WHERE status = %s AND {COMMENTS_MATCH} "
    "ORDER BY created_at DESC, id DESC LIMIT %s"
)


def _ids_postgresql(text: str) -> tuple[list[int], list[int]]:
    with connection.cursor() as cursor:
        cursor.execute(POSTS_SQL, [Status.PUBLISHED, text, CANDIDATES])
        post_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(COMMENTS_SQL, [Status.PUBLISHED, text, CANDIDATES])
        comment_ids = [row[0] for row in cursor.fetchall()]
    return post_ids, comment_ids


def _ids_sqlite(text: str) -> tuple[list[int], list[int]]:
    query = _fts5_query(text)
    if not query:
        return [], []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT post_id, comment_id FROM community_search WHERE community_search MATCH %s "
            "ORDER BY rank LIMIT %s",
            [query, CANDIDATES * 2],
        )
        rows = cursor.fetchall()
    return [p for p, c in rows if c is None], [c for _, c in rows if c is not None]


def search(*, member: Member, text: str) -> list[Hit]:
    """Posts and replies matching `text` (every word, in any form: "wheelchairs" finds "wheelchair"),
    that the reader may read. Three queries plus one per database search, whatever the table sizes."""
    text = text.strip()[:200]
    if not _WORD.search(text):
        return []
    if connection.vendor == "postgresql":
        post_ids, comment_ids = _ids_postgresql(text)
    elif connection.vendor == "sqlite":
        post_ids, comment_ids = _ids_sqlite(text)
    else:  # pragma: no cover - smanav runs on PostgreSQL or SQLite
        raise NotImplementedError(connection.vendor)
    hidden = hidden_ids(member)
    replies = {
        c.post_id: c
        for c in Comment.objects.filter(pk__in=comment_ids, status=Status.PUBLISHED)
        .exclude(author_id__in=hidden)
        .select_related("author")
        .order_by("created_at")
    }
    posts = (
        Post.objects.filter(pk__in={*post_ids, *replies})
        .filter(Q(status=Status.PUBLISHED))
        .exclude(author_id__in=hidden)
        .select_related("author", "topic", "picture")
        .defer("picture__data", "body")
        .order_by("-last_activity_at", "-id")[:MAX_RESULTS]
    )
    direct = set(post_ids)
    return [Hit(post=post, reply=None if post.pk in direct else replies.get(post.pk)) for post in posts]
