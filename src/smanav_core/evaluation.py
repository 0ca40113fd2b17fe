"""What the core answers, as frozen, typed values: an evaluation and a triage result.

The rules build these; an application reads their attributes (`evaluation.urgency.level`,
`alert.latest.date`). JSON is written only at the edges (the CLI, the HTTP API, the summaries a database
keeps), by `to_json()`, which gives the contract's document exactly (`shared/contracts/evaluate.md`):
the same fields in the same order, the optional ones only where the contract's document has them.
Dates are `datetime.date` here and ISO 8601 text in JSON; codes are the contract's enums here and their
values in JSON.

Values the knowledge base fixes (a reason whose text quotes nothing of the person, a note, an undated
care-plan item) are made once per knowledge base and shared by every evaluation: they never change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from smanav_core.codes import (
    AlertCode,
    CareDomain,
    DiagnosisStatus,
    DueStatus,
    FunctionalGroup,
    Instrument,
    Region,
    Severity,
    SmaType,
    TherapyStatus,
    TreatmentTherapy,
    TriagePattern,
    TriageRecommendation,
    TriageUrgency,
    UrgencyLevel,
)

EVALUATION_SCHEMA = "smanav.evaluation/1"
TRIAGE_SCHEMA = "smanav.triage/1"

JsonDocument = dict[str, Any]

# The JSON value of every code these values hold. An enum's `.value` is a Python-level descriptor on
# Python 3.11, and a document writes dozens of codes: a dictionary look-up is several times cheaper.
_VALUE: dict[StrEnum, str] = {
    member: member.value
    for codes in (
        AlertCode,
        CareDomain,
        DiagnosisStatus,
        DueStatus,
        FunctionalGroup,
        Instrument,
        Region,
        Severity,
        SmaType,
        TherapyStatus,
        TreatmentTherapy,
        TriagePattern,
        TriageRecommendation,
        TriageUrgency,
        UrgencyLevel,
    )
    for member in codes
}


def _reasons_json(reasons: tuple[Reason, ...]) -> list[JsonDocument]:
    """Reasons (or notes) as the document writes them; one loop instead of a call per reason."""
    return [{"code": r.code, "text": r.text, "sources": list(r.sources)} for r in reasons]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a status or level was given: a stable code, a sentence for a person and its sources (ids of
    the knowledge base's bibliography)."""

    code: str
    text: str
    sources: tuple[str, ...]

    def to_json(self) -> JsonDocument:
        return {"code": self.code, "text": self.text, "sources": list(self.sources)}


# A note of a therapy (a test before starting, a warning, a contraindication, another regimen) has the
# shape of a reason: a code, a sentence and its sources.
Note = Reason


@dataclass(frozen=True, slots=True)
class Diagnosis:
    status: DiagnosisStatus
    summary: str
    next_steps: tuple[str, ...]
    # Share of each SMA type ("0"-"4") seen with this SMN2 copy number, or None.
    predicted_type_distribution: Mapping[str, float] | None
    sources: tuple[str, ...]
    rules: tuple[str, ...]

    def to_json(self) -> JsonDocument:
        distribution = self.predicted_type_distribution
        return {
            "status": _VALUE[self.status],
            "summary": self.summary,
            "next_steps": list(self.next_steps),
            "predicted_type_distribution": None if distribution is None else dict(distribution),
            "sources": list(self.sources),
            "rules": list(self.rules),
        }


