"""The worklist's "Name contains" filter served by an index on PostgreSQL (ADR 0028): trigrams of the
upper-cased name, the expression Django's `icontains` compares. Without it a name that matches nobody reads
every summary of the clinic. pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's
owner may create it. SQLite has no such index; its registries are small."""

from typing import Any

from django.db import migrations

INDEX = "summary_name_trigrams"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON patients_patientsummary "
        "USING gin (UPPER(display_name::text) gin_trgm_ops)"
    )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0013_summary_keyset_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
