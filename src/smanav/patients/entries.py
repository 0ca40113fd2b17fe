"""What a form or an API call sent, parsed into the typed values the services take.

The parts are validated by the clinical core's own models at the place they will take in the record
(`validate_part`), so a person reads the same problem, with the same path, as the core gives for the
whole record (`assessments[2].date: must be a real calendar date ...`). What needs the rest of the
record or the evaluation date (a value out of its instrument's range, a date in the future, a dose
outside its course) is judged by the service, which validates the whole record it would save.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from smanav.patients.models import Patient
from smanav.patients.seam import JsonObject, record_draft
from smanav_core import InvalidInput
from smanav_core import record as contract
from smanav_core.codes import Instrument, MonitoringTest, Regimen, TreatmentTherapy
from smanav_core.validation import validate_part


@dataclass(frozen=True, slots=True)
class AssessmentEntry:
    date: dt.date
    instrument: Instrument
    value: float


@dataclass(frozen=True, slots=True)
class TreatmentEntry:
    therapy: TreatmentTherapy
    start_date: dt.date
    end_date: dt.date | None
    regimen: Regimen | None


@dataclass(frozen=True, slots=True)
class DoseEntry:
    date: dt.date
    amount_mg: float | None


@dataclass(frozen=True, slots=True)
class LabTestsEntry:
    date: dt.date
    tests: tuple[MonitoringTest, ...]


def parse_assessment(patient: Patient, *, date: object, instrument: object, value: object) -> AssessmentEntry:
    at = ("assessments", patient.assessments.count())
    part = validate_part(contract.Assessment, {"date": date, "instrument": instrument, "value": value}, at=at)
    return AssessmentEntry(part.date, part.instrument, part.value)


def parse_treatment(
    patient: Patient, *, therapy: object, start_date: object, end_date: object, regimen: object
) -> TreatmentEntry:
    at = ("treatments", patient.treatments.count())
    document = {"therapy": therapy, "start_date": start_date, "end_date": end_date}
    if regimen:
        document["regimen"] = regimen
    part = validate_part(contract.Treatment, document, at=at)
    return TreatmentEntry(part.therapy, part.start_date, part.end_date, part.regimen)


def parse_end_date(patient: Patient, *, treatment_id: int, end_date: object) -> dt.date | None:
    """The end date of a course (None when none was sent: the service says it is required)."""
    if end_date is None:
        return None
    draft = record_draft(patient)
    index = draft.course_index(treatment_id)
    if index is None:
        return None  # no such course: the service answers that
    part = validate_part(
        contract.Treatment, {**draft.treatments[index], "end_date": end_date}, at=("treatments", index)
    )
    return part.end_date


def parse_dose(patient: Patient, *, treatment_id: int, date: object, amount_mg: object) -> DoseEntry | None:
    """The dose, or None when the record has no such course (the service answers that)."""
    draft = record_draft(patient)
    index = draft.course_index(treatment_id)
    if index is None:
        return None
    document: JsonObject = {"date": date}
    if amount_mg is not None:
        document["amount_mg"] = amount_mg
    at = ("treatments", index, "doses", draft.courses[index].doses.count())
    part = validate_part(contract.Dose, document, at=at)
    return DoseEntry(part.date, part.amount_mg)


def parse_lab_tests(patient: Patient, *, date: object, tests: list[str]) -> LabTestsEntry:
    """The safety tests done on one date (each named once); at least one."""
    chosen = list(dict.fromkeys(tests))
    if not chosen:
        raise InvalidInput([("lab_tests", "choose at least one test")])
    first = patient.lab_tests.count()
    parts: list[contract.LabTest] = []
    problems: list[tuple[str, str]] = []
    for offset, test in enumerate(chosen):
        try:
            parts.append(
                validate_part(
                    contract.LabTest, {"date": date, "test": test}, at=("lab_tests", first + offset)
                )
            )
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems)
    return LabTestsEntry(parts[0].date, tuple(part.test for part in parts))
