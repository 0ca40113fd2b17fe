"""The worklist's sort keys in the summary table, one index per sort (ADR 0026): the record's name and
birth date are copied into its summary (existing summaries filled in from their records here)."""

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_names_and_birth_dates(apps: Any, schema_editor: Any) -> None:
    summaries = apps.get_model("patients", "PatientSummary")
    patients = apps.get_model("patients", "Patient")
    record = patients.objects.filter(pk=OuterRef("patient_id"))
    summaries.objects.update(
        display_name=Subquery(record.values("display_name")[:1]),
        birth_date=Subquery(record.values("birth_date")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0009_summary_dated_items"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="patientsummary",
            name="summary_priority",
        ),
        migrations.AddField(
            model_name="patientsummary",
            name="birth_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="patientsummary",
            name="display_name",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
        migrations.RunPython(copy_names_and_birth_dates, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                fields=["-urgency_rank", "-high_alert_count", "-alert_count", "display_name", "patient"],
                name="summary_sort_priority",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(fields=["display_name", "patient"], name="summary_sort_name"),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(fields=["-birth_date", "patient"], name="summary_sort_age"),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                fields=["-alert_count", "display_name", "patient"], name="summary_sort_alerts"
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                fields=["-overdue_count", "display_name", "patient"], name="summary_sort_overdue"
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                fields=["last_assessment_on", "display_name", "patient"], name="summary_sort_last_seen"
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(fields=["evaluated_on"], name="summary_evaluated_on"),
        ),
    ]
