"""The registry's cohort dashboard: counts by type, SMN2 copies, latest treatment, region and age band;
data completeness per clinic; motor-score trajectories by treatment and by SMN2 copies. The time to
permanent ventilation or gastrostomy is in `registry.survival`.

Every figure reads the request's cohort table (`registry.dashboard_cohort.cohort_table`): registry
participants only, worked out once per request. The figures are aggregated in SQL; Python sees groups,
never people. Every count passes `registry.small_cells.suppress`; a mean over fewer people than the
threshold is not shown. No figure names or lists a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from smanav.accounts.models import Clinic
from smanav.patients.models import Assessment, ClinicShare
from smanav.registry.dashboard_cohort import AGE_BANDS, NONE
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


def trajectories(cohort: str, *, instrument: str, limit: int) -> list[Trajectory]:
    """By latest treatment and by SMN2 copies: for each whole year since a person's first measurement,
    the mean of (their last value that year − their first value), from one query grouped by treatment,
    SMN2 copies and year (sums and counts, so the two groupings add up from the same rows)."""
    year = f"({_days_between('date', 'first_date')} * 4) / 1461"  # whole years of 365.25 days
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH series AS ("
            " SELECT a.patient_id, a.date, a.id, a.value,"
            "  FIRST_VALUE(a.date) OVER (PARTITION BY a.patient_id ORDER BY a.date, a.id) AS first_date,"
            "  FIRST_VALUE(a.value) OVER (PARTITION BY a.patient_id ORDER BY a.date, a.id) AS first_value"
            f" FROM {_table(Assessment)} a JOIN {cohort} c ON c.id = a.patient_id"
            " WHERE a.instrument = %s),"
            " yearly AS ("
            f" SELECT patient_id, value - first_value AS change, {year} AS year,"
            f"  ROW_NUMBER() OVER (PARTITION BY patient_id, {year} ORDER BY date DESC, id DESC) AS latest"
            " FROM series)"
            " SELECT c.therapy, c.smn2, y.year, SUM(y.change), COUNT(*)"
            f" FROM yearly y JOIN {cohort} c ON c.id = y.patient_id"
            " WHERE y.latest = 1 AND y.year < %s"
            " GROUP BY c.therapy, c.smn2, y.year",
            [instrument, TRAJECTORY_YEARS],
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