@dataclass(frozen=True, slots=True)
class Classification:
    sma_type: SmaType | None
    functional_group: FunctionalGroup | None
    reasons: tuple[Reason, ...]

    def to_json(self) -> JsonDocument:
        return {
            "sma_type": None if self.sma_type is None else _VALUE[self.sma_type],
            "functional_group": None if self.functional_group is None else _VALUE[self.functional_group],
            "reasons": _reasons_json(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class Urgency:
    level: UrgencyLevel
    reasons: tuple[Reason, ...]

    def to_json(self) -> JsonDocument:
        return {"level": _VALUE[self.level], "reasons": _reasons_json(self.reasons)}


@dataclass(frozen=True, slots=True)
class TherapyAssessment:
    """One therapy in the region: its status with the reasons (most restrictive first), what it is, and
    for a therapy approved in the region the notes that apply to the person and, while the person is
    young enough, the day its age limit closes the option."""

    therapy: str
    status: TherapyStatus
    reasons: tuple[Reason, ...]
    name: str
    route: str
    description: str
    layer: str
    indication: str | None
    regimen: str | None
    rules: tuple[str, ...]
    window_closes_on: dt.date | None = None
    window_sources: tuple[str, ...] = ()
    # None for a therapy not approved in the region (no note is shown for it).
    pre_treatment_tests: tuple[Note, ...] | None = None
    warnings: tuple[Note, ...] | None = None
    contraindications: tuple[Note, ...] | None = None
    regimen_options: tuple[Note, ...] | None = None

    def to_json(self) -> JsonDocument:
        entry: JsonDocument = {
            "therapy": self.therapy,
            "status": _VALUE[self.status],
            "reasons": _reasons_json(self.reasons),
            "name": self.name,
            "route": self.route,
            "description": self.description,
            "layer": self.layer,
            "indication": self.indication,
            "regimen": self.regimen,
            "rules": list(self.rules),
        }
        if self.window_closes_on is not None:
            entry["window_closes_on"] = self.window_closes_on.isoformat()
            entry["window_sources"] = list(self.window_sources)
        if self.pre_treatment_tests is not None:
            for name, notes in (
                ("pre_treatment_tests", self.pre_treatment_tests),
                ("warnings", self.warnings or ()),
                ("contraindications", self.contraindications or ()),
                ("regimen_options", self.regimen_options or ()),
            ):
                entry[name] = _reasons_json(notes)
        return entry


@dataclass(frozen=True, slots=True)
class CarePlanItem:
    """A recommendation of the standards of care for this person. A dated item says when it is next
    due, from what, and how that stands on the evaluation date."""

    id: str
    domain: CareDomain
    title: str
    detail: str
    # The longest gap the source allows between two occurrences (whole months are ints); None: one-off.
    interval_months: int | float | None
    sources: tuple[str, ...]
    due_on: dt.date | None = None
    due_status: DueStatus | None = None
    last_done_on: dt.date | None = None

    def to_json(self) -> JsonDocument:
        entry: JsonDocument = {
            "id": self.id,
            "domain": _VALUE[self.domain],
            "title": self.title,
            "detail": self.detail,
        }
        if self.interval_months is not None:
            entry["interval_months"] = self.interval_months
        entry["sources"] = list(self.sources)
        self._due_json(entry)
        return entry

    def _due_json(self, entry: JsonDocument) -> None:
        if self.due_on is not None and self.due_status is not None:
            entry["due_on"] = self.due_on.isoformat()
            entry["due_status"] = _VALUE[self.due_status]
            if self.last_done_on is not None:
                entry["last_done_on"] = self.last_done_on.isoformat()


@dataclass(frozen=True, slots=True)
class TreatmentMonitoringItem(CarePlanItem):
    """A dose or safety test of a treatment being followed (domain `treatment_monitoring`); its document
    names the sources before the interval."""

    def to_json(self) -> JsonDocument:
        entry: JsonDocument = {
            "id": self.id,
            "domain": _VALUE[self.domain],
            "title": self.title,
            "detail": self.detail,
            "sources": list(self.sources),
        }
        if self.interval_months is not None:
            entry["interval_months"] = self.interval_months
        self._due_json(entry)
        return entry


@dataclass(frozen=True, slots=True)
class Measured:
    """One recorded value of an alert's instrument."""

    value: float
    date: dt.date

    def to_json(self) -> JsonDocument:
        return {"value": self.value, "date": self.date.isoformat()}


@dataclass(frozen=True, slots=True)
class Compared(Measured):
    """The earlier value a fall was measured from, and why it was that one (`DeclineReference`)."""

    reference: str = ""

    def to_json(self) -> JsonDocument:
        return {"value": self.value, "date": self.date.isoformat(), "reference": self.reference}


@dataclass(frozen=True, slots=True)
class Threshold:
    """The cited clinically meaningful change a decline was judged by, and its look-back window."""

    window_months: int
    points: float
    kind: str
    rule: str


@dataclass(frozen=True, slots=True)
class FallAlert:
    """A meaningful decline of a measure (`motor_decline`, with the threshold it reached) or a steady
    fall nobody has a cited threshold for (`measure_trend`, without one)."""

    code: AlertCode
    severity: Severity
    instrument: Instrument
    text: str
    latest: Measured
    compared_with: Compared
    fall: float
    threshold: Threshold | None
    rule: str
    sources: tuple[str, ...]
    course_start: dt.date | None = None

    def to_json(self) -> JsonDocument:
        alert: JsonDocument = {
            "code": _VALUE[self.code],
            "severity": _VALUE[self.severity],
            "instrument": _VALUE[self.instrument],
            "text": self.text,
            "latest": self.latest.to_json(),
            "compared_with": self.compared_with.to_json(),
            "fall": self.fall,
        }
        threshold = self.threshold
        if threshold is not None:
            alert["window_months"] = threshold.window_months
            alert["threshold"] = threshold.points
            alert["threshold_kind"] = threshold.kind
            alert["threshold_rule"] = threshold.rule
        alert["rule"] = self.rule
        alert["sources"] = list(self.sources)
        if self.course_start is not None:
            alert["course_start"] = self.course_start.isoformat()
        return alert


@dataclass(frozen=True, slots=True)
class MissingAssessmentAlert:
    """No assessment is recorded at all."""

    code: AlertCode
    severity: Severity
    text: str
    rule: str
    sources: tuple[str, ...]

    def to_json(self) -> JsonDocument:
        return {
            "code": _VALUE[self.code],
            "severity": _VALUE[self.severity],
            "text": self.text,
            "rule": self.rule,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class OverdueAlert:
    """A review, or a spine X-ray of a known curve, is later than its cited interval allows."""

    code: AlertCode
    severity: Severity
    instrument: Instrument | None
    text: str
    due_on: dt.date
    due_status: DueStatus
    rule: str
    sources: tuple[str, ...]

    def to_json(self) -> JsonDocument:
        alert: JsonDocument = {"code": _VALUE[self.code], "severity": _VALUE[self.severity]}
        if self.instrument is not None:
            alert["instrument"] = _VALUE[self.instrument]
        alert["text"] = self.text
        alert["due_on"] = self.due_on.isoformat()
        alert["due_status"] = _VALUE[self.due_status]
        alert["rule"] = self.rule
        alert["sources"] = list(self.sources)
        return alert


@dataclass(frozen=True, slots=True)
class TreatmentMonitoringAlert:
    """A dose or safety test of a treatment being followed is overdue or due soon."""

    code: AlertCode
    severity: Severity
    therapy: TreatmentTherapy
    text: str
    due_on: dt.date
    due_status: DueStatus
    sources: tuple[str, ...]
    rule: str

    def to_json(self) -> JsonDocument:
        return {
            "code": _VALUE[self.code],
            "severity": _VALUE[self.severity],
            "therapy": _VALUE[self.therapy],
            "text": self.text,
            "due_on": self.due_on.isoformat(),
            "due_status": _VALUE[self.due_status],
            "sources": list(self.sources),
            "rule": self.rule,
        }


Alert = FallAlert | MissingAssessmentAlert | OverdueAlert | TreatmentMonitoringAlert


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The core's answer for one person in one region on one day (`smanav_core.evaluation_of`)."""

    schema: ClassVar[str] = EVALUATION_SCHEMA

    id: str | None
    as_of: dt.date
    region: Region
    knowledge_version: str
    knowledge_reviewed_on: dt.date
    # The exact age on `as_of`: days, and months of 365.25 / 12 days (the JSON rounds it to a tenth).
    age_days: int
    age_months: float
    diagnosis: Diagnosis
    classification: Classification
    urgency: Urgency
    therapies: tuple[TherapyAssessment, ...]
    care_plan: tuple[CarePlanItem, ...]
    alerts: tuple[Alert, ...]
    disclaimer: str

    def to_json(self) -> JsonDocument:
        """The contract's evaluation document (what `smanav evaluate` prints)."""
        return {
            "schema": EVALUATION_SCHEMA,
            "id": self.id,
            "as_of": self.as_of.isoformat(),
            "region": _VALUE[self.region],
            "knowledge_version": self.knowledge_version,
            "knowledge_reviewed_on": self.knowledge_reviewed_on.isoformat(),
            "age_months": round(self.age_months, 1),
            # Extra field: the exact age, so that every report can say it in years, months and days.
            "age_days": self.age_days,
            "diagnosis": self.diagnosis.to_json(),
            "classification": self.classification.to_json(),
            "urgency": self.urgency.to_json(),
            "therapies": [therapy.to_json() for therapy in self.therapies],
            "care_plan": [item.to_json() for item in self.care_plan],
            "alerts": [alert.to_json() for alert in self.alerts],
            "disclaimer": self.disclaimer,
        }


# --- triage ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmergencyNumber:
    region: Region
    number: str
    text: str
    sources: tuple[str, ...]

    def to_json(self) -> JsonDocument:
        return {
            "region": _VALUE[self.region],
            "number": self.number,
            "text": self.text,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class PossibleCondition:
    condition: str
    why: str
    tests: tuple[str, ...]
    sources: tuple[str, ...]
    confirmed: bool

    def to_json(self) -> JsonDocument:
        return {
            "condition": self.condition,
            "why": self.why,
            "tests": list(self.tests),
            "sources": list(self.sources),
            "confirmed": self.confirmed,
        }


@dataclass(frozen=True, slots=True)
class Feature:
    """What one given answer means."""

    answer: str
    label: str
    meaning: str
    sources: tuple[str, ...]

    def to_json(self) -> JsonDocument:
        return {
            "answer": self.answer,
            "label": self.label,
            "meaning": self.meaning,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class TriageResult:
    """The core's answer to the triage questionnaire (`smanav_core.triage_of`)."""

    schema: ClassVar[str] = TRIAGE_SCHEMA

    as_of: dt.date
    knowledge_version: str
    region: Region | None
    pattern: TriagePattern
    recommendation: TriageRecommendation
    urgency: TriageUrgency
    # The numbers to call, first of all, when the recommendation is emergency care; otherwise None.
    emergency_numbers: tuple[EmergencyNumber, ...] | None
    reasons: tuple[Reason, ...]
    next_steps: tuple[str, ...]
    possible_conditions: tuple[PossibleCondition, ...]
    features: tuple[Feature, ...]
    disclaimer: str

    def to_json(self) -> JsonDocument:
        """The contract's triage document (what `smanav triage` prints)."""
        result: JsonDocument = {
            "schema": TRIAGE_SCHEMA,
            "as_of": self.as_of.isoformat(),
            "knowledge_version": self.knowledge_version,
            "region": None if self.region is None else _VALUE[self.region],
            "pattern": _VALUE[self.pattern],
            "recommendation": _VALUE[self.recommendation],
            "urgency": _VALUE[self.urgency],
        }
        if self.emergency_numbers is not None:
            result["emergency_numbers"] = [number.to_json() for number in self.emergency_numbers]
        result["reasons"] = _reasons_json(self.reasons)
        result["next_steps"] = list(self.next_steps)
        result["possible_conditions"] = [item.to_json() for item in self.possible_conditions]
        result["features"] = [item.to_json() for item in self.features]
        result["disclaimer"] = self.disclaimer
        return result
