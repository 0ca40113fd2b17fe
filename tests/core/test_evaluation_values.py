"""The core answers frozen, typed values; the contract's document is their `to_json()`, and nothing the
core keeps changes while it answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from smanav_core import Evaluation, TriageResult, evaluate, evaluation_of, triage, triage_of
from smanav_core.codes import AlertCode, DiagnosisStatus, TherapyStatus, UrgencyLevel
from smanav_core.evaluation import FallAlert
from smanav_core.knowledge.loader import _data_files, build_knowledge
from tests.core.records import AS_OF, record

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_document_is_the_typed_answer_written_as_json() -> None:
    document = json.loads((EXAMPLES / "type2-child.json").read_text(encoding="utf-8"))
    typed = evaluation_of(document, as_of=AS_OF)
    assert isinstance(typed, Evaluation)
    assert typed.to_json() == evaluate(document, as_of=AS_OF)
    assert typed.diagnosis.status is DiagnosisStatus.CONFIRMED_5Q_SMA
    assert typed.urgency.level is UrgencyLevel.PROMPT
    assert all(isinstance(therapy.status, TherapyStatus) for therapy in typed.therapies)
    falls = [alert for alert in typed.alerts if isinstance(alert, FallAlert)]
    assert falls and falls[0].code is AlertCode.MOTOR_DECLINE
    assert isinstance(falls[0].latest.date, dt.date)


def test_a_triage_result_is_typed_too() -> None:
    answers = json.loads((EXAMPLES / "triage-back-pain-red-flag.json").read_text(encoding="utf-8"))
    typed = triage_of(answers, as_of=AS_OF)
    assert isinstance(typed, TriageResult)
    assert typed.to_json() == triage(answers, as_of=AS_OF)
    assert typed.emergency_numbers and typed.emergency_numbers[0].number == "999"


def test_answers_cannot_be_changed() -> None:
    typed = evaluation_of(record(), as_of=AS_OF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        typed.urgency.level = UrgencyLevel.ROUTINE  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        typed.therapies[0].reasons[0].text = "changed"  # type: ignore[misc]
    assert isinstance(typed.therapies, tuple) and isinstance(typed.care_plan, tuple)


def test_a_document_is_the_callers_own() -> None:
    """Changing one answer's document changes nothing the next answer shares (its reasons and notes are
    made once per knowledge base)."""
    first = evaluate(record(), as_of=AS_OF)
    for therapy in first["therapies"]:
        for reason in therapy["reasons"]:
            reason["sources"].append("changed")
            reason["text"] = "changed"
    second = evaluate(record(), as_of=AS_OF)
    assert all(
        reason["text"] != "changed" for therapy in second["therapies"] for reason in therapy["reasons"]
    )


def test_the_knowledge_base_gains_nothing_while_it_answers() -> None:
    """A `Knowledge` is frozen in fact: no cache is filled inside it by the rules that read it."""
    kb = build_knowledge(_data_files())  # a fresh one, that no rule has read yet
    before = dict(vars(kb))
    evaluate(record(), as_of=AS_OF, knowledge=kb)
    triage({"age_years": 40, "symptoms": ["low_back_pain"]}, as_of=AS_OF, knowledge=kb)
    assert vars(kb).keys() == before.keys()
    assert all(vars(kb)[name] is value for name, value in before.items())
    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.version = "changed"  # type: ignore[misc]
