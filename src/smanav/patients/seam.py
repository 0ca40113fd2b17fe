"""The one seam between the database and the clinical core.

`record_for_patient` turns a patient's rows into the contract's patient-record document; everything that
asks the core a question about a stored patient (pages, API, worklist summaries, PDF, FHIR) goes through
`evaluate_patient` here, so the core sees exactly the same input wherever the question comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from smanav.patients.models import Assessment, LabTest, Patient, Treatment
from smanav_core import InvalidInput, evaluate

RECORD_ID_PREFIX = "smanav-patient-"


def _number(value: float | None) -> float | int | None:
    """Whole numbers stored as floats go to the core as ints (the core is strict about types)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def treatments_of(patient: Patient) -> QuerySet[Treatment]:
    """A patient's treatment courses with their doses (one query for the courses, one for the doses)."""
    return patient.treatments.prefetch_related("doses")


def record_for_patient(
    patient: Patient,
    *,
    assessments: Iterable[Assessment] | None = None,
    treatments: Iterable[Treatment] | None = None,
    lab_tests: Iterable[LabTest] | None = None,
) -> dict[str, Any]:
    """The contract's patient record for this patient. Pass already-loaded rows to save queries
    (treatments with their doses prefetched: `treatments_of`)."""
    if assessments is None:
        assessments = patient.assessments.all()
    if treatments is None:
        treatments = treatments_of(patient)
    if lab_tests is None:
        lab_tests = patient.lab_tests.all()
    record: dict[str, Any] = {
        "id": f"{RECORD_ID_PREFIX}{patient.pk}",
        "birth_date": patient.birth_date.isoformat(),
    }
    optional = {
        "region": patient.region or None,
        "sex": patient.sex or None,
        "gestational_age_weeks": _number(patient.gestational_age_weeks),
        "weight_kg": _number(patient.weight_kg),
        "pregnant": patient.pregnant,
        "genetics": patient.genetics,
        "clinical": patient.clinical,
        "labs": patient.labs,
    }
    record.update({key: value for key, value in optional.items() if value is not None})
    record["treatments"] = [
        _treatment(t) for t in sorted(treatments, key=lambda t: (t.start_date, t.pk or 0))
    ]
    record["assessments"] = [
        {"date": a.date.isoformat(), "instrument": a.instrument, "value": _number(a.value)}
        for a in sorted(assessments, key=lambda a: (a.date, a.pk or 0))
    ]
    tests = sorted(lab_tests, key=lambda t: (t.date, t.pk or 0))
    if tests:
        record["lab_tests"] = [{"date": t.date.isoformat(), "test": t.test} for t in tests]
    return record


def _treatment(course: Treatment) -> dict[str, Any]:
    """One course as the contract writes it; the regimen and doses only when recorded."""
    entry: dict[str, Any] = {
        "therapy": course.therapy,
        "start_date": course.start_date.isoformat(),
        "end_date": None if course.end_date is None else course.end_date.isoformat(),
    }
    if course.regimen:
        entry["regimen"] = course.regimen
    # A course not saved yet has no doses to read.
    doses = sorted(course.doses.all(), key=lambda d: (d.date, d.pk or 0)) if course.pk else []
    if doses:
        entry["doses"] = [
            {
                "date": d.date.isoformat(),
                **({} if d.amount_mg is None else {"amount_mg": _number(d.amount_mg)}),
            }
            for d in doses
        ]
    return entry


@dataclass(frozen=True)
class PatientEvaluation:
    """The core's answer for a stored patient, or the problems that stopped it (for example no region)."""

    record: dict[str, Any]
    result: dict[str, Any] | None
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
    record: dict[str, Any], *, as_of: dt.date, region: str | None = None
) -> PatientEvaluation:
    try:
        result = evaluate(record, region=region, as_of=as_of)
    except InvalidInput as error:
        return PatientEvaluation(record=record, result=None, problems=list(error.problems))
    return PatientEvaluation(record=record, result=result)
