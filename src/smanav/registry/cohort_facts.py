"""The cohort dashboard's per-participant facts, worked out by the nightly refresh (ADR 0029).

`cohort_facts_refresh` is registered as work of every range of the nightly refresh (`registry.apps`,
`patients.range_work`): for the records of the range with a registry or research consent not withdrawn
(the cohorts of the coordinators' and the researchers' dashboards), it
writes one `CohortFact` row (what the dashboard groups and counts them by, `dashboard_cohort.facts`, the
same query the live way runs) and their `TrajectoryPoint` rows (per measure, per whole year since the
first measurement, the last value that year minus the first: what the trajectory figures average).
Whether the consent counts on the day of a page is decided at request time, not here.

The range's rows are replaced in one transaction, with the range's records locked in id order as the
summaries lock them: run twice, or killed half-way and run again by another worker, it leaves each row
once; a record changed meanwhile is read either before or after its change, never half.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from smanav.patients.models import Patient
from smanav.registry.dashboard import trajectory_points_sql
from smanav.registry.dashboard_cohort import FACT_COLUMNS, facts, months_of_age
from smanav.registry.models import CohortFact, Consent, ConsentPurpose, TrajectoryPoint


def _table(model: type[object]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))  # type: ignore[attr-defined]


@transaction.atomic
def cohort_facts_refresh(*, first_id: int, last_id: int, as_of: dt.date) -> int:
    """Replace the facts and trajectory points of records `first_id` to `last_id` (both included) with
    those worked out from the records for `as_of`; answers how many participants have facts."""
    # Locked as the services lock a record before changing it (and in id order, so no deadlock with
    # the summaries' chunks); two runs of the same range wait for each other.
    list(
        Patient.objects.select_for_update()
        .filter(pk__gte=first_id, pk__lte=last_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    CohortFact.objects.filter(patient_id__gte=first_id, patient_id__lte=last_id).delete()
    TrajectoryPoint.objects.filter(patient_id__gte=first_id, patient_id__lte=last_id).delete()
    # The dashboards' cohorts: registry participants (coordinators) and the research cohort (ADR 0031).
    in_registry = Consent.objects.filter(
        patient=OuterRef("pk"),
        purpose__in=(ConsentPurpose.REGISTRY, ConsentPurpose.RESEARCH),
        withdrawn_at__isnull=True,
    )
    members = Patient.objects.filter(pk__gte=first_id, pk__lte=last_id).filter(Exists(in_registry))
    rows = facts(on=as_of, patients=members).values_list(*(f"c_{name}" for name in FACT_COLUMNS))
    select, params = rows.query.sql_with_params()
    table = _table(CohortFact)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # see dashboard_cohort.cohort_table
        cursor.execute(f"INSERT INTO {table} ({', '.join(FACT_COLUMNS)}) {select}", params)
        written = cursor.rowcount
        # No parameters: SQLite's date parts are written with "%" (whole numbers, so nothing to quote).
        cursor.execute(
            f"UPDATE {table} SET event_months = {months_of_age('event_on')},"
            f" seen_months = {months_of_age('seen_on')}"
            f" WHERE patient_id BETWEEN {int(first_id)} AND {int(last_id)}"
        )
        points, point_params = trajectory_points_sql(
            f"SELECT patient_id FROM {table} WHERE patient_id BETWEEN %s AND %s"
        )
        cursor.execute(
            f"INSERT INTO {_table(TrajectoryPoint)} (patient_id, instrument, year, change) {points}",
            [*point_params, first_id, last_id],
        )
    return int(written)
