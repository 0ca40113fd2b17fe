"""Facts derived once from a validated record, shared by every rule.

Rules read these instead of re-deriving them, so that (for example) the age used by the therapy rules and
the care plan is the same number. Nothing here is clinical judgement: ages, sorted histories, what is
ongoing. Clinical interpretation (diagnosis, type) is filled in by `rules.genetics` and
`rules.classification` before the other rules run.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from smanav_core.codes import (
    DiagnosisStatus,
    FunctionalGroup,
    Instrument,
    MonitoringTest,
    Region,
    SmaType,
    TreatmentTherapy,
)
from smanav_core.record import Assessment, Labs, PatientRecord, Treatment

DAYS_PER_MONTH = 365.25 / 12
GENE_THERAPIES = frozenset({TreatmentTherapy.ONASEMNOGENE_IV, TreatmentTherapy.ONASEMNOGENE_IT})
_BY_DATE = attrgetter("date")
_BY_START_DATE = attrgetter("start_date")


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later, or the month's last day when that day does not exist."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = start.day
    # Every month has 28 days: only later days need the length of the month (a hot path in schedules).
    if day > 28:
        day = min(day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def months_between(start: dt.date, end: dt.date) -> float:
    """Whole-calendar-agnostic months (days / 30.44), the unit every age limit here is expressed in."""
    return (end - start).days / DAYS_PER_MONTH


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """What the core makes of one person's record on `as_of`, whatever the region: ages, histories, and
    the interpretation of the genetics and classification rules. Trial matching reads a person; the
    therapy, care-plan and alert rules read `PatientFacts`, a person in a region."""

    record: PatientRecord
    as_of: dt.date
    age_days: int
    age_months: float
    # Every assessment of one instrument, oldest first.
    assessments: Mapping[Instrument, tuple[Assessment, ...]]
    # Every treatment of one therapy, oldest start first.
    treatments: Mapping[TreatmentTherapy, tuple[Treatment, ...]]
    ongoing: frozenset[TreatmentTherapy]
    # The dates each safety test was done, oldest first: `lab_tests[]`, and the `labs` section's date for
    # the tests whose values it holds.
    lab_tests: Mapping[MonitoringTest, tuple[dt.date, ...]] = field(default_factory=dict)
    # The most recent assessment of any instrument (a proxy for the last clinic review).
    last_assessment: Assessment | None = None
    # Interpretation, filled in by the genetics and classification rules.
    diagnosis: DiagnosisStatus = DiagnosisStatus.NOT_TESTED
    sma_type: SmaType | None = None
    functional_group: FunctionalGroup | None = None

    @property
    def age_years(self) -> float:
        return self.age_days / 365.25

    @property
    def smn2_copies(self) -> int | None:
        genetics = self.record.genetics
        return None if genetics is None else genetics.smn2_copies

    @property
    def smn2_is_minimum(self) -> bool:
        genetics = self.record.genetics
        return genetics is not None and genetics.smn2_copies_is_minimum

    @property
    def symptomatic(self) -> bool | None:
        clinical = self.record.clinical
        return None if clinical is None else clinical.symptomatic

    def latest(self, instrument: Instrument) -> Assessment | None:
        history = self.assessments.get(instrument, ())
        return history[-1] if history else None

    def current_weight(self) -> tuple[float, dt.date | None] | None:
        """Current weight: the record's `weight_kg`, else the latest WEIGHT_KG assessment with its date."""
        if self.record.weight_kg is not None:
            return self.record.weight_kg, None
        latest = self.latest(Instrument.WEIGHT_KG)
        return None if latest is None else (latest.value, latest.date)

    @property
    def had_gene_therapy(self) -> bool:
        return any(therapy in self.treatments for therapy in GENE_THERAPIES)


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientFacts(Person):
    """A person in the region whose approvals and schedules apply, shared by every rule."""

    region: Region

    def interpreted(
        self,
        *,
        diagnosis: DiagnosisStatus,
        sma_type: SmaType | None,
        functional_group: FunctionalGroup | None,
    ) -> PatientFacts:
        """These facts with the findings of the genetics and classification rules filled in.

        One construction instead of `dataclasses.replace` (which inspects every field on each call).
        """
        return PatientFacts(
            record=self.record,
            region=self.region,
            as_of=self.as_of,
            age_days=self.age_days,
            age_months=self.age_months,
            assessments=self.assessments,
            treatments=self.treatments,
            ongoing=self.ongoing,
            lab_tests=self.lab_tests,
            last_assessment=self.last_assessment,
            diagnosis=diagnosis,
            sma_type=sma_type,
            functional_group=functional_group,
        )


