"""Genetic interpretation: every diagnosis status, from the record to the evaluation document."""

from __future__ import annotations

from typing import Any

import pytest

from smanav_core import evaluate
from tests.core.records import AS_OF, record

SCENARIOS: list[tuple[str, dict[str, Any], str, list[str]]] = [
    # (name, changes, expected status, rule ids that must fire)
    ("no genetics section", {"genetics": ...}, "not_tested", ["genetics.not_tested"]),
    ("SMN1 not counted", {"genetics.smn1_copies": None}, "not_tested", ["genetics.not_tested"]),
    ("0 SMN1 by MLPA confirms", {}, "confirmed_5q_sma", ["genetics.smn1_absent_confirms"]),
    (
        "0 SMN1 on the newborn screen only",
        {"genetics.method": "newborn_screening"},
        "inconclusive",
        ["genetics.newborn_screen_positive"],
    ),
    (
        "0 SMN1, method not recorded",
        {"genetics.method": ...},
        "confirmed_5q_sma",
        ["genetics.smn1_absent_confirms", "genetics.method_unknown"],
    ),
    (
        "1 SMN1 + intragenic variant confirms",
        {
            "genetics.smn1_copies": 1,
            "genetics.smn1_intragenic_variant": "c.815A>G",
            "clinical.symptomatic": True,
        },
        "confirmed_5q_sma",
        ["genetics.compound_heterozygote_confirms"],
    ),
    (
        "1 SMN1 with symptoms is inconclusive",
        {"genetics.smn1_copies": 1, "clinical.symptomatic": True},
        "inconclusive",
        ["genetics.one_copy_with_symptoms"],
    ),
    (
        "1 SMN1 without symptoms is a carrier",
        {"genetics.smn1_copies": 1},
        "carrier",
        ["genetics.one_copy_carrier"],
    ),
    (
        "1 SMN1, symptoms unknown",
        {"genetics.smn1_copies": 1, "clinical": ...},
        "inconclusive",
        ["genetics.one_copy_symptoms_unknown"],
    ),
    (
        "2 SMN1 with symptoms: SMA unlikely",
        {"genetics.smn1_copies": 2, "clinical.symptomatic": True},
        "5q_sma_unlikely",
        ["genetics.two_or_more_copies_with_symptoms"],
    ),
    (
        "2 SMN1 screen: SMA unlikely",
        {"genetics.smn1_copies": 2},
        "5q_sma_unlikely",
        ["genetics.two_or_more_copies"],
    ),
    (
        "2 SMN1 plus a variant: inconclusive, not confirmed",
        {"genetics.smn1_copies": 2, "genetics.smn1_intragenic_variant": "c.815A>G"},
        "inconclusive",
        ["genetics.two_copies_with_variant"],
    ),
]


@pytest.mark.parametrize(("name", "changes", "status", "rules"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_diagnosis_status(name: str, changes: dict[str, Any], status: str, rules: list[str]) -> None:
    diagnosis = evaluate(record(**changes), as_of=AS_OF)["diagnosis"]
    assert diagnosis["status"] == status
    for rule in rules:
        assert rule in diagnosis["rules"]
    assert diagnosis["summary"]
    assert diagnosis["sources"]


def test_unconfirmed_point_is_said_to_be_unconfirmed() -> None:
    diagnosis = evaluate(
        record(**{"genetics.smn1_copies": 2, "genetics.smn1_intragenic_variant": "c.815A>G"}), as_of=AS_OF
    )["diagnosis"]
    assert "Not confirmed" in diagnosis["summary"]


@pytest.mark.parametrize(("copies", "most_likely"), [(1, "1"), (2, "1"), (3, "2"), (4, "3")])
def test_type_distribution_by_smn2_copies(copies: int, most_likely: str) -> None:
    distribution = evaluate(record(**{"genetics.smn2_copies": copies}), as_of=AS_OF)["diagnosis"][
        "predicted_type_distribution"
    ]
    assert max(distribution, key=distribution.get) == most_likely


def test_no_distribution_for_five_copies_or_a_minimum_count() -> None:
    five = evaluate(record(**{"genetics.smn2_copies": 5}), as_of=AS_OF)["diagnosis"]
    assert five["predicted_type_distribution"] is None
    assert "genetics.smn2_distribution_unknown" in five["rules"]
    minimum = evaluate(
        record(**{"genetics.smn2_copies": 4, "genetics.smn2_copies_is_minimum": True}), as_of=AS_OF
    )["diagnosis"]
    assert minimum["predicted_type_distribution"] is None
    assert "genetics.smn2_minimum" in minimum["rules"]


def test_smn2_unknown_asks_for_the_count() -> None:
    diagnosis = evaluate(record(**{"genetics.smn2_copies": None}), as_of=AS_OF)["diagnosis"]
    assert "genetics.smn2_unknown" in diagnosis["rules"]
    assert "Ask for the SMN2 copy number." in diagnosis["next_steps"]


def test_four_copies_ask_for_a_second_method() -> None:
    assert (
        "genetics.confirm_copy_number"
        in evaluate(record(**{"genetics.smn2_copies": 4}), as_of=AS_OF)["diagnosis"]["rules"]
    )


def test_c859_modifier_is_explained() -> None:
    diagnosis = evaluate(record(**{"genetics.smn2_modifiers": ["c.859G>C"]}), as_of=AS_OF)["diagnosis"]
    assert "genetics.modifier_c859" in diagnosis["rules"]


@pytest.mark.parametrize(
    ("changes", "discordant"),
    [
        (
            {
                "genetics.smn2_copies": 2,
                "clinical.symptomatic": True,
                "clinical.max_motor_milestone": "walks_independently",
                "clinical.symptom_onset_age_months": 30,
            },
            True,
        ),
        (
            {"genetics.smn2_copies": 1, "clinical.symptomatic": True, "clinical.symptom_onset_age_months": 8},
            True,
        ),
        (
            {"genetics.smn2_copies": 4, "clinical.symptomatic": True, "clinical.symptom_onset_age_months": 3},
            True,
        ),
        (
            {"genetics.smn2_copies": 2, "clinical.symptomatic": True, "clinical.symptom_onset_age_months": 3},
            False,
        ),
        ({"genetics.smn2_copies": 3}, False),
    ],
)
def test_discordant_copy_number_and_phenotype(changes: dict[str, Any], discordant: bool) -> None:
    changes = {"birth_date": "2020-01-01", **changes}
    rules = evaluate(record(**changes), as_of=AS_OF)["diagnosis"]["rules"]
    assert ("genetics.discordant_copy_number" in rules) is discordant


def test_treated_child_who_sits_with_two_copies_is_not_discordant() -> None:
    changes = {
        "birth_date": "2020-01-01",
        "clinical.symptomatic": True,
        "clinical.symptom_onset_age_months": 3,
        "clinical.max_motor_milestone": "sits_independently",
        "treatments": [{"therapy": "nusinersen", "start_date": "2020-06-01", "end_date": None}],
    }
    assert (
        "genetics.discordant_copy_number"
        not in evaluate(record(**changes), as_of=AS_OF)["diagnosis"]["rules"]
    )
