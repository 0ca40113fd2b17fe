"""Turn a JSON document into a validated record, or raise `InvalidInput` listing every problem.

Structural checks (types, ranges, enumerations, unknown fields) come from the pydantic models; the checks
that need more than one field or the evaluation date (`as_of`) are here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from smanav_core.codes import Instrument, Region
from smanav_core.errors import InvalidInput, got, problems_from_validation_error
from smanav_core.knowledge.loader import Knowledge, load_knowledge
from smanav_core.record import PatientRecord, Treatment, TriageAnswers

# Plausible dates (ADR 0015, a decision of the project, not a clinical fact): typing errors such as
# 0001-01-01 or 9999-12-31 are refused before any date arithmetic. An evaluation date lies within these
# years, and nobody in a record is older than MAX_AGE_YEARS on it: far above any recorded human age, so
# only a mistyped year is refused.
EARLIEST_AS_OF = dt.date(1900, 1, 1)
LATEST_AS_OF = dt.date(2199, 12, 31)
MAX_AGE_YEARS = 150


def validate_as_of(as_of: Any) -> None:
    """Raise `InvalidInput` unless `as_of` is a date (a datetime is refused too) in the plausible years."""
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise InvalidInput([("as_of", "must be a date (YYYY-MM-DD)" + got(as_of))])
    if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
        raise InvalidInput(
            [
                (
                    "as_of",
                    f"must be a date from {EARLIEST_AS_OF.isoformat()} to {LATEST_AS_OF.isoformat()}"
                    + got(as_of.isoformat()),
                )
            ]
        )


def _earliest_birth(as_of: dt.date) -> dt.date:
    # 29 February has no counterpart in most years: the day after the 28th is as plausible.
    try:
        return as_of.replace(year=as_of.year - MAX_AGE_YEARS)
    except ValueError:
        return as_of.replace(year=as_of.year - MAX_AGE_YEARS, day=28)


def validate_region(region: Any) -> Region:
    try:
        return Region(region)
    except ValueError:
        allowed = ", ".join(r.value for r in Region)
        raise InvalidInput([("region", f"must be one of {allowed}" + got(region))]) from None


# (lowest, highest, lowest is itself out of range)
Range = tuple[int | float, int | float, bool]


def instrument_ranges(kb: Knowledge) -> dict[Instrument, Range]:
    """The valid range of each instrument's values, from the measures of the knowledge base."""
    return {
        measure.instrument: (measure.minimum, measure.maximum, measure.minimum_exclusive)
        for measure in kb.measures.measure
    }


Part = TypeVar("Part", bound=BaseModel)


def validate_part(model: type[Part], document: Any, *, at: tuple[str | int, ...]) -> Part:
    """One part of a record (an assessment, a treatment, a dose, a safety test), validated as the whole
    record's validation reads it at `at` (`("assessments", 3)`): the same problems, paths and words.

    For an application that parses what a person sent before it changes a stored record; the checks
    that need the rest of the record or the evaluation date are made when the whole record is
    validated."""
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise InvalidInput(problems_from_validation_error(error, at=at)) from None


def validate_record(document: Any, *, as_of: dt.date, knowledge: Knowledge | None = None) -> PatientRecord:
    validate_as_of(as_of)
    if not isinstance(document, Mapping):
        raise InvalidInput([("record", "must be a JSON object" + got(document))])
    try:
        record = PatientRecord.model_validate(document)
    except ValidationError as error:
        raise InvalidInput(problems_from_validation_error(error)) from None
    ranges = (knowledge or load_knowledge()).prepared(instrument_ranges)
    problems = _record_date_and_range_problems(record, as_of, ranges)
    if problems:
        raise InvalidInput(problems)
    return record


def _after(field: str, when: dt.date, as_of: dt.date) -> tuple[str, str]:
    return (field, f"must not be after the evaluation date {as_of.isoformat()}" + got(when.isoformat()))


