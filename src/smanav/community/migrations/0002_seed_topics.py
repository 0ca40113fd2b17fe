"""Seed the topics the issue lists (community/topics.py)."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from smanav.community.topics import topics_seed

    topics_seed(apps.get_model("community", "Topic"))


class Migration(migrations.Migration):
    dependencies = [("community", "0001_members_posts_moderation")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
