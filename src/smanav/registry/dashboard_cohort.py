"""The dashboard's cohort, worked out once per request in the database: one row per registry participant
with what the figures group by, in a temporary table that every figure of the request reads.

`cohort_table(on=..., purpose=...)` selects the participants through
`registry.selectors.consented_patients` (purpose "registry" for coordinators, "research" for
researchers), so a patient who never agreed, withdrew, or whose parent's consent lapsed at coming
of age is in no row; it writes their facts with one `INSERT … SELECT` (no row passes through Python) and
drops the table when the request is done. On PostgreSQL the session does without JIT compilation while
the table lives (see `cohort_table`). The table lives in the database session only (a temporary
table), so two requests on two connections never see each other's.

Columns (plain text, integers and dates, so the figures read them with simple SQL):

* `id`, `birth_date`, `region`, `sma_type` (the summary's type), `smn2` (`2-`, `3`, `4+` or empty),
  `therapy` (the course that started last, or `none`), `age_band` (index into `AGE_BANDS`);
* completeness flags `has_smn1`, `has_smn2`, `has_type`, `has_function`, `recent_motor` (a motor score in
  the 365 days up to the day);
* time to permanent ventilation or gastrostomy (`registry.survival`): `event_months`, whole months of age
  at the first dated report of either; `undated_event` 1 where the record's clinical status shows either
  but no dated report does; `seen_months`, whole months of age on the last day the record tells about the
  person (see `survival`); `event_on` and `seen_on` are those days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
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
from smanav.registry.models import ConsentPurpose, ReportedItem, ReportedValue
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

# The columns `facts` selects, in its order; the months are worked out from the dates after.
COLUMNS = (
    "id",
    "birth_date",
    "region",
    "sma_type",
    "smn2",
    "therapy",
    "age_band",
    "has_smn1",
    "has_smn2",
    "has_type",
    "has_function",
    "recent_motor",
    "undated_event",
    "event_on",
    "seen_on",
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


def facts(*, on: dt.date, purpose: ConsentPurpose = ConsentPurpose.REGISTRY) -> QuerySet[Patient]:
    """The participants on `on` (whose consent to `purpose` counts) with the table's columns, as one
    query (the rows `cohort_table` writes)."""
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
    bands = [
        When(birth_date__gt=latest_birth_date_of_age(on=on, years=high), then=Value(index))
        for index, (_low, high) in enumerate(AGE_BANDS)
        if high is not None
    ]
    return (
        consented_patients(purpose=purpose, on=on)
        .annotate(
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
            c_age_band=Case(*bands, default=Value(len(AGE_BANDS) - 1), output_field=IntegerField()),
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
        .order_by()
        .values_list("pk", "birth_date", *(f"c_{name}" for name in COLUMNS[2:-2]), "event_on", "seen_on")
    )


@contextmanager
def cohort_table(*, on: dt.date, purpose: ConsentPurpose = ConsentPurpose.REGISTRY) -> Iterator[str]:
    """Write the participants on `on` (consent to `purpose`) into the temporary table; answers its quoted
    name. Dropped after."""
    name = connection.ops.quote_name(TABLE)
    select, params = facts(on=on, purpose=purpose).query.sql_with_params()
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # The correlated reads make the planner's cost look high enough to compile the query (JIT),
            # which took 4 of the 4.2 s at 15,000 patients; the queries themselves take tenths.
            cursor.execute("SET jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {name} (id bigint PRIMARY KEY, birth_date date, region varchar(10), "
            "sma_type varchar(20), smn2 varchar(2), therapy varchar(40), age_band integer, "
            "has_smn1 integer, has_smn2 integer, has_type integer, has_function integer, "
            "recent_motor integer, undated_event integer, event_on date, seen_on date, "
            "event_months integer, seen_months integer)"
        )
        cursor.execute(f"INSERT INTO {name} ({', '.join(COLUMNS)}) {select}", params)
        cursor.execute(
            f"UPDATE {name} SET event_months = {months_of_age('event_on')},"
            f" seen_months = {months_of_age('seen_on')}"
        )
        if postgresql:
            cursor.execute(f"ANALYZE {name}")  # a temporary table has no statistics for the planner
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            if postgresql:
                cursor.execute("RESET jit")
