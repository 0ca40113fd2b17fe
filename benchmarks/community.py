"""Community benchmark: the feed, a topic page, a post page with 200 comments and search, at 100,000
members and 1,000,000 posts and comments on PostgreSQL.

    .venv/bin/python benchmarks/community.py                                  # the full size
    .venv/bin/python benchmarks/community.py --members 10000 --rows 100000    # a quick look
    .venv/bin/python benchmarks/community.py --again     # time again what the last run seeded

Creates its own database (`smanav_cbench`, dropped and made again), migrates it, and seeds in the
database server with `INSERT ... SELECT generate_series(...)` (no rows travel from Python): first a small
community (1,000 members, 10,000 posts and comments), where it counts the SQL queries of each page, then
the full size, where it counts them again (they must be equal: queries per request constant in N) and
times requests through Django's test client (the whole stack but the network: middleware, session,
member check, selectors, templates). A fifth of the rows are posts, the rest comments; one post has 200
comments, shown 50 a page: its first page and the page a link to its newest reply opens are timed. Search
is timed for a common word ("wheelchair", in one row in 42) and a rarer one (in about one row in 700).
The reader follows three topics and twenty members.

Reports p50 / p95 / max per page and the queries per request at both sizes. Targets: p95 < 100 ms for
pages, < 200 ms for search. Figures go into docs/performance.md by hand, with the date, the machine
and the load average this prints.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

DATABASE = "smanav_cbench"
PAGE_TARGET_MS = 100
SEARCH_TARGET_MS = 200
WORDS = [
    *("wheelchair", "ramp", "school", "breathing", "cough", "assist", "nutrition", "feeding", "tube"),
    *("physio", "scoliosis", "brace", "holiday", "van", "lift", "hoist", "sleep", "mask", "night"),
    *("bipap", "therapy", "friends", "work", "college", "stairs", "garden", "dog", "swim", "pool"),
    *("standing", "frame", "splints", "hands", "laptop", "voice", "eye", "gaze", "switch", "games"),
    *("music", "bus", "train"),
]


def _setup(url: str, *, again: bool) -> None:
    import psycopg

    if not again:
        with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {DATABASE}")
    os.environ["DATABASE_URL"] = f"{url}/{DATABASE}"
    os.environ.setdefault("SMANAV_SECRET_KEY", secrets.token_urlsafe(50))
    for name in ("SMANAV_HTTPS_REDIRECT", "SMANAV_SECURE_COOKIES", "SMANAV_HSTS_SECONDS"):
        os.environ[name] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "smanav.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _words(seed: str, count: int) -> str:
    """SQL for a text of `count` words chosen by the integer expression `seed`: one word of the topic
    list (so each is in about one row in forty) and otherwise words of a 20,000-word vocabulary (each in
    about one row in a thousand), as members' texts are mostly words that few others use."""
    array = "ARRAY[" + ",".join(f"'{word}'" for word in WORDS) + "]"
    common = f"({array})[1 + (({seed}) * 5) % {len(WORDS)}]"
    rare = [f"'w' || ((({seed}) * {7919 + 104 * n} + {n * 31}) % 20011)" for n in range(count - 1)]
    return " || ' ' || ".join([common, *rare])


def _columns(model: Any, given: dict[str, str]) -> tuple[str, str]:
    """The column list and SELECT expressions for an INSERT of `model`: the given expressions, NULL for
    nullable columns, the field's default for the others (so fields added later need no change here)."""
    import json

    from django.db.models import NOT_PROVIDED

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in given:
            values.append(given[field.column])
        elif field.null:
            values.append("NULL")
        elif field.default is not NOT_PROVIDED:
            default = field.default() if callable(field.default) else field.default
            if hasattr(default, "isoformat"):
                values.append("now()")
            elif isinstance(default, bool):
                values.append("true" if default else "false")
            elif isinstance(default, (int, float)):
                values.append(str(default))
            elif isinstance(default, (list, dict)):
                values.append(f"'{json.dumps(default)}'::jsonb")
            else:
                values.append("'" + str(default).replace("'", "''") + "'")
        elif field.blank:
            values.append("''")
        else:
            raise SystemExit(f"{model.__name__}.{field.name}: no value for the benchmark's seed")
    return ", ".join(columns), ", ".join(values)


