"""The worklist's sort indexes on the keys a keyset page compares (ADR 0028): descending counts negated,
missing dates as the earliest day, the record's id last; and indexes for its filters when few match."""

from django.db import migrations, models

import smanav.patients.keyset


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0012_trial_news"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="patientsummary",
            name="summary_sort_priority",
        ),
        migrations.RemoveIndex(
            model_name="patientsummary",
            name="summary_sort_age",
        ),
        migrations.RemoveIndex(
            model_name="patientsummary",
            name="summary_sort_alerts",
        ),
        migrations.RemoveIndex(
            model_name="patientsummary",
            name="summary_sort_overdue",
        ),
        migrations.RemoveIndex(
            model_name="patientsummary",
            name="summary_sort_last_seen",
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                smanav.patients.keyset.Negated("urgency_rank"),
                smanav.patients.keyset.Negated("high_alert_count"),
                smanav.patients.keyset.Negated("alert_count"),
                models.F("display_name"),
                models.F("patient_id"),
                name="summary_keyset_priority",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                smanav.patients.keyset.EarliestIfMissing("birth_date"),
                models.F("patient_id"),
                name="summary_keyset_age",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                smanav.patients.keyset.Negated("alert_count"),
                models.F("display_name"),
                models.F("patient_id"),
                name="summary_keyset_alerts",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                smanav.patients.keyset.Negated("overdue_count"),
                models.F("display_name"),
                models.F("patient_id"),
                name="summary_keyset_overdue",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                smanav.patients.keyset.EarliestIfMissing("last_assessment_on"),
                models.F("display_name"),
                models.F("patient_id"),
                name="summary_keyset_last_seen",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(fields=["urgency", "patient"], name="summary_urgency"),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                condition=models.Q(("alert_codes__contains", "motor_decline")),
                fields=["patient"],
                name="summary_alert_motor_decline",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                condition=models.Q(("alert_codes__contains", "assessment_overdue")),
                fields=["patient"],
                name="summary_alert_assessment_overd",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                condition=models.Q(("alert_codes__contains", "assessment_missing")),
                fields=["patient"],
                name="summary_alert_assessment_missi",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                condition=models.Q(("alert_codes__contains", "treatment_monitoring_due")),
                fields=["patient"],
                name="summary_alert_treatment_monito",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                condition=models.Q(("alert_codes__contains", "measure_trend")),
                fields=["patient"],
                name="summary_alert_measure_trend",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                condition=models.Q(("overdue_count__gt", 0)), fields=["patient"], name="summary_with_overdue"
            ),
        ),
        migrations.AddIndex(
            model_name="patientsummary",
            index=models.Index(
                condition=models.Q(("due_soon_count__gt", 0)),
                fields=["patient"],
                name="summary_with_due_soon",
            ),
        ),
    ]
