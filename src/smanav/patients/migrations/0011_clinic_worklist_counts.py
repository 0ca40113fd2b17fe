"""The worklist's headline numbers per clinic, kept up to date instead of counted on every page (ADR
0026); counted here once for the clinics that have records."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q
from django.utils import timezone


def count_every_clinic(apps: Any, schema_editor: Any) -> None:
    shares = apps.get_model("patients", "ClinicShare")
    counts = apps.get_model("patients", "ClinicWorklistCounts")
    rows = (
        shares.objects.filter(withdrawn_at__isnull=True)
        .values("clinic_id")
        .annotate(
            shared=Count("id"),
            summarised=Count("patient__summary"),
            urgent=Count("id", filter=Q(patient__summary__urgency="urgent")),
            with_alerts=Count("id", filter=Q(patient__summary__alert_count__gt=0)),
            overdue=Count("id", filter=Q(patient__summary__overdue_count__gt=0)),
            due_soon=Count("id", filter=Q(patient__summary__due_soon_count__gt=0)),
        )
    )
    now = timezone.now()
    counts.objects.bulk_create([counts(counted_at=now, **row) for row in rows])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_news_by_email"),
        ("patients", "0010_summary_sort_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClinicWorklistCounts",
            fields=[
                (
                    "clinic",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.clinic",
                    ),
                ),
                ("shared", models.IntegerField(default=0)),
                ("summarised", models.IntegerField(default=0)),
                ("urgent", models.IntegerField(default=0)),
                ("with_alerts", models.IntegerField(default=0)),
                ("overdue", models.IntegerField(default=0)),
                ("due_soon", models.IntegerField(default=0)),
                ("counted_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(count_every_clinic, migrations.RunPython.noop, elidable=True),
    ]
