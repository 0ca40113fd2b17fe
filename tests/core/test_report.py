"""The family-readable text report: sections in order, codes in words, the same content as the JSON."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from smanav_core import evaluate, triage
from smanav_core.report import (
    STATUS_WORDS,
    THERAPY_NAMES,
    evaluation_questions,
    render_evaluation_text,
    render_triage_text,
)

AS_OF = dt.date(2026, 11, 21)
EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples"
EXAMPLES = sorted(path for path in EXAMPLE_DIR.glob("*.json") if not path.name.startswith("triage-"))
TRIAGE_EXAMPLES = sorted(EXAMPLE_DIR.glob("triage-*.json"))

SECTIONS = [
    "What the genetic result means",
    "Type and what the person can do now",
    "How urgent",
    "Treatment options in the United States",
    "Care plan",
    "Things to watch",
    "Questions to ask your clinical team",
    "Sources and version",
    "Please read",
]


def reason(code: str, text: str, *sources: str) -> dict[str, Any]:
    return {"code": code, "text": text, "sources": list(sources)}


# A hand-made document that exercises every part of the report, independent of the rules' progress.
RESULT: dict[str, Any] = {
    "schema": "smanav.evaluation/1",
    "id": "family-demo",
    "as_of": "2026-11-21",
    "region": "US",
    "knowledge_version": "2026.11.0+abc",
    "age_months": 14.2,
    "diagnosis": {
        "status": "confirmed_5q_sma",
        "summary": "Diagnosis summary sentence.",
        "next_steps": ["Genetic counselling for the family."],
        "predicted_type_distribution": {"1": 0.79, "2": 0.16, "3": 0.05, "4": 0.001},
        "sources": ["src_gen"],
    },
    "classification": {
        "sma_type": "2",
        "functional_group": "sitter",
        "reasons": [reason("type_2", "Type reason sentence.", "src_class")],
    },
    "urgency": {"level": "prompt", "reasons": [reason("untreated", "Urgency reason sentence.", "src_urg")]},
    "therapies": [
        {"therapy": "nusinersen", "status": "eligible", "reasons": []},
        {
            "therapy": "risdiplam",
            "status": "eligible_with_cautions",
            "reasons": [reason("caution", "Caution sentence.", "src_ris")],
        },
        {
            "therapy": "onasemnogene_abeparvovec_iv",
            "status": "needs_information",
            "reasons": [reason("weight", "The current weight is not recorded.", "src_iv")],
        },
        {
            "therapy": "onasemnogene_abeparvovec_it",
            "status": "not_approved_in_region",
            "reasons": [reason("not_approved", "Not approved sentence.", "src_it")],
        },
    ],
    "care_plan": [
        {
            "id": "care.resp",
            "domain": "respiratory",
            "title": "Breathing check",
            "detail": "Detail of the breathing check.",
            "interval_months": 6,
            "due_on": "2027-02-01",
            "due_status": "scheduled",
            "sources": ["src_soc"],
        },
        {
            "id": "care.bone",
            "domain": "bone_health",
            "title": "Bone density scan",
            "detail": "Detail of the scan.",
            "interval_months": 24,
            "sources": ["src_soc"],
        },
        {
            "id": "care.resp2",
            "domain": "respiratory",
            "title": "Cough assistance plan",
            "detail": "Detail of the cough plan.",
            "sources": ["src_soc"],
        },
    ],
    "alerts": [
        {
            "code": "motor_decline",
            "severity": "high",
            "instrument": "HFMSE",
            "text": "HFMSE fell by 3 points.",
            "sources": ["src_mcid"],
        }
    ],
    "disclaimer": "Disclaimer sentence.",
}


def flat(text: str) -> str:
    return " ".join(text.split())


def test_sections_come_in_order_and_the_disclaimer_is_last() -> None:
    text = render_evaluation_text(RESULT)
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert text.rstrip().endswith("Disclaimer sentence.")
    assert text.endswith("\n")


def test_every_sentence_of_the_document_is_in_the_report() -> None:
    text = flat(render_evaluation_text(RESULT))
    sentences = [
        "Diagnosis summary sentence.",
        "Genetic counselling for the family.",
        "Type reason sentence.",
        "Urgency reason sentence.",
        "Caution sentence.",
        "The current weight is not recorded.",
        "Not approved sentence.",
        "Detail of the breathing check.",
        "Detail of the scan.",
        "HFMSE fell by 3 points.",
        "2026.11.0+abc",
    ]
    for sentence in sentences:
        assert sentence in text, sentence


def test_codes_are_put_into_words() -> None:
    text = flat(render_evaluation_text(RESULT))
    assert "5q SMA is confirmed by the genetic result." in text
    assert "Type: SMA type 2" in text
    assert "sitter (can sit without support" in text
    assert "PROMPT: talk to the specialist team within weeks." in text
    assert f"{THERAPY_NAMES['nusinersen']}: {STATUS_WORDS['eligible']}." in text
    assert "not approved in the United States" in text
    assert "confirmed_5q_sma" not in text
    assert "needs_information" not in text


def test_type_distribution_in_plain_numbers() -> None:
    text = render_evaluation_text(RESULT)
    assert "type 1: about 79 in 100" in text
    assert "type 4: fewer than 1 in 100" in text


def test_care_plan_is_grouped_by_domain_with_intervals() -> None:
    text = render_evaluation_text(RESULT)
    breathing = text.index("Breathing:")
    assert breathing < text.index("Breathing check (at least every 6 months; next due 2027-02-01)")
    assert breathing < text.index("Cough assistance plan (once, or when needed)")
    assert text.index("Cough assistance plan") < text.index("Bone health:")
    assert "Bone density scan (at least every 2 years)" in text


def test_sources_are_shown_as_ids() -> None:
    text = flat(render_evaluation_text(RESULT))
    for key in ("src_gen", "src_class", "src_urg", "src_ris", "src_iv", "src_it", "src_soc", "src_mcid"):
        assert key in text
    assert "Sources: src_gen" in text


def test_questions_come_from_next_steps_missing_information_and_alerts() -> None:
    questions = evaluation_questions(RESULT)
    assert any("Genetic counselling for the family." in question for question in questions)
    assert any("The current weight is not recorded." in question for question in questions)
    assert any("HFMSE fell by 3 points." in question for question in questions)
    assert not any("Caution sentence." in question for question in questions)
    assert len(questions) == len(set(questions))


def test_a_sparse_document_still_reads_well() -> None:
    sparse = copy.deepcopy(RESULT)
    sparse.update(care_plan=[], alerts=[], id=None)
    sparse["diagnosis"].update(predicted_type_distribution=None, next_steps=[])
    sparse["classification"].update(sma_type=None, functional_group=None, reasons=[])
    sparse["therapies"] = [dict(item, status="not_eligible") for item in RESULT["therapies"][1:]]
    text = render_evaluation_text(sparse)
    assert "Type: not determined" in text
    assert "What the person can do now: not recorded" in text
    assert "No care-plan items were produced" in text
    assert "No alerts from the information given." in text
    assert "SMA care summary\n" in text


def test_long_lines_are_wrapped() -> None:
    long = copy.deepcopy(RESULT)
    long["diagnosis"]["summary"] = "word " * 100
    assert max(len(line) for line in render_evaluation_text(long).splitlines()) <= 100


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_real_evaluations_render_with_the_same_content(path: Path) -> None:
    result = evaluate(json.loads(path.read_text(encoding="utf-8")), as_of=AS_OF)
    text = flat(render_evaluation_text(result))
    assert flat(result["diagnosis"]["summary"]) in text
    assert flat(result["disclaimer"]) in text
    assert result["knowledge_version"] in text
    for therapy in result["therapies"]:
        for item in therapy["reasons"]:
            assert flat(item["text"]) in text
    for item in result["care_plan"]:
        assert flat(item["title"]) in text
    for alert in result["alerts"]:
        assert flat(alert["text"]) in text


def test_triage_report() -> None:
    result = {
        "schema": "smanav.triage/1",
        "as_of": "2026-11-21",
        "pattern": "consistent_with_paraspinal_muscle_atrophy",
        "recommendation": "see_primary_care_or_spine_specialist",
        "urgency": "routine",
        "reasons": [reason("pattern", "Pattern reason sentence.", "src_psma")],
        "next_steps": ["Ask about physiotherapy for the back muscles."],
        "disclaimer": "Disclaimer sentence.",
    }
    text = render_triage_text(result)
    assert "The answers fit paraspinal muscle atrophy" in text
    assert "See your family doctor or a spine specialist." in text
    assert "ROUTINE" in text
    assert "Pattern reason sentence." in text
    assert "src_psma" in text
    assert text.count("Ask about physiotherapy for the back muscles.") == 2  # next steps and questions
    assert text.rstrip().endswith("Disclaimer sentence.")


def test_therapy_details_from_the_rules_are_shown() -> None:
    detailed = copy.deepcopy(RESULT)
    detailed["therapies"][0].update(
        name="Brand (generic)",
        route="by mouth",
        regimen="Once a day.",
        warnings=[reason("w", "Warning sentence.", "src_w")],
        pre_treatment_tests=["A plain test sentence."],
    )
    text = flat(render_evaluation_text(detailed))
    assert f"Brand (generic): {STATUS_WORDS['eligible']}." in text
    assert "How it is given: by mouth." in text
    assert "Dose: Once a day." in text
    assert "Warnings: - Warning sentence. Sources: src_w" in text
    assert "Tests before starting: - A plain test sentence." in text


@pytest.mark.parametrize("path", TRIAGE_EXAMPLES, ids=[path.stem for path in TRIAGE_EXAMPLES])
def test_real_triage_renders(path: Path) -> None:
    result = triage(json.loads(path.read_text(encoding="utf-8")), as_of=AS_OF)
    text = flat(render_triage_text(result))
    assert flat(result["disclaimer"]) in text
    for item in result["reasons"]:
        assert flat(item["text"]) in text
