"""The published JSON Schemas: committed files are current, and they pin the contract's names."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from smanav_core import evaluate, triage
from smanav_core.schemas import Evaluation, TriageResult, json_schemas, schema_text

FROZEN_AS_OF = dt.date(2026, 11, 21)
REPO = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO / "schemas"
EXAMPLES = sorted(path for path in (REPO / "examples").glob("*.json") if not path.name.startswith("triage-"))
TRIAGE_EXAMPLES = sorted((REPO / "examples").glob("triage-*.json"))

# The contract's enumerations, copied here on purpose: a change in the code must break this test.
CONTRACT_ENUMS = {
    "DiagnosisStatus": ["confirmed_5q_sma", "inconclusive", "carrier", "5q_sma_unlikely", "not_tested"],
    "SmaType": ["0", "1", "2", "3", "4", "presymptomatic"],
    "FunctionalGroup": ["non_sitter", "sitter", "walker"],
    "UrgencyLevel": ["urgent", "prompt", "routine"],
    "TherapyId": ["nusinersen", "risdiplam", "onasemnogene_abeparvovec_iv", "onasemnogene_abeparvovec_it"],
    "TherapyStatus": [
        "eligible",
        "eligible_with_cautions",
        "needs_information",
        "not_eligible",
        "not_approved_in_region",
    ],
    "CareDomain": [
        "coordination",
        "genetics",
        "neuromuscular",
        "rehabilitation",
        "orthopaedic",
        "respiratory",
        "nutrition",
        "bone_health",
        "immunisation",
        "acute_care",
        "anaesthesia",
        "treatment_monitoring",
        "palliative",
        "psychosocial",
    ],
    "Region": ["US", "EU", "UK", "CA", "JP", "AU"],
}
CONTRACT_ALERT_CODES = {"motor_decline", "assessment_overdue", "treatment_monitoring_due"}
TRIAGE_ENUMS = {
    "TriagePattern": [
        "emergency_red_flags",
        "suggests_neuromuscular_disease",
        "consistent_with_paraspinal_muscle_atrophy",
        "nonspecific",
    ],
    "TriageRecommendation": [
        "seek_emergency_care",
        "see_neurologist",
        "see_primary_care_or_spine_specialist",
    ],
    "TriageUrgency": ["emergency", "urgent", "routine"],
}
EVALUATION_FIELDS = {
    "schema",
    "id",
    "as_of",
    "region",
    "knowledge_version",
    "age_months",
    "diagnosis",
    "classification",
    "urgency",
    "therapies",
    "care_plan",
    "alerts",
    "disclaimer",
}


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json_schemas()[name])


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_committed_schemas_are_current() -> None:
    """Fails when the code changed and `smanav schemas` was not re-run (then commit `schemas/`)."""
    generated = {f"{name}.json": schema_text(schema) for name, schema in json_schemas().items()}
    committed = {path.name: path.read_text(encoding="utf-8") for path in SCHEMA_DIR.glob("*.json")}
    assert sorted(committed) == sorted(generated)
    stale = [name for name in generated if committed[name] != generated[name]]
    assert not stale, f"schemas/ is stale ({', '.join(stale)}): run `smanav schemas` and commit the result"


def test_the_four_documents_are_valid_json_schemas() -> None:
    schemas = json_schemas()
    assert sorted(schemas) == ["evaluation", "patient-record", "triage-answers", "triage-result"]
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)


def test_evaluation_pins_every_contract_field_and_enum() -> None:
    schema = json_schemas()["evaluation"]
    assert set(schema["required"]) == EVALUATION_FIELDS
    for name, values in CONTRACT_ENUMS.items():
        assert schema["$defs"][name]["enum"] == values, name
    assert set(schema["$defs"]["AlertCode"]["enum"]) >= CONTRACT_ALERT_CODES
    assert schema["properties"]["schema"]["const"] == "smanav.evaluation/1"


def test_triage_result_pins_every_contract_enum() -> None:
    schema = json_schemas()["triage-result"]
    for name, values in TRIAGE_ENUMS.items():
        assert schema["$defs"][name]["enum"] == values, name
    assert set(schema["required"]) >= {
        "schema",
        "pattern",
        "recommendation",
        "urgency",
        "reasons",
        "next_steps",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_examples_and_their_evaluations_validate(path: Path) -> None:
    record = load(path)
    assert not list(validator("patient-record").iter_errors(record))
    result = evaluate(record, as_of=FROZEN_AS_OF)
    errors = [error.message for error in validator("evaluation").iter_errors(result)]
    assert not errors
    Evaluation.model_validate(result)


@pytest.mark.parametrize("path", TRIAGE_EXAMPLES, ids=[path.stem for path in TRIAGE_EXAMPLES])
def test_triage_answers_and_result_validate(path: Path) -> None:
    answers = load(path)
    assert not list(validator("triage-answers").iter_errors(answers))
    result = triage(answers, as_of=FROZEN_AS_OF)
    assert not list(validator("triage-result").iter_errors(result))
    TriageResult.model_validate(result)


@pytest.fixture
def evaluation() -> dict[str, Any]:
    record = {
        "region": "US",
        "birth_date": "2026-10-01",
        "genetics": {"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"},
        "clinical": {"symptomatic": False},
    }
    return evaluate(record, as_of=FROZEN_AS_OF)


def test_extra_output_fields_are_allowed(evaluation: dict[str, Any]) -> None:
    changed = copy.deepcopy(evaluation)
    changed["explanation_url"] = "anything"
    changed["diagnosis"]["rules"] = ["x"]
    assert not list(validator("evaluation").iter_errors(changed))
    Evaluation.model_validate(changed)


def _break(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = changed
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last: Any = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("disclaimer", ""),
        ("disclaimer", ...),
        ("schema", "smanav.evaluation/2"),
        ("diagnosis.status", "probable"),
        ("classification.sma_type", "5"),
        ("urgency.level", "soon"),
        ("region", "FR"),
        ("therapies.0.status", "maybe"),
        ("therapies.0.therapy", "apitegromab"),
    ],
)
def test_contract_violations_are_rejected(evaluation: dict[str, Any], path: str, value: Any) -> None:
    broken = _break(evaluation, path, value)
    assert list(validator("evaluation").iter_errors(broken))
    with pytest.raises(ValidationError):
        Evaluation.model_validate(broken)


def test_a_non_eligible_therapy_needs_a_reason(evaluation: dict[str, Any]) -> None:
    broken = _break(
        evaluation, "therapies.1", {"therapy": "risdiplam", "status": "not_eligible", "reasons": []}
    )
    assert list(validator("evaluation").iter_errors(broken))
    with pytest.raises(ValidationError, match="at least one reason"):
        Evaluation.model_validate(broken)


def test_other_agents_may_follow_the_four_with_their_status(evaluation: dict[str, Any]) -> None:
    extended = copy.deepcopy(evaluation)
    del extended["therapies"][4:]
    for status in ("not_approved_in_region", "eligible", "needs_information"):
        extended["therapies"].append(
            {
                "therapy": f"agent_{status}",
                "status": status,
                "reasons": [{"code": "c", "text": "t", "sources": []}],
            }
        )
    assert not list(validator("evaluation").iter_errors(extended))
    Evaluation.model_validate(extended)
    # A contract therapy listed again after the four is refused.
    broken = copy.deepcopy(extended)
    broken["therapies"][-1].update(therapy="risdiplam")
    assert list(validator("evaluation").iter_errors(broken))
    with pytest.raises(ValidationError, match="only other agents"):
        Evaluation.model_validate(broken)


def test_therapies_must_come_in_contract_order(evaluation: dict[str, Any]) -> None:
    broken = copy.deepcopy(evaluation)
    broken["therapies"].reverse()
    assert list(validator("evaluation").iter_errors(broken))
    with pytest.raises(ValidationError, match="in that order"):
        Evaluation.model_validate(broken)


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({"assessments": [{"date": "2026-01-01", "instrument": "HFMSE", "value": 66}]}, True),
        ({"assessments": [{"date": "2026-01-01", "instrument": "HFMSE", "value": 67}]}, False),
        ({"assessments": [{"date": "2026-01-01", "instrument": "WEIGHT_KG", "value": 0}]}, False),
        ({"assessments": [{"date": "2026-01-01", "instrument": "HEIGHT_CM", "value": 19}]}, False),
        ({"genetics": {"smn2_copies": 9}}, False),
        ({"sex": "robot"}, False),
        ({"smn2_copies": 2}, False),
    ],
)
def test_patient_record_schema_checks_ranges_and_unknown_fields(change: dict[str, Any], valid: bool) -> None:
    record = {"birth_date": "2020-01-01", **change}
    assert (not list(validator("patient-record").iter_errors(record))) is valid
