"""Full-text search over posts and comments, the right way for each database (ADR 0019).

PostgreSQL: GIN indexes over the same `to_tsvector` expressions that `selectors/search.py` queries.
SQLite: an FTS5 table of every post's title and text and every comment's text, kept up to date by
triggers (so rows written by any path, bulk loads included, are found).
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE INDEX community_post_search ON community_post USING GIN "
    "(to_tsvector('english', title || ' ' || body))",
    "CREATE INDEX community_comment_search ON community_comment USING GIN (to_tsvector('english', body))",
]
PG_BACKWARD = ["DROP INDEX community_post_search", "DROP INDEX community_comment_search"]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE community_search USING fts5("
    "title, body, post_id UNINDEXED, comment_id UNINDEXED, tokenize='porter unicode61')",
    "INSERT INTO community_search (rowid, title, body, post_id, comment_id) "
    "SELECT id * 2, title, body, id, NULL FROM community_post",
    "INSERT INTO community_search (rowid, title, body, post_id, comment_id) "
    "SELECT id * 2 + 1, '', body, post_id, id FROM community_comment",
    # Posts take the even rowids, comments the odd ones: one table, no clash.
    "CREATE TRIGGER community_search_post_ai AFTER INSERT ON community_post BEGIN "
    "INSERT INTO community_search (rowid, title, body, post_id, comment_id) "
    "VALUES (new.id * 2, new.title, new.body, new.id, NULL); END",
    "CREATE TRIGGER community_search_post_au AFTER UPDATE OF title, body ON community_post BEGIN "
    "UPDATE community_search SET title = new.title, body = new.body WHERE rowid = new.id * 2; END",
    "CREATE TRIGGER community_search_post_ad AFTER DELETE ON community_post BEGIN "
    "DELETE FROM community_search WHERE rowid = old.id * 2; END",
    "CREATE TRIGGER community_search_comment_ai AFTER INSERT ON community_comment BEGIN "
    "INSERT INTO community_search (rowid, title, body, post_id, comment_id) "
    "VALUES (new.id * 2 + 1, '', new.body, new.post_id, new.id); END",
    "CREATE TRIGGER community_search_comment_au AFTER UPDATE OF body ON community_comment BEGIN "
    "UPDATE community_search SET body = new.body WHERE rowid = new.id * 2 + 1; END",
    "CREATE TRIGGER community_search_comment_ad AFTER DELETE ON community_comment BEGIN "
    "DELETE FROM community_search WHERE rowid = old.id * 2 + 1; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER community_search_post_ai",
    "DROP TRIGGER community_search_post_au",
    "DROP TRIGGER community_search_post_ad",
    "DROP TRIGGER community_search_comment_ai",
    "DROP TRIGGER community_search_comment_au",
    "DROP TRIGGER community_search_comment_ad",
    "DROP TABLE community_search",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("community", "0002_seed_topics")]

    operations = [migrations.RunPython(forward, backward)]
