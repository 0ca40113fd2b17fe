"""Classification: every SMA type, presymptomatic, and the functional group."""

from __future__ import annotations

from typing import Any

import pytest

from smanav_core import evaluate
from tests.core.records import AS_OF, record

SYMPTOMATIC = {"birth_date": "2015-01-01", "clinical.symptomatic": True}

SCENARIOS: list[tuple[str, dict[str, Any], str | None]] = [
    ("presymptomatic newborn", {}, "presymptomatic"),
    (
        "onset at birth, no head control: type 0",
        {**SYMPTOMATIC, "clinical.symptom_onset_age_months": 0, "clinical.max_motor_milestone": "none"},
        "0",
    ),
    (
        "onset at birth with head control: type 1",
        {
            **SYMPTOMATIC,
            "clinical.symptom_onset_age_months": 0,
            "clinical.max_motor_milestone": "head_control",
        },
        "1",
    ),
    ("onset 5.9 months: type 1", {**SYMPTOMATIC, "clinical.symptom_onset_age_months": 5.9}, "1"),
    ("onset 6 months: type 2", {**SYMPTOMATIC, "clinical.symptom_onset_age_months": 6}, "2"),
    ("onset 17.9 months: type 2", {**SYMPTOMATIC, "clinical.symptom_onset_age_months": 17.9}, "2"),
    ("onset 18 months: type 3", {**SYMPTOMATIC, "clinical.symptom_onset_age_months": 18}, "3"),
    ("onset 17 years: type 3", {**SYMPTOMATIC, "clinical.symptom_onset_age_months": 204}, "3"),
    (
        "onset 18 years: type 4",
        {**SYMPTOMATIC, "birth_date": "1970-01-01", "clinical.symptom_onset_age_months": 216},
        "4",
    ),
    (
        "treated type 1 who now sits stays type 1",
        {
            **SYMPTOMATIC,
            "clinical.symptom_onset_age_months": 3,
            "clinical.max_motor_milestone": "sits_independently",
        },
        "1",
    ),
    (
        "onset unknown, walked: type 3",
        {**SYMPTOMATIC, "clinical.max_motor_milestone": "walks_independently"},
        "3",
    ),
    (
        "onset unknown, sat: type 2",
        {**SYMPTOMATIC, "clinical.max_motor_milestone": "sits_independently"},
        "2",
    ),
    (
        "onset unknown, stood with support: type 2",
        {**SYMPTOMATIC, "clinical.max_motor_milestone": "stands_with_support"},
        "2",
    ),
    (
        "onset unknown, never sat: type 1",
        {**SYMPTOMATIC, "clinical.max_motor_milestone": "head_control"},
        "1",
    ),
    ("onset and milestone unknown", SYMPTOMATIC, None),
    ("symptom status unknown", {"clinical.symptomatic": None}, None),
    ("no clinical section", {"clinical": ...}, None),
    ("carrier has no type", {"genetics.smn1_copies": 1}, None),
    ("not tested has no type", {"genetics": ..., "clinical.symptomatic": True}, None),
]


@pytest.mark.parametrize(("name", "changes", "sma_type"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_sma_type(name: str, changes: dict[str, Any], sma_type: str | None) -> None:
    classification = evaluate(record(**changes), as_of=AS_OF)["classification"]
    assert classification["sma_type"] == sma_type
    assert classification["reasons"], "every classification explains itself"
    for reason in classification["reasons"]:
        assert reason["sources"]


@pytest.mark.parametrize("group", ["non_sitter", "sitter", "walker"])
def test_functional_group_is_current_function(group: str) -> None:
    result = evaluate(record(**{"clinical.current_motor_function": group}), as_of=AS_OF)
    assert result["classification"]["functional_group"] == group


def test_functional_group_unknown_is_null_not_guessed() -> None:
    result = evaluate(record(**{"clinical.current_motor_function": ...}), as_of=AS_OF)
    assert result["classification"]["functional_group"] is None
