"""The one seam between the database and the clinical core.

`record_for_patient` turns a patient's rows into the contract's patient-record document; everything that
asks the core a question about a stored patient (pages, API, worklist summaries, PDF, FHIR) goes through
`evaluate_patient` here, so the core sees exactly the same input wherever the question comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from smanav.patients.models import Assessment, LabTest, Patient, Treatment
from smanav_core import Evaluation, InvalidInput, evaluation_of

RECORD_ID_PREFIX = "smanav-patient-"


# A JSON object of the contract (the record, one of its entries), as the core reads it.
JsonObject = dict[str, object]
RecordDocument = JsonObject


def _number(value: float | None) -> float | int | None:
    """Whole numbers stored as floats go to the core as ints (the core is strict about types)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def treatments_of(patient: Patient) -> QuerySet[Treatment]:
    """A patient's treatment courses with their doses (one query for the courses, one for the doses)."""
    return patient.treatments.prefetch_related("doses")


@dataclass
class RecordDraft:
    """A patient's record in parts: its own fields and its three lists, each entry as the contract writes
    it. The services add or change an entry, then ask the core about the whole `document()`."""

    own: JsonObject
    treatments: list[JsonObject]
    # The rows behind `treatments`, in the same order (a service finds a course's entry by its row).
    courses: list[Treatment]
    assessments: list[JsonObject]
    lab_tests: list[JsonObject]

    def document(self) -> RecordDocument:
        record = dict(self.own)
        record["treatments"] = list(self.treatments)
        record["assessments"] = list(self.assessments)
        if self.lab_tests:
            record["lab_tests"] = list(self.lab_tests)
        return record

    def course_index(self, treatment_id: int) -> int | None:
        """The position of the course with this row id in `treatments`, if the record has it."""
        return next((i for i, course in enumerate(self.courses) if course.pk == treatment_id), None)


def record_draft(
    patient: Patient,
    *,
    assessments: Iterable[Assessment] | None = None,
    treatments: Iterable[Treatment] | None = None,
    lab_tests: Iterable[LabTest] | None = None,
) -> RecordDraft:
    """The record of this patient in parts. Pass already-loaded rows to save queries (treatments with
    their doses prefetched: `treatments_of`)."""
    if assessments is None:
        assessments = patient.assessments.all()
    if treatments is None:
        treatments = treatments_of(patient)
    if lab_tests is None:
        lab_tests = patient.lab_tests.all()
    own: JsonObject = {
        "id": f"{RECORD_ID_PREFIX}{patient.pk}",
        "birth_date": patient.birth_date.isoformat(),
    }
    optional: JsonObject = {
        "region": patient.region or None,
        "sex": patient.sex or None,
        "gestational_age_weeks": _number(patient.gestational_age_weeks),
        "weight_kg": _number(patient.weight_kg),
        "pregnant": patient.pregnant,
        "genetics": patient.genetics,
        "clinical": patient.clinical,
        "labs": patient.labs,
    }
    own.update({key: value for key, value in optional.items() if value is not None})
    courses = sorted(treatments, key=lambda t: (t.start_date, t.pk or 0))
    return RecordDraft(
        own=own,
        treatments=[treatment_entry(course) for course in courses],
        courses=courses,
        assessments=[
            assessment_entry(a.date, a.instrument, a.value)
            for a in sorted(assessments, key=lambda a: (a.date, a.pk or 0))
        ],
        lab_tests=[
            lab_test_entry(t.date, t.test) for t in sorted(lab_tests, key=lambda t: (t.date, t.pk or 0))
        ],
    )


def record_for_patient(
    patient: Patient,
    *,
    assessments: Iterable[Assessment] | None = None,
    treatments: Iterable[Treatment] | None = None,
    lab_tests: Iterable[LabTest] | None = None,
) -> RecordDocument:
    """The contract's patient record for this patient. Pass already-loaded rows to save queries
    (treatments with their doses prefetched: `treatments_of`)."""
    draft = record_draft(patient, assessments=assessments, treatments=treatments, lab_tests=lab_tests)
    return draft.document()


def assessment_entry(date: dt.date, instrument: str, value: float) -> JsonObject:
    return {"date": date.isoformat(), "instrument": str(instrument), "value": _number(value)}


def lab_test_entry(date: dt.date, test: str) -> JsonObject:
    return {"date": date.isoformat(), "test": str(test)}


def dose_entry(date: dt.date, amount_mg: float | None) -> JsonObject:
    entry: JsonObject = {"date": date.isoformat()}
    if amount_mg is not None:
        entry["amount_mg"] = _number(amount_mg)
    return entry


def treatment_entry(
    course: Treatment,
    *,
    end_date: dt.date | None = None,
    regimen: str | None = None,
    dose: JsonObject | None = None,
) -> JsonObject:
    """One course as the contract writes it (the regimen and doses only when recorded), with the end
    date, regimen or an extra dose a change would give it."""
    end = course.end_date if end_date is None else end_date
    entry: JsonObject = {
        "therapy": str(course.therapy),
        "start_date": course.start_date.isoformat(),
        "end_date": None if end is None else end.isoformat(),
    }
    chosen = regimen or course.regimen
    if chosen:
        entry["regimen"] = str(chosen)
    # A course not saved yet has no doses to read.
    doses = [
        dose_entry(d.date, d.amount_mg)
        for d in (sorted(course.doses.all(), key=lambda d: (d.date, d.pk or 0)) if course.pk else [])
    ]
    if dose is not None:
        doses.append(dose)
    if doses:
        entry["doses"] = list(doses)
    return entry


@dataclass(frozen=True)
class PatientEvaluation:
    """The core's answer for a stored patient, or the problems that stopped it (for example no region)."""

    record: RecordDocument
    result: Evaluation | None
    problems: list[tuple[str, str]] = field(default_factory=list)


def evaluate_patient(
    patient: Patient,
    *,
    as_of: dt.date,
    region: str | None = None,
    assessments: Iterable[Assessment] | None = None,
    treatments: Iterable[Treatment] | None = None,
    lab_tests: Iterable[LabTest] | None = None,
) -> PatientEvaluation:
    """The core's answer for this patient. Pass already-loaded rows to save queries."""
    record = record_for_patient(patient, assessments=assessments, treatments=treatments, lab_tests=lab_tests)
    return evaluate_record(record, as_of=as_of, region=region)


def evaluate_record(
    record: RecordDocument, *, as_of: dt.date, region: str | None = None
) -> PatientEvaluation:
    try:
        result = evaluation_of(record, region=region, as_of=as_of)
    except InvalidInput as error:
        return PatientEvaluation(record=record, result=None, problems=list(error.problems))
    return PatientEvaluation(record=record, result=result)
