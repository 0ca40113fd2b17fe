"""The registry's cohort dashboard: counts by type, SMN2 copies, latest treatment, region and age band;
data completeness per clinic; motor-score trajectories by treatment and by SMN2 copies. The time to
permanent ventilation or gastrostomy is in `registry.survival`.

Every figure reads the request's cohort table (`registry.dashboard_cohort.cohort_table`): registry
participants only, their facts as the nightly refresh worked them out (ADR 0029), chosen by consent at
request time; the trajectories read the refresh's points (`TrajectoryPoint`) of those participants.
The figures are aggregated in SQL; Python sees groups, never people. Every count passes
`registry.small_cells.suppress`; a mean over fewer people than the threshold is not shown.
No figure names or lists a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from smanav.accounts.models import Clinic
from smanav.patients.models import Assessment, ClinicShare
from smanav.registry.dashboard_cohort import AGE_BANDS, NONE
from smanav.registry.models import TrajectoryPoint
from smanav.registry.small_cells import Table, suppress
from smanav.vocabulary import REGION_LABELS, SMA_TYPE_LABELS, THERAPY_LABELS, label
from smanav_core.codes import Instrument, Region, SmaType, TreatmentTherapy

TRAJECTORY_INSTRUMENTS = (Instrument.CHOP_INTEND, Instrument.HFMSE)
TRAJECTORY_YEARS = 6  # years 0 to 5 after the first measurement
SMN2_GROUPS = ("2-", "3", "4+", "")


def _table(model: type[object]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))  # type: ignore[attr-defined]


def age_band_words(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)s years or more") % {"low": low}
    if low == 0:
        return _("under %(high)s years") % {"high": high}
    return _("%(low)s to %(high)s years") % {"low": low, "high": high - 1}


def smn2_words(group: str) -> str:
    return {
        "2-": _("2 copies or fewer"),
        "3": _("3 copies"),
        "4+": _("4 copies or more"),
        "": _("Not known"),
    }[group]


def therapy_words(code: str) -> str:
    return _("No treatment recorded") if code == NONE else label(THERAPY_LABELS, code)


def group_words(by: str, group: str) -> str:
    return therapy_words(group) if by == "treatment" else smn2_words(group)


@dataclass(frozen=True, slots=True)
class CountTable:
    title: str
    category: str
    table: Table


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    tables: list[CountTable]


def counts(cohort: str, *, limit: int) -> Counts:
    """The five count tables and the number of participants, from one grouped query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sma_type, smn2, therapy, region, age_band, COUNT(*) FROM {cohort} "
            "GROUP BY sma_type, smn2, therapy, region, age_band"
        )
        cube = cursor.fetchall()
    unknown = ("", str(_("Not known")))
    orders: list[tuple[str, str, list[tuple[str, str]]]] = [
        (
            _("By SMA type"),
            _("SMA type"),
            [(t.value, str(SMA_TYPE_LABELS[t.value])) for t in SmaType] + [unknown],
        ),
        (_("By SMN2 copies"), _("SMN2 copies"), [(group, smn2_words(group)) for group in SMN2_GROUPS]),
        (
            _("By latest treatment"),
            _("Latest treatment"),
            [(t.value, therapy_words(t.value)) for t in TreatmentTherapy] + [(NONE, therapy_words(NONE))],
        ),
        (
            _("By region"),
            _("Region"),
            [(r.value, str(REGION_LABELS.get(r, r.value))) for r in Region] + [unknown],
        ),
        (
            _("By age"),
            _("Age"),
            [(str(index), age_band_words(low, high)) for index, (low, high) in enumerate(AGE_BANDS)],
        ),
    ]
    tables = []
    for position, (title, category, order) in enumerate(orders):
        cells = dict.fromkeys((words for _code, words in order), 0)
        codes = dict(order)
        for row in cube:
            code = str(row[position] if row[position] is not None else "")
            # A code the dashboard does not know (a region added since) counts as "Not known" if the
            # table has such a row, else under its own code.
            words = codes.get(code, codes.get("", code))
            cells[words] = cells.get(words, 0) + int(row[5])
        tables.append(CountTable(title, category, suppress(cells, limit=limit)))
    return Counts(total=sum(int(row[5]) for row in cube), tables=tables)


@dataclass(frozen=True, slots=True)
class Completeness:
    clinic: str
    people: Table
    items: list[tuple[str, Table]]


