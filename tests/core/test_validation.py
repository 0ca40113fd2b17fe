"""Invalid input: every class the contract lists is a problem naming the field, and nothing else happens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smanav_core import InvalidInput, evaluate, triage
from tests.core.records import AS_OF, record

NUSINERSEN_FROM_OCTOBER = {"therapy": "nusinersen", "start_date": "2026-10-01"}

CASES: list[tuple[str, Any, str, str]] = [
    # (name, document, field path, words the message must contain)
    (
        "a regimen of another therapy",
        record(
            treatments=[{"therapy": "risdiplam", "start_date": "2026-10-01", "regimen": "nusinersen_12mg"}]
        ),
        "treatments[0].regimen",
        "is a regimen of nusinersen, not of risdiplam",
    ),
    (
        "unknown regimen",
        record(treatments=[{**NUSINERSEN_FROM_OCTOBER, "regimen": "triple"}]),
        "treatments[0].regimen",
        "must be one of",
    ),
    (
        "a dose before the course started",
        record(treatments=[{**NUSINERSEN_FROM_OCTOBER, "doses": [{"date": "2026-09-30"}]}]),
        "treatments[0].doses[0].date",
        "must not be before the treatment's start_date",
    ),
    (
        "a dose after the course ended",
        record(
            treatments=[
                {**NUSINERSEN_FROM_OCTOBER, "end_date": "2026-10-20", "doses": [{"date": "2026-10-21"}]}
            ]
        ),
        "treatments[0].doses[0].date",
        "must not be after the treatment's end_date",
    ),
    (
        "a dose after as_of",
        record(treatments=[{**NUSINERSEN_FROM_OCTOBER, "doses": [{"date": "2026-11-22"}]}]),
        "treatments[0].doses[0].date",
        "must not be after the evaluation date",
    ),
    (
        "a dose amount of zero",
        record(treatments=[{**NUSINERSEN_FROM_OCTOBER, "doses": [{"date": "2026-10-01", "amount_mg": 0}]}]),
        "treatments[0].doses[0].amount_mg",
        "0",
    ),
    (
        "a safety test after as_of",
        record(lab_tests=[{"date": "2026-11-22", "test": "urine_protein"}]),
        "lab_tests[0].date",
        "must not be after the evaluation date",
    ),
    (
        "an unknown safety test",
        record(lab_tests=[{"date": "2026-11-20", "test": "urine_sugar"}]),
        "lab_tests[0].test",
        "must be one of",
    ),
    ("not an object", ["a", "list"], "record", "must be a JSON object"),
    ("birth date missing", {"region": "US"}, "birth_date", "is required"),
    ("unknown top-level field", record(regoin="US"), "regoin", "is not a known field"),
    (
        "unknown nested field",
        record(**{"genetics.smn2_copy": 2}),
        "genetics.smn2_copy",
        "is not a known field",
    ),
    ("unknown region", record(region="FR"), "region", "must be one of"),
    (
        "unknown enum value",
        record(**{"clinical.ventilation": "sometimes"}),
        "clinical.ventilation",
        "must be one of",
    ),
    (
        "SMN2 out of range",
        record(**{"genetics.smn2_copies": -1}),
        "genetics.smn2_copies",
        "must be a whole number from 0 to 8, or null (got -1)",
    ),
    ("SMN2 not whole", record(**{"genetics.smn2_copies": 2.5}), "genetics.smn2_copies", "whole number"),
    (
        "SMN2 as text is not coerced",
        record(**{"genetics.smn2_copies": "2"}),
        "genetics.smn2_copies",
        "whole number",
    ),
    ("boolean is not a number", record(weight_kg=True), "weight_kg", "kilograms"),
    ("weight zero", record(weight_kg=0), "weight_kg", "above 0"),
    ("gestational age too low", record(gestational_age_weeks=21), "gestational_age_weeks", "22 to 44"),
    ("not a calendar date", record(birth_date="2026-02-30"), "birth_date", "real calendar date"),
    ("date in another format", record(birth_date="21/11/2026"), "birth_date", "YYYY-MM-DD"),
    (
        "birth after as_of",
        record(birth_date="2026-12-01"),
        "birth_date",
        "must not be after the evaluation date",
    ),
    (
        "assessment after as_of",
        record(assessments=[{"date": "2026-12-01", "instrument": "HFMSE", "value": 10}]),
        "assessments[0].date",
        "must not be after",
    ),
    (
        "assessment before birth",
        record(assessments=[{"date": "2020-01-01", "instrument": "HFMSE", "value": 10}]),
        "assessments[0].date",
        "before birth_date",
    ),
    (
        "assessment value out of the instrument's range",
        record(assessments=[{"date": "2026-11-20", "instrument": "HFMSE", "value": 67}]),
        "assessments[0].value",
        "from 0 to 66 for HFMSE (got 67)",
    ),
    (
        "weight assessment of zero",
        record(assessments=[{"date": "2026-11-20", "instrument": "WEIGHT_KG", "value": 0}]),
        "assessments[0].value",
        "above 0",
    ),
    (
        "unknown instrument",
        record(assessments=[{"date": "2026-11-20", "instrument": "HFMS", "value": 1}]),
        "assessments[0].instrument",
        "must be one of",
    ),
    (
        "treatment start after as_of",
        record(treatments=[{"therapy": "risdiplam", "start_date": "2027-01-01", "end_date": None}]),
        "treatments[0].start_date",
        "must not be after",
    ),
    (
        "treatment ending before it starts",
        record(treatments=[{"therapy": "risdiplam", "start_date": "2026-11-10", "end_date": "2026-11-05"}]),
        "treatments[0].end_date",
        "before the treatment's start_date",
    ),
    (
        "treatment ending after as_of",
        record(treatments=[{"therapy": "risdiplam", "start_date": "2026-11-10", "end_date": "2026-12-05"}]),
        "treatments[0].end_date",
        "must not be after",
    ),
    (
        "treatment start before birth",
        record(treatments=[{"therapy": "risdiplam", "start_date": "2019-11-10", "end_date": None}]),
        "treatments[0].start_date",
        "before birth_date",
    ),
    (
        "unknown therapy",
        record(treatments=[{"therapy": "aspirin", "start_date": "2026-11-10"}]),
        "treatments[0].therapy",
        "must be one of",
    ),
    ("labs after as_of", record(labs={"date": "2026-12-01"}), "labs.date", "must not be after"),
    ("labs before birth", record(labs={"date": "2019-12-01"}), "labs.date", "before birth_date"),
    ("negative titre", record(labs={"anti_aav9_titer": -1}), "labs.anti_aav9_titer", "reciprocal titre"),
    (
        "symptomatic as text",
        record(**{"clinical.symptomatic": "yes"}),
        "clinical.symptomatic",
        "true or false",
    ),
]


@pytest.mark.parametrize(("name", "document", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_invalid_record(name: str, document: Any, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        evaluate(document, as_of=AS_OF)
    messages = dict(caught.value.problems)
    assert field in messages, caught.value.problems
    assert words in messages[field]


def test_every_problem_is_listed_at_once() -> None:
    document = record(region="XX", regoin="US", **{"genetics.smn2_copies": 9})
    with pytest.raises(InvalidInput) as caught:
        evaluate(document, as_of=AS_OF)
    assert {field for field, _ in caught.value.problems} == {"region", "regoin", "genetics.smn2_copies"}
    assert caught.value.lines()[0].startswith(caught.value.problems[0][0] + ": ")


def test_region_is_required_from_argument_or_record() -> None:
    with pytest.raises(InvalidInput) as caught:
        evaluate(record(region=...), as_of=AS_OF)
    assert caught.value.problems[0][0] == "region"
    assert evaluate(record(region=...), "JP", as_of=AS_OF)["region"] == "JP"


def test_region_argument_overrides_the_record() -> None:
    assert evaluate(record(), "EU", as_of=AS_OF)["region"] == "EU"


def test_unknown_region_argument() -> None:
    with pytest.raises(InvalidInput) as caught:
        evaluate(record(), "XX", as_of=AS_OF)
    assert caught.value.problems[0][0] == "region"


@pytest.mark.parametrize("as_of", ["2026-11-21", dt.datetime(2026, 11, 21, 10, 0), None])
def test_as_of_must_be_a_date(as_of: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        evaluate(record(), as_of=as_of)
    assert caught.value.problems[0][0] == "as_of"


def test_python_dates_are_accepted_as_well_as_iso_strings() -> None:
    result = evaluate(record(birth_date=dt.date(2026, 10, 21)), as_of=AS_OF)
    assert result["age_months"] == 1.0


def test_extreme_but_valid_values_are_accepted() -> None:
    result = evaluate(
        record(
            weight_kg=299.9,
            gestational_age_weeks=44,
            **{"genetics.smn2_copies": 8, "clinical.scoliosis_cobb_deg": 150},
        ),
        as_of=AS_OF,
    )
    assert result["schema"] == "smanav.evaluation/1"
    assert result["diagnosis"]["status"] == "confirmed_5q_sma"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"age_years": 130}, "age_years"),
        ({}, "age_years"),
        ({"age_years": 40, "symptoms": ["back_ache"]}, "symptoms[0]"),
        ({"age_years": 40, "histroy": []}, "histroy"),
        ("not an object", "answers"),
    ],
)
def test_invalid_triage_answers(answers: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        triage(answers, as_of=AS_OF)
    assert field in dict(caught.value.problems)


# The contract's table of valid ranges (shared/contracts/evaluate.md, "Assessment instruments and their
# valid ranges"), written out here: the knowledge base's measures must keep to it.
CONTRACT_RANGES = {
    "CHOP_INTEND": (0, 64, False),
    "HINE2": (0, 26, False),
    "HFMSE": (0, 66, False),
    "RULM": (0, 37, False),
    "MFM32_PERCENT": (0, 100, False),
    "6MWT_M": (0, 1000, False),
    "FVC_PERCENT_PREDICTED": (0, 200, False),
    "PEAK_COUGH_FLOW_L_MIN": (0, 1000, False),
    "WEIGHT_KG": (0, 300, True),
    "HEIGHT_CM": (20, 250, False),
    "COBB_DEG": (0, 150, False),
}


def test_the_valid_ranges_come_from_the_measures_and_match_the_contract() -> None:
    from smanav_core.knowledge.loader import load_knowledge
    from smanav_core.validation import instrument_ranges

    ranges = {instrument.value: bounds for instrument, bounds in instrument_ranges(load_knowledge()).items()}
    assert ranges == CONTRACT_RANGES


# Issue 14: impossible numbers and mistyped years are refused, naming the field (ADR 0015). NaN passed
# validation (it compares false with every range limit) and then failed in the database.
@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"assessments": [{"date": "2026-11-01", "instrument": "WEIGHT_KG", "value": "X"}]},
            "assessments[0].value",
        ),
        ({"weight_kg": "X"}, "weight_kg"),
        ({"labs": {"alt_uln_ratio": "X"}}, "labs.alt_uln_ratio"),
        ({"clinical.symptom_onset_age_months": "X"}, "clinical.symptom_onset_age_months"),
    ],
)
def test_non_finite_numbers_are_refused(number: float, change: dict[str, Any], field: str) -> None:
    document = record(**{key: _put(value, number) for key, value in change.items()})
    with pytest.raises(InvalidInput) as caught:
        evaluate(document, as_of=AS_OF)
    assert dict(caught.value.problems)[field].startswith("must be a finite number")


def test_non_finite_triage_age_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        triage({"age_years": float("nan")}, as_of=AS_OF)
    assert dict(caught.value.problems)["age_years"].startswith("must be a finite number")


def _put(value: Any, number: float) -> Any:
    if value == "X":
        return number
    if isinstance(value, list):
        return [_put(item, number) for item in value]
    if isinstance(value, dict):
        return {key: _put(item, number) for key, item in value.items()}
    return value


@pytest.mark.parametrize("birth_date", ["0001-01-01", "1776-07-04", "1876-11-20"])
def test_a_birth_date_150_years_or_more_before_the_evaluation_is_refused(birth_date: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        evaluate(record(birth_date=birth_date), as_of=AS_OF)
    assert "150 years" in dict(caught.value.problems)["birth_date"]


def test_the_oldest_plausible_birth_date_is_accepted() -> None:
    assert evaluate(record(birth_date="1876-11-22"), as_of=AS_OF)["age_days"] > 54_000
    # A 29 February evaluation date: the limit falls on the 28th of a year without one.
    evaluate(record(birth_date="1874-03-01"), as_of=dt.date(2024, 2, 29))


@pytest.mark.parametrize("as_of", [dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(2200, 1, 1), dt.date.max])
def test_an_evaluation_date_outside_the_plausible_years_is_refused(as_of: dt.date) -> None:
    for call in (lambda: evaluate(record(), as_of=as_of), lambda: triage({"age_years": 3}, as_of=as_of)):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert dict(caught.value.problems)["as_of"].startswith("must be a date from 1900-01-01 to 2199-12-31")