def _insert(model: Any, given: dict[str, str], source: str) -> None:
    from django.db import connection

    columns, values = _columns(model, given)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({columns}) SELECT {values} FROM {source}")


def _seed(first: int, members: int, rows: int) -> None:
    """Members numbered first .. first+members-1, and `rows` posts and comments among all members. The
    full-text indexes are dropped during the load and built again after it (as for any bulk load)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('community_post_search', 'community_comment_search')"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    _load(first, members, rows)
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE")


def _load(first: int, members: int, rows: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from smanav.community.models import Comment, Member, Post

    user = get_user_model()
    last = first + members - 1
    _insert(
        user,
        {
            "password": "'!'",
            "username": "'bench' || g",
            "email": "'bench' || g || '@example.org'",
            "first_name": "''",
            "last_name": "''",
        },
        f"generate_series({first}::bigint, {last}::bigint) g",
    )
    _insert(
        Member,
        {
            "user_id": "u.id",
            "display_name": "'Member ' || u.id",
            "name_key": "'member ' || u.id",
            "guidelines_version": "'1'",
            "guidelines_accepted_at": "now()",
            "trust_level": "1",
        },
        "accounts_user u WHERE u.username LIKE 'bench%' "
        "AND u.id NOT IN (SELECT user_id FROM community_member)",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id), count(*) FROM community_member")
        low, _, count = cursor.fetchone()
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM community_topic")
        topics = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM community_post")
        post_base = cursor.fetchone()[0]
    posts = rows // 5
    author = f"{low} + (g * 7919) % {count}"
    topic = f"(ARRAY{topics})[1 + (g * 31) % {len(topics)}]"
    text = _words("g", 30)
    _insert(
        Post,
        {
            "author_id": author,
            "topic_id": topic,
            "kind": "CASE WHEN g % 5 = 0 THEN 'question' ELSE 'discussion' END",
            "title": _words("g + 3", 6),
            "body": text,
            "body_html": f"'<p>' || {text} || '</p>'",
            "status": "'published'",
            "submission_key": "'bench-post-' || g",
            "created_at": "now() - g * interval '13 seconds'",
            "last_activity_at": "now() - g * interval '13 seconds'",
        },
        f"generate_series({post_base + 1}::bigint, {post_base + posts}::bigint) g",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM community_post WHERE id > %s", [post_base])
        post_low, post_high = cursor.fetchone()
        cursor.execute("SELECT coalesce(max(id), 0) FROM community_comment")
        comment_base = cursor.fetchone()[0]
    comments = rows - posts
    reply = _words("g + 11", 20)
    _insert(
        Comment,
        {
            "post_id": f"{post_low} + (g * 104729) % {post_high - post_low + 1}",
            "author_id": f"{low} + (g * 6151) % {count}",
            "body": reply,
            "body_html": f"'<p>' || {reply} || '</p>'",
            "status": "'published'",
            "submission_key": "'bench-comment-' || g",
            "created_at": "now() - g * interval '3 seconds'",
        },
        f"generate_series({comment_base + 1}::bigint, {comment_base + comments}::bigint) g",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE community_post p SET comment_count = c.n FROM "
            "(SELECT post_id, count(*) n FROM community_comment GROUP BY post_id) c "
            "WHERE p.id = c.post_id AND p.id >= %s",
            [post_low],
        )


def _big_post() -> int:
    """A post with exactly 200 comments (the rest of its comments moved to its neighbour)."""
    from django.db import connection

    from smanav.community.models import Comment, Post

    post = Post.objects.order_by("-last_activity_at").first()
    assert post is not None
    have = Comment.objects.filter(post=post).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE community_comment SET post_id = %s WHERE id IN "
            "(SELECT id FROM community_comment WHERE post_id <> %s ORDER BY id DESC LIMIT %s)",
            [post.pk, post.pk, max(0, 200 - have)],
        )
        cursor.execute(
            "UPDATE community_post p SET comment_count = (SELECT count(*) FROM community_comment c "
            "WHERE c.post_id = p.id) WHERE p.id = %s",
            [post.pk],
        )
    return post.pk


def _reader() -> Any:
    """The member who reads: follows three topics and twenty members."""
    from smanav.community.models import FollowKind, Member, MemberLink, Topic, TopicFollow

    reader = Member.objects.order_by("pk").first()
    assert reader is not None
    for topic in Topic.objects.order_by("pk")[:3]:
        TopicFollow.objects.get_or_create(member=reader, topic=topic)
    for other in Member.objects.exclude(pk=reader.pk).order_by("-pk")[:20]:
        MemberLink.objects.get_or_create(member=reader, other=other, kind=FollowKind.FOLLOW)
    return reader


def _pages(big_post: int) -> dict[str, str]:
    from django.urls import reverse

    from smanav.community.models import Comment, Topic

    topic = Topic.objects.order_by("pk").first()
    assert topic is not None
    newest = Comment.objects.filter(post_id=big_post).order_by("-created_at", "-id").first()
    assert newest is not None
    post = reverse("community:post", args=[big_post])
    return {
        "feed": reverse("community:feed"),
        "feed (following)": reverse("community:feed") + "?show=following",
        "topic page": reverse("community:topic", args=[topic.slug]),
        "post, 200 comments": post,
        "post, its last reply's page": f"{post}?reply={newest.pk}",
        "search": reverse("community:search") + "?q=wheelchair",
        "search (a rarer word)": reverse("community:search") + "?q=w4242",
    }


def _queries(client: Any, pages: dict[str, str]) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, url in pages.items():
        client.get(url)  # warm: the session row, caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured)
    return counts


def _times(client: Any, pages: dict[str, str], repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(repeat):
        for name, url in pages.items():
            start = time.perf_counter()
            response = client.get(url)
            times[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (name, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="posts and comments together")
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument(
        "--again",
        action="store_true",
        help="time the pages of the database an earlier run seeded (migrated, not seeded again; the "
        "queries are counted at its size only)",
    )
    args = parser.parse_args()

    _setup(args.postgres_url, again=args.again)
    from django.test import Client

    small_members, small_rows = 1_000, 10_000
    started = time.perf_counter()
    small: dict[str, int] = {}
    if not args.again:
        _seed(1, small_members, small_rows)
    big_post = _big_post()
    client = Client()
    client.force_login(_reader().user, backend="django.contrib.auth.backends.ModelBackend")
    if not args.again:
        small = _queries(client, _pages(big_post))
        _seed(small_members + 1, args.members - small_members, args.rows - small_rows)
        big_post = _big_post()
    seeded = time.perf_counter() - started
    pages = _pages(big_post)
    large = _queries(client, pages)
    times = _times(client, pages, args.repeat)

    load = os.getloadavg()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"community benchmark, {when}, {platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs")
    if args.again:
        print("the database of an earlier run, not seeded again")
    else:
        print(f"seeded {args.members:,} members and {args.rows:,} posts and comments in {seeded:.0f} s")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.repeat} requests a page")
    print(f"| page | p50 ms | p95 ms | max ms | target | queries at {small_rows:,} | at {args.rows:,} |")
    print("|---|---|---|---|---|---|---|")
    for name, samples in times.items():
        ordered = sorted(samples)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        target = SEARCH_TARGET_MS if name.startswith("search") else PAGE_TARGET_MS
        verdict = "met" if p95 < target else "MISSED"
        print(
            f"| {name} | {statistics.median(samples):.1f} | {p95:.1f} | {ordered[-1]:.1f} "
            f"| < {target} ({verdict}) | {small.get(name, '-')} | {large[name]} |"
        )


if __name__ == "__main__":
    main()
