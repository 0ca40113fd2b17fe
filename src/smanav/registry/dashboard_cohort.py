"""The dashboard's cohort, in a temporary table per request that every figure of the request reads: one
row per registry participant with what the figures group by.

**Where the rows come from** (ADR 0029): each participant's facts are worked out from their record by the
nightly refresh (`registry.cohort_facts`, table `CohortFact`); `cohort_table(on=...)` copies the facts of
the participants on `on` into the temporary table with one `INSERT … SELECT`, choosing them through
`registry.selectors.consented_patients` at request time (purpose "registry" for coordinators,
"research" for researchers, ADR 0031), so a patient who never
agreed, withdrew today, or whose parent's consent lapsed at coming of age is in no row even though their
facts were worked out last night. Someone who joined, or whose record changed, since the last refresh is
counted as of the next one (the page says "as of"). With `live=True` the rows are worked out from the
records in the request instead (`facts`, the same query the refresh runs): the reference the tests
compare with, and what the benchmark times as the way before.

The table lives in the database session only, so two requests on two connections never see each
other's; it is dropped when the request is done.

Columns (plain text, integers and dates, so the figures read them with simple SQL):

* `id`, `birth_date`, `region`, `sma_type` (the summary's type), `smn2` (`2-`, `3`, `4+` or empty),
  `therapy` (the course that started last, or `none`), `age_band` (index into `AGE_BANDS`, on `on`);
* completeness flags `has_smn1`, `has_smn2`, `has_type`, `has_function`, `recent_motor` (a motor score in
  the 365 days up to the day the facts were worked out);
* time to permanent ventilation or gastrostomy (`registry.survival`): `event_months`, whole months of age
  at the first dated report of either; `undated_event` 1 where the record's clinical status shows either
  but no dated report does; `seen_months`, whole months of age on the last day the record tells about the
  person (see `survival`); `event_on` and `seen_on` are those days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import (
    Cast,
    Coalesce,
    Greatest,
    Least,
    TruncDate,
)

from smanav.patients.models import Assessment, Patient, Treatment
from smanav.registry.models import CohortFact, ConsentPurpose, ReportedItem, ReportedValue
from smanav.registry.selectors import consented_patients, latest_birth_date_of_age
from smanav_core.codes import Feeding, Instrument, Ventilation

TABLE = "registry_dashboard_cohort"
AGE_BANDS = ((0, 2), (2, 6), (6, 12), (12, 18), (18, 40), (40, None))
MOTOR_INSTRUMENTS = (
    Instrument.CHOP_INTEND,
    Instrument.HINE2,
    Instrument.HFMSE,
    Instrument.RULM,
    Instrument.MFM32_PERCENT,
    Instrument.SIX_MWT_M,
)
NONE = "none"
# Permanent ventilation as the knowledge base's NICE rule names it (`therapy.onasemnogene_iv.
# uk_nice_ventilation`: a tracheostomy or breathing support for 16 hours a day or more); a test keeps the
# two the same. A family's or clinic's report of hours a day counts from the same 16 hours.
PERMANENT_VENTILATION = (Ventilation.TRACHEOSTOMY.value, Ventilation.NIV_16H_OR_MORE.value)
PERMANENT_VENTILATION_HOURS = 16.0

# The columns `facts` selects, in its order (those of `CohortFact`); the months are worked out from the
# dates after.
FACT_COLUMNS = (
    "patient_id",
    "worked_out_on",
    "birth_date",
    "region",
    "sma_type",
    "smn2",
    "therapy",
    "has_smn1",
    "has_smn2",
    "has_type",
    "has_function",
    "recent_motor",
    "undated_event",
    "event_on",
    "seen_on",
)
# The columns of the request's table that the facts fill (`id` is the patient), then the age band.
COHORT_COLUMNS = (
    "id",
    *FACT_COLUMNS[2:],
    "event_months",
    "seen_months",
)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _part(unit: str, column: str) -> str:
    """The year, month or day of a date column as an integer, in this database's SQL."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT({unit} FROM {column}) AS integer)"
    letter = {"YEAR": "Y", "MONTH": "m", "DAY": "d"}[unit]
    return f"CAST(strftime('%{letter}', {column}) AS integer)"


def months_of_age(column: str) -> str:
    """SQL: whole months from `birth_date` to the date in `column` (as ages are counted: a month is
    complete on the day of the month of birth); NULL where the date is NULL."""
    return (
        f"(({_part('YEAR', column)} - {_part('YEAR', 'birth_date')}) * 12"
        f" + {_part('MONTH', column)} - {_part('MONTH', 'birth_date')}"
        f" - CASE WHEN {_part('DAY', column)} < {_part('DAY', 'birth_date')} THEN 1 ELSE 0 END)"
    )