def completeness(cohort: str, *, limit: int) -> list[Completeness]:
    """For each clinic, of the participants shared with it: how many have each item, suppressed (the
    known and the missing count of each item form one table with the clinic's total)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT clinic.name, COUNT(*), SUM(c.has_smn1), SUM(c.has_smn2), SUM(c.has_type), "
            f"SUM(c.has_function), SUM(c.recent_motor) FROM {cohort} c "
            f"JOIN {_table(ClinicShare)} share ON share.patient_id = c.id AND share.withdrawn_at IS NULL "
            f"JOIN {_table(Clinic)} clinic ON clinic.id = share.clinic_id "
            "GROUP BY clinic.id, clinic.name ORDER BY clinic.name, clinic.id"
        )
        rows = cursor.fetchall()
    words = (
        _("SMN1 copies recorded"),
        _("SMN2 copies recorded"),
        _("SMA type known"),
        _("Current motor function recorded"),
        _("A motor score in the last 12 months"),
    )
    result = []
    for name, members, *known in rows:
        items = [
            (str(item), suppress({"known": int(n), "missing": int(members) - int(n)}, limit=limit))
            for item, n in zip(words, known, strict=True)
        ]
        result.append(Completeness(name, suppress({"people": int(members)}, limit=limit), items))
    return result


@dataclass
class Trajectory:
    """Mean change of one measure from each person's first value, by whole years since it, per group."""

    instrument: str
    by: str  # "treatment" or "smn2"
    groups: list[str] = field(default_factory=list)
    # group -> year -> (mean change, people) or None where fewer people than the threshold.
    points: dict[str, list[tuple[float, int] | None]] = field(default_factory=dict)


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def trajectory_points_sql(members: str) -> tuple[str, list[str]]:
    """SQL selecting `(patient_id, instrument, year, change)` for the people whose ids `members` (SQL)
    selects, from their measurements of the trajectory measures: for each whole year (of 365.25 days)
    since their first measurement of a measure, up to `TRAJECTORY_YEARS`, their last value that year
    (latest date, then latest row) minus their first (earliest date, then earliest row)."""
    year = f"({_days_between('date', 'first_date')} * 4) / 1461"
    window = "PARTITION BY a.patient_id, a.instrument ORDER BY a.date, a.id"
    instruments = ", ".join("%s" for _ in TRAJECTORY_INSTRUMENTS)
    sql = (
        "SELECT patient_id, instrument, year, change FROM ("
        f" SELECT patient_id, instrument, value - first_value AS change, {year} AS year,"
        f"  ROW_NUMBER() OVER (PARTITION BY patient_id, instrument, {year}"
        "   ORDER BY date DESC, id DESC) AS latest"
        " FROM ("
        "  SELECT a.patient_id, a.instrument, a.date, a.id, a.value,"
        f"   FIRST_VALUE(a.date) OVER ({window}) AS first_date,"
        f"   FIRST_VALUE(a.value) OVER ({window}) AS first_value"
        f"  FROM {_table(Assessment)} a"
        f"  WHERE a.instrument IN ({instruments}) AND a.patient_id IN ({members})"
        " ) series"
        f") yearly WHERE latest = 1 AND year < {int(TRAJECTORY_YEARS)}"
    )
    return sql, [str(instrument) for instrument in TRAJECTORY_INSTRUMENTS]


def trajectories(cohort: str, *, instrument: str, limit: int, live: bool = False) -> list[Trajectory]:
    """By latest treatment and by SMN2 copies: for each whole year since a person's first measurement,
    the mean of (their last value that year − their first value), from one query grouped by treatment,
    SMN2 copies and year (sums and counts, so the two groupings add up from the same rows). The points
    are the nightly refresh's (`TrajectoryPoint`) or, `live`, worked out from the measurements."""
    if live:
        computed, params = trajectory_points_sql(f"SELECT id FROM {cohort}")
        source = f"({computed})"
    else:
        source, params = _table(TrajectoryPoint), list[str]()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.therapy, c.smn2, p.year, SUM(p.change), COUNT(*)"
            f" FROM {source} p JOIN {cohort} c ON c.id = p.patient_id"
            " WHERE p.instrument = %s"
            " GROUP BY c.therapy, c.smn2, p.year",
            [*params, instrument],
        )
        rows = cursor.fetchall()
    result = []
    groupings: tuple[tuple[str, int, list[str]], ...] = (
        ("treatment", 0, [t.value for t in TreatmentTherapy] + [NONE]),
        ("smn2", 1, list(SMN2_GROUPS)),
    )
    for by, position, order in groupings:
        sums: dict[str, list[list[float]]] = defaultdict(
            lambda: [[0.0, 0.0] for _ in range(TRAJECTORY_YEARS)]
        )
        for row in rows:
            cell = sums[row[position] or ""][int(row[2])]
            cell[0] += float(row[3])
            cell[1] += float(row[4])
        trajectory = Trajectory(instrument=instrument, by=by)
        for group in order:
            points: list[tuple[float, int] | None] = [
                (total / people, int(people)) if people >= limit else None for total, people in sums[group]
            ]
            if any(point is not None for point in points):
                trajectory.groups.append(group)
                trajectory.points[group] = points
        result.append(trajectory)
    return result