def _record_date_and_range_problems(
    record: PatientRecord, as_of: dt.date, ranges: dict[Instrument, Range]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    birth = record.birth_date
    if birth > as_of:
        problems.append(_after("birth_date", birth, as_of))
    elif birth < _earliest_birth(as_of):
        problems.append(
            (
                "birth_date",
                f"must be less than {MAX_AGE_YEARS} years before the evaluation date {as_of.isoformat()} "
                "(is the year mistyped?)" + got(birth.isoformat()),
            )
        )
    if record.labs is not None and record.labs.date is not None:
        if record.labs.date > as_of:
            problems.append(_after("labs.date", record.labs.date, as_of))
        elif record.labs.date < birth:
            problems.append(
                ("labs.date", "must not be before birth_date" + got(record.labs.date.isoformat()))
            )
    for index, treatment in enumerate(record.treatments):
        where = f"treatments[{index}]"
        if treatment.start_date > as_of:
            problems.append(_after(f"{where}.start_date", treatment.start_date, as_of))
        elif treatment.start_date < birth:
            problems.append(
                (
                    f"{where}.start_date",
                    "must not be before birth_date" + got(treatment.start_date.isoformat()),
                )
            )
        if treatment.end_date is not None:
            if treatment.end_date < treatment.start_date:
                problems.append(
                    (
                        f"{where}.end_date",
                        "must not be before the treatment's start_date" + got(treatment.end_date.isoformat()),
                    )
                )
            elif treatment.end_date > as_of:
                problems.append(_after(f"{where}.end_date", treatment.end_date, as_of))
        if treatment.regimen is not None and treatment.regimen.therapy is not treatment.therapy:
            problems.append(
                (
                    f"{where}.regimen",
                    f"is a regimen of {treatment.regimen.therapy.value}, not of {treatment.therapy.value}"
                    + got(treatment.regimen.value),
                )
            )
        problems.extend(_dose_problems(where, treatment, as_of))
    for index, test in enumerate(record.lab_tests):
        if test.date > as_of:
            problems.append(_after(f"lab_tests[{index}].date", test.date, as_of))
        elif test.date < birth:
            problems.append(
                (f"lab_tests[{index}].date", "must not be before birth_date" + got(test.date.isoformat()))
            )
    for index, assessment in enumerate(record.assessments):
        where = f"assessments[{index}]"
        if assessment.date > as_of:
            problems.append(_after(f"{where}.date", assessment.date, as_of))
        elif assessment.date < birth:
            problems.append(
                (f"{where}.date", "must not be before birth_date" + got(assessment.date.isoformat()))
            )
        low, high, low_exclusive = ranges[assessment.instrument]
        value = assessment.value
        if (value <= low if low_exclusive else value < low) or value > high:
            low_words = f"above {low:g}" if low_exclusive else f"from {low:g}"
            problems.append(
                (
                    f"{where}.value",
                    f"must be {low_words} to {high:g} for {assessment.instrument.value}" + got(value),
                )
            )
    return problems


def _dose_problems(where: str, treatment: Treatment, as_of: dt.date) -> list[tuple[str, str]]:
    """Each dose lies inside its course (from the start date to the end date, or to `as_of`)."""
    problems: list[tuple[str, str]] = []
    for index, dose in enumerate(treatment.doses):
        field = f"{where}.doses[{index}].date"
        if dose.date > as_of:
            problems.append(_after(field, dose.date, as_of))
        elif dose.date < treatment.start_date:
            problems.append(
                (field, "must not be before the treatment's start_date" + got(dose.date.isoformat()))
            )
        elif treatment.end_date is not None and dose.date > treatment.end_date:
            problems.append(
                (field, "must not be after the treatment's end_date" + got(dose.date.isoformat()))
            )
    return problems


def validate_triage_answers(document: Any) -> TriageAnswers:
    if not isinstance(document, Mapping):
        raise InvalidInput([("answers", "must be a JSON object" + got(document))])
    try:
        return TriageAnswers.model_validate(document)
    except ValidationError as error:
        raise InvalidInput(problems_from_validation_error(error)) from None
