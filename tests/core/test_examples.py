"""The shipped examples give the right answers through the command line, in both formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# file -> (diagnosis, type, functional group, urgency, statuses of the four therapies, alert codes)
EVALUATIONS: dict[str, tuple[str, str | None, str | None, str, list[str], list[str]]] = {
    "presymptomatic-newborn.json": (
        "confirmed_5q_sma",
        "presymptomatic",
        "non_sitter",
        "urgent",
        ["eligible", "eligible", "eligible", "not_eligible"],
        [],
    ),
    "type1-infant.json": (
        "confirmed_5q_sma",
        "1",
        "non_sitter",
        "routine",
        ["eligible", "eligible", "needs_information", "not_eligible"],
        [],
    ),
    "type2-child.json": (
        "confirmed_5q_sma",
        "2",
        "sitter",
        "prompt",
        ["eligible_with_cautions", "eligible", "not_eligible", "needs_information"],
        ["motor_decline", "assessment_overdue"],
    ),
    "type3-walker.json": (
        "confirmed_5q_sma",
        "3",
        "walker",
        "routine",
        ["eligible", "eligible", "not_eligible", "needs_information"],
        ["treatment_monitoring_due"],
    ),
    "adult-type3-us.json": (
        "confirmed_5q_sma",
        "3",
        "sitter",
        "routine",
        ["eligible", "eligible", "not_eligible", "eligible"],
        [],
    ),
    "adult-carrier.json": (
        "carrier",
        None,
        None,
        "routine",
        ["not_eligible"] * 4,
        [],
    ),
}

# file -> statuses of the agents listed after the contract's four (only where an example shows one)
OTHER_AGENTS: dict[str, dict[str, str]] = {
    "adult-type3-us.json": {"apitegromab": "eligible_with_cautions"},
    "type2-child.json": {"apitegromab": "not_approved_in_region"},
}

TRIAGES: dict[str, tuple[str, str, str]] = {
    "triage-back-pain-after-surgery.json": (
        "consistent_with_paraspinal_muscle_atrophy",
        "see_primary_care_or_spine_specialist",
        "routine",
    ),
    "triage-adult-proximal-weakness.json": ("suggests_neuromuscular_disease", "see_neurologist", "routine"),
    "triage-back-pain-red-flag.json": ("emergency_red_flags", "seek_emergency_care", "emergency"),
    "triage-posture-after-immobilisation.json": (
        "consistent_with_paraspinal_muscle_atrophy",
        "see_primary_care_or_spine_specialist",
        "routine",
    ),
}


def smanav(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smanav.cli", *args, "--as-of", "2026-11-21"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_example_is_covered() -> None:
    assert {path.name for path in EXAMPLES.glob("*.json")} == set(EVALUATIONS) | set(TRIAGES)


@pytest.mark.parametrize("name", sorted(EVALUATIONS))
def test_evaluation_examples(name: str) -> None:
    diagnosis, sma_type, group, urgency, statuses, alerts = EVALUATIONS[name]
    done = smanav("evaluate", str(EXAMPLES / name), "--format", "json")
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["diagnosis"]["status"] == diagnosis
    assert result["classification"]["sma_type"] == sma_type
    assert result["classification"]["functional_group"] == group
    assert result["urgency"]["level"] == urgency
    assert [therapy["status"] for therapy in result["therapies"][:4]] == statuses
    assert [alert["code"] for alert in result["alerts"]] == alerts
    others = {therapy["therapy"]: therapy["status"] for therapy in result["therapies"][4:]}
    for agent, status in OTHER_AGENTS.get(name, {}).items():
        assert others[agent] == status, (agent, others)

    text = smanav("evaluate", str(EXAMPLES / name), "--format", "text")
    assert text.returncode == 0, text.stderr
    assert "What the genetic result means" in text.stdout
    assert result["knowledge_version"] in text.stdout
    assert result["disclaimer"].split(".")[0] in text.stdout.replace("\n", " ")


@pytest.mark.parametrize("name", sorted(TRIAGES))
def test_triage_examples(name: str) -> None:
    pattern, recommendation, urgency = TRIAGES[name]
    done = smanav("triage", str(EXAMPLES / name), "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["pattern"], result["recommendation"], result["urgency"]) == (
        pattern,
        recommendation,
        urgency,
    )
    text = smanav("triage", str(EXAMPLES / name), "--format", "text")
    assert text.returncode == 0, text.stderr
    assert (
        "paraspinal muscle atrophy" in text.stdout.lower()
        or pattern != "consistent_with_paraspinal_muscle_atrophy"
    )
    if recommendation == "seek_emergency_care":
        # The red-flag example is in the UK: its number comes first, once, in both formats.
        assert [item["number"] for item in result["emergency_numbers"]] == ["999"]
        assert text.stdout.count("999") == 1
        assert text.stdout.index("999") < text.stdout.index("What the answers suggest")
