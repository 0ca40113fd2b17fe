"""The registry's cohort dashboard: counts by type, SMN2 copies, latest treatment, region and age band;
data completeness per clinic; motor-score trajectories by treatment and by SMN2 copies.

Patients come only from `registry.selectors.consented_patients(purpose=REGISTRY)`: someone who never
agreed to take part in the registry, withdrew, or whose parent's consent lapsed is in no figure. Every
count passes `registry.small_cells.suppress`; a mean over fewer people than the threshold is not shown.
No figure names or lists a person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from smanav.patients.models import Assessment, ClinicShare, Treatment
from smanav.registry.models import ConsentPurpose
from smanav.registry.selectors import consented_patients
from smanav.registry.small_cells import Table, suppress
from smanav.vocabulary import REGION_LABELS, SMA_TYPE_LABELS, THERAPY_LABELS, label
from smanav_core.codes import Instrument, Region, SmaType, TreatmentTherapy

AGE_BANDS = ((0, 2), (2, 6), (6, 12), (12, 18), (18, 40), (40, None))
MOTOR_INSTRUMENTS = (
    Instrument.CHOP_INTEND,
    Instrument.HINE2,
    Instrument.HFMSE,
    Instrument.RULM,
    Instrument.MFM32_PERCENT,
    Instrument.SIX_MWT_M,
)
TRAJECTORY_INSTRUMENTS = (Instrument.CHOP_INTEND, Instrument.HFMSE)
TRAJECTORY_YEARS = 6  # years 0 to 5 after the first measurement
NONE = "none"


@dataclass(frozen=True, slots=True)
class Person:
    pk: int
    birth_date: dt.date
    region: str
    sma_type: str
    smn2: str
    smn1: str
    function: str
    therapy: str


def _years(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_band_words(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)s years or more") % {"low": low}
    if low == 0:
        return _("under %(high)s years") % {"high": high}
    return _("%(low)s to %(high)s years") % {"low": low, "high": high - 1}


def smn2_group(copies: str) -> str:
    if not copies:
        return ""
    number = int(float(copies))
    return "2-" if number <= 2 else ("3" if number == 3 else "4+")


SMN2_GROUPS = ("2-", "3", "4+", "")


def smn2_words(group: str) -> str:
    return {
        "2-": _("2 copies or fewer"),
        "3": _("3 copies"),
        "4+": _("4 copies or more"),
        "": _("Not known"),
    }[group]


def therapy_words(code: str) -> str:
    return _("No treatment recorded") if code == NONE else label(THERAPY_LABELS, code)


def cohort(on: dt.date) -> list[Person]:
    """The registry participants on `on`, with what the dashboard counts (one query)."""
    latest_therapy = Subquery(
        Treatment.objects.filter(patient=OuterRef("pk")).order_by("-start_date", "-id").values("therapy")[:1]
    )
    rows = (
        consented_patients(purpose=ConsentPurpose.REGISTRY, on=on)
        .annotate(
            latest_therapy=latest_therapy,
            smn2=KT("genetics__smn2_copies"),
            smn1=KT("genetics__smn1_copies"),
            function=KT("clinical__current_motor_function"),
            type_code=F("summary__sma_type"),
        )
        .values_list("pk", "birth_date", "region", "type_code", "smn2", "smn1", "function", "latest_therapy")
    )
    return [
        Person(pk, birth, region or "", sma or "", smn2 or "", smn1 or "", function or "", therapy or NONE)
        for pk, birth, region, sma, smn2, smn1, function, therapy in rows
    ]


@dataclass(frozen=True, slots=True)
class CountTable:
    title: str
    category: str
    table: Table


def _count(
    people: Iterable[Person], key: Callable[[Person], str], order: list[tuple[str, str]], limit: int
) -> Table:
    counts = dict.fromkeys((words for _code, words in order), 0)
    codes = dict(order)
    for person in people:
        code = key(person)
        counts[codes.get(code, codes.get("", str(_("Not known"))))] += 1
    return suppress(counts, limit=limit)


def count_tables(people: list[Person], *, on: dt.date, limit: int) -> list[CountTable]:
    unknown = ("", str(_("Not known")))
    types = [(t.value, str(SMA_TYPE_LABELS[t.value])) for t in SmaType] + [unknown]
    smn2 = [(group, smn2_words(group)) for group in SMN2_GROUPS]
    therapies = [(t.value, therapy_words(t.value)) for t in TreatmentTherapy] + [(NONE, therapy_words(NONE))]
    regions = [(r.value, str(REGION_LABELS.get(r, r.value))) for r in Region] + [unknown]
    bands = [(str(index), age_band_words(low, high)) for index, (low, high) in enumerate(AGE_BANDS)]

    def band(person: Person) -> str:
        years = _years(person.birth_date, on)
        for index, (low, high) in enumerate(AGE_BANDS):
            if years >= low and (high is None or years < high):
                return str(index)
        return "0"

    return [
        CountTable(_("By SMA type"), _("SMA type"), _count(people, lambda p: p.sma_type, types, limit)),
        CountTable(
            _("By SMN2 copies"), _("SMN2 copies"), _count(people, lambda p: smn2_group(p.smn2), smn2, limit)
        ),
        CountTable(
            _("By latest treatment"),
            _("Latest treatment"),
            _count(people, lambda p: p.therapy, therapies, limit),
        ),
        CountTable(_("By region"), _("Region"), _count(people, lambda p: p.region, regions, limit)),
        CountTable(_("By age"), _("Age"), _count(people, band, bands, limit)),
    ]


@dataclass(frozen=True, slots=True)
class Completeness:
    clinic: str
    people: Table
    items: list[tuple[str, Table]]


def completeness(people: list[Person], *, on: dt.date, limit: int) -> list[Completeness]:
    """For each clinic, of the participants shared with it: how many have each item, suppressed (the
    known and the missing count of each item form one table with the clinic's total)."""
    by_pk = {person.pk: person for person in people}
    recent = set(
        Assessment.objects.filter(
            patient_id__in=list(by_pk),
            instrument__in=MOTOR_INSTRUMENTS,
            date__gte=on - dt.timedelta(days=365),
        )
        .values_list("patient_id", flat=True)
        .distinct()
    )
    clinics: dict[str, list[Person]] = defaultdict(list)
    shares = ClinicShare.objects.filter(withdrawn_at__isnull=True, patient_id__in=list(by_pk)).values_list(
        "clinic__name", "patient_id"
    )
    for name, patient_id in shares:
        clinics[name].append(by_pk[patient_id])
    checks: tuple[tuple[str, Callable[[Person], bool]], ...] = (
        (_("SMN1 copies recorded"), lambda p: bool(p.smn1)),
        (_("SMN2 copies recorded"), lambda p: bool(p.smn2)),
        (_("SMA type known"), lambda p: bool(p.sma_type)),
        (_("Current motor function recorded"), lambda p: bool(p.function)),
        (_("A motor score in the last 12 months"), lambda p: p.pk in recent),
    )
    rows = []
    for name in sorted(clinics):
        members = clinics[name]
        items = []
        for words, has in checks:
            known = sum(1 for person in members if has(person))
            items.append(
                (str(words), suppress({"known": known, "missing": len(members) - known}, limit=limit))
            )
        rows.append(Completeness(name, suppress({"people": len(members)}, limit=limit), items))
    return rows


@dataclass
class Trajectory:
    """Mean change of one measure from each person's first value, by whole years since it, per group."""

    instrument: str
    by: str  # "treatment" or "smn2"
    groups: list[str] = field(default_factory=list)
    # group -> year -> (mean change, people) or None where fewer people than the threshold.
    points: dict[str, list[tuple[float, int] | None]] = field(default_factory=dict)


def trajectories(people: list[Person], *, instrument: str, limit: int) -> list[Trajectory]:
    by_pk = {person.pk: person for person in people}
    changes: dict[int, dict[int, float]] = defaultdict(dict)
    first: dict[int, tuple[dt.date, float]] = {}
    rows = (
        Assessment.objects.filter(patient_id__in=list(by_pk), instrument=instrument)
        .order_by("patient_id", "date", "id")
        .values_list("patient_id", "date", "value")
    )
    for patient_id, date, value in rows.iterator(chunk_size=5000):
        start = first.setdefault(patient_id, (date, value))
        year = (date - start[0]).days * 4 // 1461  # whole years of 365.25 days
        if year < TRAJECTORY_YEARS:
            changes[patient_id][year] = value - start[1]  # the last value of that year counts
    result = []
    for by, key, order in (
        ("treatment", lambda p: p.therapy, [t.value for t in TreatmentTherapy] + [NONE]),
        ("smn2", lambda p: smn2_group(p.smn2), list(SMN2_GROUPS)),
    ):
        sums: dict[str, list[list[float]]] = {g: [[] for _ in range(TRAJECTORY_YEARS)] for g in order}
        for patient_id, years in changes.items():
            group = key(by_pk[patient_id])
            for year, change in years.items():
                sums[group][year].append(change)
        trajectory = Trajectory(instrument=instrument, by=by)
        for group in order:
            points: list[tuple[float, int] | None] = [
                (sum(values) / len(values), len(values)) if len(values) >= limit else None
                for values in sums[group]
            ]
            if any(point is not None for point in points):
                trajectory.groups.append(group)
                trajectory.points[group] = points
        result.append(trajectory)
    return result


def group_words(by: str, group: str) -> str:
    return therapy_words(group) if by == "treatment" else smn2_words(group)
