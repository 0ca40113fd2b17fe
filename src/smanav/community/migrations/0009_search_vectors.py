"""Search at scale on PostgreSQL: each post and reply keeps its `tsvector` in a stored generated column
(`search_vector`), which PostgreSQL keeps up to date itself on every insert and update, by any path.

With the vector stored, the newest matches of a common word are found by walking the date indexes
newest first and testing each row's stored vector (no `to_tsvector` per row), and stopping at the limit;
a rare word is still found through the GIN index. The GIN indexes move from the expressions of
migration 0003 to the columns and keep their names. Replies get an index in date order for the walk.

SQLite keeps its FTS5 table of migration 0003: nothing changes there but the new date index.
"""

from django.db import migrations, models

PG_FORWARD = [
    "ALTER TABLE community_post ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || body)) STORED",
    "ALTER TABLE community_comment ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', body)) STORED",
    "DROP INDEX community_post_search",
    "DROP INDEX community_comment_search",
    "CREATE INDEX community_post_search ON community_post USING GIN (search_vector)",
    "CREATE INDEX community_comment_search ON community_comment USING GIN (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX community_post_search",
    "DROP INDEX community_comment_search",
    "ALTER TABLE community_post DROP COLUMN search_vector",
    "ALTER TABLE community_comment DROP COLUMN search_vector",
    "CREATE INDEX community_post_search ON community_post USING GIN "
    "(to_tsvector('english', title || ' ' || body))",
    "CREATE INDEX community_comment_search ON community_comment USING GIN (to_tsvector('english', body))",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("community", "0008_revisions_guidelines_trust_by_hand")]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["status", "-created_at", "-id"], name="community_comment_recent"),
        ),
    ]