def derive_facts(
    record: PatientRecord,
    *,
    region: Region,
    as_of: dt.date,
    diagnosis: DiagnosisStatus = DiagnosisStatus.NOT_TESTED,
    sma_type: SmaType | None = None,
    functional_group: FunctionalGroup | None = None,
) -> PatientFacts:
    """The facts of a validated record on `as_of`, in `region`.

    The interpretation (diagnosis, type, functional group) is left for the genetics and classification
    rules unless it is given: the engine works it out from the record first and builds the facts once.
    """
    histories = _histories(record, as_of)
    return PatientFacts(
        record=record,
        region=region,
        as_of=as_of,
        age_days=histories.age_days,
        age_months=histories.age_days / DAYS_PER_MONTH,
        assessments=histories.assessments,
        treatments=histories.treatments,
        ongoing=histories.ongoing,
        lab_tests=histories.lab_tests,
        last_assessment=histories.last_assessment,
        diagnosis=diagnosis,
        sma_type=sma_type,
        functional_group=functional_group,
    )


def derive_person(
    record: PatientRecord,
    *,
    as_of: dt.date,
    diagnosis: DiagnosisStatus = DiagnosisStatus.NOT_TESTED,
    sma_type: SmaType | None = None,
    functional_group: FunctionalGroup | None = None,
) -> Person:
    """`derive_facts` without a region: for questions no region's rules answer (trial criteria)."""
    histories = _histories(record, as_of)
    return Person(
        record=record,
        as_of=as_of,
        age_days=histories.age_days,
        age_months=histories.age_days / DAYS_PER_MONTH,
        assessments=histories.assessments,
        treatments=histories.treatments,
        ongoing=histories.ongoing,
        lab_tests=histories.lab_tests,
        last_assessment=histories.last_assessment,
        diagnosis=diagnosis,
        sma_type=sma_type,
        functional_group=functional_group,
    )


class _Histories(NamedTuple):
    age_days: int
    assessments: Mapping[Instrument, tuple[Assessment, ...]]
    treatments: Mapping[TreatmentTherapy, tuple[Treatment, ...]]
    ongoing: frozenset[TreatmentTherapy]
    lab_tests: Mapping[MonitoringTest, tuple[dt.date, ...]]
    last_assessment: Assessment | None


def _histories(record: PatientRecord, as_of: dt.date) -> _Histories:
    # One stable sort by date, then grouping: each history comes out oldest first, with entries of the
    # same date in the record's order.
    by_instrument: dict[Instrument, list[Assessment]] = {}
    in_date_order = sorted(record.assessments, key=_BY_DATE)
    for assessment in in_date_order:
        history = by_instrument.get(assessment.instrument)
        if history is None:
            by_instrument[assessment.instrument] = [assessment]
        else:
            history.append(assessment)
    by_therapy: dict[TreatmentTherapy, list[Treatment]] = {}
    ongoing: set[TreatmentTherapy] = set()
    for treatment in sorted(record.treatments, key=_BY_START_DATE):
        by_therapy.setdefault(treatment.therapy, []).append(treatment)
        if treatment.end_date is None:
            ongoing.add(treatment.therapy)
    tests: dict[MonitoringTest, set[dt.date]] = {}
    for done in record.lab_tests:
        tests.setdefault(done.test, set()).add(done.date)
    if record.labs is not None and record.labs.date is not None:
        for test in _tests_in(record.labs):
            tests.setdefault(test, set()).add(record.labs.date)
    return _Histories(
        (as_of - record.birth_date).days,
        {key: tuple(items) for key, items in by_instrument.items()},
        {key: tuple(items) for key, items in by_therapy.items()},
        frozenset(ongoing),
        {test: tuple(sorted(dates)) for test, dates in tests.items()},
        in_date_order[-1] if in_date_order else None,
    )


def _tests_in(labs: Labs) -> list[MonitoringTest]:
    """The safety tests whose results the `labs` section holds (a test with no value was not done)."""
    found = []
    if any(
        value is not None
        for value in (labs.alt_uln_ratio, labs.ast_uln_ratio, labs.total_bilirubin_uln_ratio)
    ):
        found.append(MonitoringTest.LIVER_FUNCTION)
    if labs.platelets_10e9_per_l is not None:
        found.append(MonitoringTest.PLATELET_COUNT)
    return found