def facts(*, on: dt.date, patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """`patients` with the facts as of `on` annotated (`c_` and the name in `FACT_COLUMNS`), as one
    query: what the nightly refresh writes into `CohortFact`, and the live way of `cohort_table`."""
    latest_therapy = Subquery(
        Treatment.objects.filter(patient=OuterRef("pk"), start_date__lte=on)
        .order_by("-start_date", "-id")
        .values("therapy")[:1]
    )
    standing = ReportedValue.objects.filter(
        patient=OuterRef("pk"), removed_at__isnull=True, date__isnull=False, date__lte=on
    )
    first_event = Subquery(
        standing.filter(
            Q(item=ReportedItem.VENTILATION_HOURS, number__gte=PERMANENT_VENTILATION_HOURS)
            | Q(item=ReportedItem.FEEDING, code=Feeding.GASTROSTOMY.value)
        )
        .order_by("date")
        .values("date")[:1]
    )
    last_report = Subquery(standing.order_by("-date").values("date")[:1])
    recent_motor = Assessment.objects.filter(
        patient=OuterRef("pk"),
        instrument__in=MOTOR_INSTRUMENTS,
        date__gt=on - dt.timedelta(days=365),
        date__lte=on,
    )
    return (
        patients.annotate(
            smn2_number=Cast(KT("genetics__smn2_copies"), FloatField()),
            smn1_text=KT("genetics__smn1_copies"),
            function_text=KT("clinical__current_motor_function"),
            event_on=first_event,
            seen_on=Least(
                Greatest(
                    Coalesce(F("summary__last_assessment_on"), F("birth_date")),
                    Coalesce(last_report, F("birth_date")),
                    TruncDate("updated_at"),
                ),
                Value(on),
            ),
        )
        .annotate(
            c_region=Coalesce(F("region"), Value("")),
            c_sma_type=Coalesce(F("summary__sma_type"), Value("")),
            c_smn2=Case(
                When(smn2_number__lt=3, then=Value("2-")),
                When(smn2_number__lt=4, then=Value("3")),
                When(smn2_number__gte=4, then=Value("4+")),
                default=Value(""),
            ),
            c_therapy=Coalesce(latest_therapy, Value(NONE)),
            c_has_smn1=_flag(Q(smn1_text__isnull=False)),
            c_has_smn2=_flag(Q(smn2_number__isnull=False)),
            c_has_type=_flag(~Q(c_sma_type="")),
            c_has_function=_flag(Q(function_text__isnull=False)),
            c_recent_motor=_flag(Q(Exists(recent_motor))),
            c_undated_event=_flag(
                Q(event_on__isnull=True)
                & (
                    Q(clinical__ventilation__in=PERMANENT_VENTILATION)
                    | Q(clinical__feeding=Feeding.GASTROSTOMY.value)
                )
            ),
        )
        .annotate(
            c_patient_id=F("pk"),
            c_worked_out_on=Value(on, output_field=DateField()),
            c_birth_date=F("birth_date"),
            c_event_on=F("event_on"),
            c_seen_on=F("seen_on"),
        )
        .order_by()
    )


def age_band(*, on: dt.date) -> Case:
    """The index into `AGE_BANDS` of a row's `birth_date` on `on`."""
    bands = [
        When(birth_date__gt=latest_birth_date_of_age(on=on, years=high), then=Value(index))
        for index, (_low, high) in enumerate(AGE_BANDS)
        if high is not None
    ]
    return Case(*bands, default=Value(len(AGE_BANDS) - 1), output_field=IntegerField())


def _rows(*, on: dt.date, purpose: ConsentPurpose, live: bool) -> tuple[str, tuple[Any, ...]]:
    """SQL and parameters selecting the table's rows (`COHORT_COLUMNS`, then the age band)."""
    if live:
        rows = (
            facts(on=on, patients=consented_patients(purpose=purpose, on=on))
            .annotate(c_age_band=age_band(on=on))
            .values_list("pk", *(f"c_{name}" for name in FACT_COLUMNS[2:]), "c_age_band")
        )
        # The months are worked out from the dates after the insert (as the refresh does).
        return rows.query.sql_with_params()
    stored = (
        CohortFact.objects.filter(patient__in=consented_patients(purpose=purpose, on=on).values("pk"))
        .annotate(c_age_band=age_band(on=on))
        .order_by()
        .values_list("patient_id", *COHORT_COLUMNS[1:], "c_age_band")
    )
    return stored.query.sql_with_params()


def facts_worked_out_on() -> dt.date | None:
    """The latest day the nightly refresh worked out the cohort's facts for (None before the first)."""
    day: dt.date | None = CohortFact.objects.aggregate(day=Max("worked_out_on"))["day"]
    return day


@contextmanager
def cohort_table(
    *, on: dt.date, purpose: ConsentPurpose = ConsentPurpose.REGISTRY, live: bool = False
) -> Iterator[str]:
    """Write the people whose consent to `purpose` counts on `on` into the temporary table, from their
    facts (or, `live`, from their records); answers its quoted name. Dropped after."""
    name = connection.ops.quote_name(TABLE)
    select, params = _rows(on=on, purpose=purpose, live=live)
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # The live way's correlated reads make the planner's cost look high enough to compile the
            # query (JIT), which took 4 of the 4.2 s at 15,000 patients; the queries take tenths.
            cursor.execute("SET jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {name} (id bigint PRIMARY KEY, birth_date date, region varchar(10), "
            "sma_type varchar(20), smn2 varchar(2), therapy varchar(40), "
            "has_smn1 integer, has_smn2 integer, has_type integer, has_function integer, "
            "recent_motor integer, undated_event integer, event_on date, seen_on date, "
            "event_months integer, seen_months integer, age_band integer)"
        )
        if live:
            columns = (*COHORT_COLUMNS[:-2], "age_band")
            cursor.execute(f"INSERT INTO {name} ({', '.join(columns)}) {select}", params)
            cursor.execute(
                f"UPDATE {name} SET event_months = {months_of_age('event_on')},"
                f" seen_months = {months_of_age('seen_on')}"
            )
        else:
            cursor.execute(f"INSERT INTO {name} ({', '.join(COHORT_COLUMNS)}, age_band) {select}", params)
        if postgresql:
            cursor.execute(f"ANALYZE {name}")  # a temporary table has no statistics for the planner
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            if postgresql:
                cursor.execute("RESET jit")
