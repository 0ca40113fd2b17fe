"""Urgency: the newborn-screening algorithm, untreated symptomatic children, unconfirmed results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smanav_core import evaluate
from smanav_core.dates import day_words
from tests.core.records import AS_OF, born_months_ago, record

NUSINERSEN = [{"therapy": "nusinersen", "start_date": born_months_ago(0.5), "end_date": None}]

SCENARIOS: list[tuple[str, dict[str, Any], str, str]] = [
    ("presymptomatic, 2 copies", {}, "urgent", "treat_immediately"),
    ("presymptomatic, 3 copies", {"genetics.smn2_copies": 3}, "urgent", "treat_immediately"),
    ("presymptomatic, 4 copies (2020 update)", {"genetics.smn2_copies": 4}, "urgent", "treat_immediately"),
    (
        "presymptomatic, at least 4 copies",
        {"genetics.smn2_copies": 4, "genetics.smn2_copies_is_minimum": True},
        "urgent",
        "treat_immediately",
    ),
    ("presymptomatic, 1 copy", {"genetics.smn2_copies": 1}, "urgent", "very_few_smn2_copies"),
    ("presymptomatic, 5 copies", {"genetics.smn2_copies": 5}, "prompt", "individual_decision"),
    (
        "presymptomatic, copies unknown",
        {"genetics.smn2_copies": None},
        "urgent",
        "presymptomatic_smn2_unknown",
    ),
    ("presymptomatic, already treated", {"treatments": NUSINERSEN}, "routine", "routine"),
    (
        "screen positive, not yet confirmed",
        {"genetics.method": "newborn_screening"},
        "urgent",
        "newborn_screen_positive",
    ),
    (
        "symptomatic type 1, untreated",
        {
            "birth_date": born_months_ago(4),
            "clinical.symptomatic": True,
            "clinical.symptom_onset_age_months": 2,
        },
        "urgent",
        "symptomatic_infant_untreated",
    ),
    (
        "symptomatic type 2 toddler, untreated",
        {
            "birth_date": born_months_ago(14),
            "clinical.symptomatic": True,
            "clinical.symptom_onset_age_months": 9,
        },
        "urgent",
        "symptomatic_infant_untreated",
    ),
    (
        "type 3 child, untreated",
        {"birth_date": "2016-01-01", "clinical.symptomatic": True, "clinical.symptom_onset_age_months": 30},
        "prompt",
        "untreated_confirmed",
    ),
    (
        "infant with symptoms, not tested",
        {"genetics": ..., "clinical.symptomatic": True},
        "urgent",
        "symptomatic_infant_not_confirmed",
    ),
    (
        "adult with symptoms, not tested",
        {"birth_date": "1990-01-01", "genetics": ..., "clinical.symptomatic": True},
        "prompt",
        "symptomatic_not_confirmed",
    ),
    (
        "adult with symptoms, one copy",
        {"birth_date": "1990-01-01", "genetics.smn1_copies": 1, "clinical.symptomatic": True},
        "prompt",
        "symptomatic_not_confirmed",
    ),
    ("carrier", {"birth_date": "1990-01-01", "genetics.smn1_copies": 1}, "routine", "routine"),
    ("not tested, no symptoms", {"genetics": ...}, "routine", "routine_genetics_unknown"),
    (
        "not tested, symptoms unknown",
        {"genetics": ..., "clinical": ...},
        "routine",
        "routine_genetics_unknown",
    ),
    (
        "inconclusive laboratory result, no symptoms",
        {"birth_date": "1990-01-01", "genetics.smn1_copies": None, "genetics.method": "mlpa"},
        "routine",
        "routine_genetics_unknown",
    ),
]


@pytest.mark.parametrize(("name", "changes", "level", "code"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_urgency(name: str, changes: dict[str, Any], level: str, code: str) -> None:
    urgency = evaluate(record(**changes), as_of=AS_OF)["urgency"]
    assert urgency["level"] == level
    assert urgency["reasons"][0]["code"] == code
    assert all(reason["sources"] for reason in urgency["reasons"])


@pytest.mark.parametrize(("age_months", "level"), [(20.0, "routine"), (22.5, "prompt"), (23.5, "urgent")])
def test_closing_age_window_raises_urgency(age_months: float, level: str) -> None:
    changes = {
        "birth_date": born_months_ago(age_months),
        "weight_kg": 11.0,
        "labs": {"anti_aav9_titer": 0},
        "clinical.symptomatic": True,
        "clinical.symptom_onset_age_months": 8,
        "treatments": [{"therapy": "risdiplam", "start_date": born_months_ago(10), "end_date": None}],
    }
    result = evaluate(record(**changes), as_of=AS_OF)
    iv = result["therapies"][2]
    assert iv["therapy"] == "onasemnogene_abeparvovec_iv"
    assert iv["window_closes_on"] > AS_OF.isoformat()
    assert result["urgency"]["level"] == level
    if level != "routine":
        window = next(r for r in result["urgency"]["reasons"] if r["code"] == "eligibility_window")
        assert day_words(dt.date.fromisoformat(iv["window_closes_on"])) in window["text"]
        assert "zolgensma_us_pi" in window["sources"]


def test_no_window_once_the_limit_has_passed() -> None:
    result = evaluate(record(birth_date=born_months_ago(25)), as_of=AS_OF)
    assert "window_closes_on" not in result["therapies"][2]


def test_motor_decline_makes_the_decision_prompt() -> None:
    changes = {
        "birth_date": "2018-01-01",
        "clinical.symptomatic": True,
        "clinical.symptom_onset_age_months": 10,
        "clinical.current_motor_function": "sitter",
        "treatments": [{"therapy": "risdiplam", "start_date": "2019-01-01", "end_date": None}],
        "assessments": [
            {"date": "2026-05-01", "instrument": "HFMSE", "value": 30},
            {"date": "2026-11-01", "instrument": "HFMSE", "value": 27},
        ],
    }
    urgency = evaluate(record(**changes), as_of=AS_OF)["urgency"]
    assert urgency["level"] == "prompt"
    assert urgency["reasons"][0]["code"] == "motor_decline"
