"""Invariants of the engine over generated records (Hypothesis).

Records are generated from the contract's fields and ranges, so every one is valid: the engine must
answer (never crash), the answer must validate against the published JSON Schema, the same input must
give the same output, and more SMN2 copies must never predict a more severe SMA type.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from smanav_core import evaluate
from smanav_core.codes import (
    Feeding,
    FunctionalGroup,
    GeneticMethod,
    Instrument,
    MotorMilestone,
    Region,
    Sex,
    TreatmentTherapy,
    Ventilation,
)
from smanav_core.knowledge.loader import load_knowledge
from smanav_core.schemas import Evaluation, json_schemas
from smanav_core.validation import instrument_ranges

AS_OF = dt.date(2026, 11, 21)
INSTRUMENT_RANGES = instrument_ranges(load_knowledge())
OLDEST = AS_OF - dt.timedelta(days=80 * 365)
EVALUATION_SCHEMA = Draft202012Validator(json_schemas()["evaluation"])
RECORD_SCHEMA = Draft202012Validator(json_schemas()["patient-record"])
PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
# Severity of the classical types: type 0 is the most severe.
TYPE_SEVERITY = {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4}


def enum_values(enum: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([member.value for member in enum])


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def dates_between(start: dt.date, end: dt.date) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=start, max_value=end)


def numbers(low: float, high: float, *, exclude_low: bool = False) -> st.SearchStrategy[float | int]:
    """Whole numbers and two-decimal numbers in [low, high] (above low when `exclude_low`)."""
    smallest = math.floor(low) + 1 if exclude_low else math.ceil(low)
    whole = st.integers(min_value=smallest, max_value=math.floor(high))
    floats = st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    rounded = floats.map(lambda value: min(max(round(value, 2), low), high))
    return st.one_of(whole, rounded.filter(lambda value: value > low or not exclude_low))


VARIANT_TEXT = st.text(alphabet="cACGT.>0123456789+-_del", min_size=1, max_size=20)

genetics = st.fixed_dictionaries(
    {},
    optional={
        "smn1_copies": optional(st.integers(0, 8)),
        "smn1_intragenic_variant": optional(VARIANT_TEXT),
        "smn2_copies": optional(st.integers(0, 8)),
        "smn2_copies_is_minimum": st.booleans(),
        "smn2_modifiers": st.lists(st.sampled_from(["c.859G>C", "c.835-44A>G", "other"]), max_size=3),
        "method": enum_values(GeneticMethod),
    },
)

clinical = st.fixed_dictionaries(
    {},
    optional={
        "symptomatic": optional(st.booleans()),
        "symptom_onset_age_months": optional(numbers(0, 900)),
        "max_motor_milestone": enum_values(MotorMilestone),
        "current_motor_function": enum_values(FunctionalGroup),
        "ventilation": enum_values(Ventilation),
        "feeding": enum_values(Feeding),
        "active_infection": st.booleans(),
        "scoliosis_cobb_deg": numbers(0, 150),
    },
)


@st.composite
def labs(draw: st.DrawFn, birth: dt.date) -> dict[str, Any]:
    return draw(
        st.fixed_dictionaries(
            {},
            optional={
                "anti_aav9_titer": numbers(0, 3200),
                "alt_uln_ratio": numbers(0, 20),
                "ast_uln_ratio": numbers(0, 20),
                "total_bilirubin_uln_ratio": numbers(0, 10),
                "platelets_10e9_per_l": numbers(0, 900),
                "date": dates_between(birth, AS_OF).map(dt.date.isoformat),
            },
        )
    )


@st.composite
def treatments(draw: st.DrawFn, birth: dt.date) -> list[dict[str, Any]]:
    items = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(dates_between(birth, AS_OF))
        end = draw(optional(dates_between(start, AS_OF)))
        items.append(
            {
                "therapy": draw(enum_values(TreatmentTherapy)),
                "start_date": start.isoformat(),
                "end_date": None if end is None else end.isoformat(),
            }
        )
    return items


@st.composite
def assessments(draw: st.DrawFn, birth: dt.date) -> list[dict[str, Any]]:
    items = []
    for _ in range(draw(st.integers(0, 12))):
        instrument = draw(st.sampled_from(list(Instrument)))
        low, high, exclusive = INSTRUMENT_RANGES[instrument]
        items.append(
            {
                "date": draw(dates_between(birth, AS_OF)).isoformat(),
                "instrument": instrument.value,
                "value": draw(numbers(low, high, exclude_low=exclusive)),
            }
        )
    return items


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """Any record the contract accepts on `AS_OF`: no date after it, no treatment ending before it starts."""
    birth = draw(dates_between(OLDEST, AS_OF))
    record: dict[str, Any] = {"birth_date": birth.isoformat(), "region": draw(enum_values(Region))}
    optional_parts = {
        "id": st.text(max_size=30),
        "sex": enum_values(Sex),
        "gestational_age_weeks": numbers(22, 44),
        "weight_kg": numbers(0.5, 150),
        "pregnant": st.booleans(),
        "genetics": genetics,
        "clinical": clinical,
        "labs": labs(birth),
        "treatments": treatments(birth),
        "assessments": assessments(birth),
    }
    for name, strategy in optional_parts.items():
        if draw(st.booleans()):
            record[name] = draw(strategy)
    return record


@st.composite
def confirmed_records(draw: st.DrawFn) -> dict[str, Any]:
    """Records with homozygous SMN1 absence from a diagnostic test (the SMN2 table applies)."""
    record = draw(records())
    record["genetics"] = {**record.get("genetics", {}), "smn1_copies": 0, "method": "mlpa"}
    record["genetics"].pop("smn1_intragenic_variant", None)
    record["genetics"]["smn2_copies_is_minimum"] = False
    return record


@PROPERTY_SETTINGS
@given(records())
def test_any_valid_record_evaluates_to_a_schema_valid_document(record: dict[str, Any]) -> None:
    assert not list(RECORD_SCHEMA.iter_errors(record))
    result = evaluate(record, as_of=AS_OF)
    errors = [
        f"{list(error.absolute_path)}: {error.message}" for error in EVALUATION_SCHEMA.iter_errors(result)
    ]
    assert not errors
    Evaluation.model_validate(result)
    assert result["region"] == record["region"]


@PROPERTY_SETTINGS
@given(records())
def test_same_input_gives_the_same_output(record: dict[str, Any]) -> None:
    first = evaluate(copy.deepcopy(record), as_of=AS_OF)
    second = evaluate(copy.deepcopy(record), as_of=AS_OF)
    assert first == second


@PROPERTY_SETTINGS
@given(records())
def test_the_input_is_not_modified(record: dict[str, Any]) -> None:
    before = copy.deepcopy(record)
    evaluate(record, as_of=AS_OF)
    assert record == before


def most_likely_type(distribution: dict[str, float]) -> int:
    """The most likely type; a tie goes to the more severe one (the cautious reading)."""
    best = max(distribution.values())
    return min(TYPE_SEVERITY[key] for key, share in distribution.items() if share == best)


@PROPERTY_SETTINGS
@given(confirmed_records())
def test_more_smn2_copies_never_predict_a_more_severe_type(record: dict[str, Any]) -> None:
    predicted: list[tuple[int, int]] = []
    classified: list[tuple[int, str | None]] = []
    for copies in range(0, 9):
        changed = copy.deepcopy(record)
        changed["genetics"]["smn2_copies"] = copies
        result = evaluate(changed, as_of=AS_OF)
        distribution = result["diagnosis"]["predicted_type_distribution"]
        if distribution:
            predicted.append((copies, most_likely_type(distribution)))
        classified.append((copies, result["classification"]["sma_type"]))
    likely = [most for _, most in predicted]
    assert likely == sorted(likely), predicted
    severities = [TYPE_SEVERITY[sma_type] for _, sma_type in classified if sma_type in TYPE_SEVERITY]
    assert severities == sorted(severities), classified


def test_the_smn2_table_itself_is_monotonic() -> None:
    """The same property on the knowledge table directly, without depending on generated records."""
    from smanav_core import load_knowledge

    rows = sorted(load_knowledge().genetics.smn2_distribution, key=lambda row: row.smn2_copies)
    if not rows:
        pytest.skip("no SMN2 distribution table in the knowledge base")
    likely = [most_likely_type(dict(row.type_probabilities)) for row in rows]
    assert likely == sorted(likely), [(row.smn2_copies, most) for row, most in zip(rows, likely, strict=True)]
