"""Where "what the sources say" is kept: the path of a cited page under a post or reply (ADR 0020)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0004_notification_digest"),
    ]

    operations = [
        # ALTER TABLE ... ADD COLUMN on both databases: on SQLite, Django would rebuild the tables to add a
        # column with a default, which drops the search index's triggers on them (0003_search_index).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="comment",
                    name="sources_path",
                    field=models.CharField(blank=True, max_length=300, verbose_name="what the sources say"),
                ),
                migrations.AddField(
                    model_name="post",
                    name="sources_path",
                    field=models.CharField(blank=True, max_length=300, verbose_name="what the sources say"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE community_comment ADD COLUMN sources_path varchar(300) NOT NULL DEFAULT ''",
                    "ALTER TABLE community_comment DROP COLUMN sources_path",
                ),
                migrations.RunSQL(
                    "ALTER TABLE community_post ADD COLUMN sources_path varchar(300) NOT NULL DEFAULT ''",
                    "ALTER TABLE community_post DROP COLUMN sources_path",
                ),
            ],
        ),
        migrations.AlterField(
            model_name="moderationaction",
            name="kind",
            field=models.CharField(
                choices=[
                    ("approve", "approved"),
                    ("hide", "hid"),
                    ("restore", "restored"),
                    ("warn", "warned"),
                    ("silence", "silenced"),
                    ("suspend", "suspended"),
                    ("lift", "lifted a silence or suspension of"),
                    ("trust", "changed the trust level of"),
                    ("moderator_granted", "made a moderator"),
                    ("moderator_revoked", "ended the moderator role of"),
                    ("watched_word", "changed the watched words"),
                    ("sources", "linked what the sources say under"),
                ],
                max_length=20,
            ),
        ),
    ]
