"""The engine's two entry points agree, its answers are the caller's to keep, and it always answers from
the knowledge base it is given (the rules keep indexes per knowledge base; none may leak into another)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from smanav_core import evaluate
from smanav_core.codes import Region
from smanav_core.engine import evaluate_facts
from smanav_core.facts import derive_facts
from smanav_core.knowledge.loader import Knowledge, _data_files, build_knowledge, load_knowledge
from smanav_core.validation import validate_record
from tests.core.test_properties import PROPERTY_SETTINGS, records

AS_OF = dt.date(2026, 11, 21)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RECORDS = {
    path.name: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted(EXAMPLES.glob("*.json"))
    if not path.name.startswith("triage-")
}


def through_the_seam(record: dict[str, Any], region: str, kb: Knowledge) -> dict[str, Any]:
    """What the web application does: validate, derive the facts, then `evaluate_facts`."""
    patient = validate_record(record, as_of=AS_OF)
    return evaluate_facts(derive_facts(patient, region=Region(region), as_of=AS_OF), kb)


@PROPERTY_SETTINGS
@given(records())
def test_evaluate_and_evaluate_facts_give_the_same_document(record: dict[str, Any]) -> None:
    kb = load_knowledge()
    assert evaluate(record, as_of=AS_OF) == through_the_seam(record, record["region"], kb)


@pytest.mark.parametrize("name", sorted(RECORDS))
@pytest.mark.parametrize("region", [region.value for region in Region])
def test_changing_an_answer_does_not_change_the_next_one(name: str, region: str) -> None:
    first = evaluate(RECORDS[name], region, as_of=AS_OF)
    expected = copy.deepcopy(first)
    vandalise(first)
    assert evaluate(RECORDS[name], region, as_of=AS_OF) == expected


def vandalise(value: Any) -> None:
    """Change every list and dict inside `value`, as a careless caller might."""
    if isinstance(value, dict):
        for item in list(value.values()):
            vandalise(item)
        value["changed"] = True
    elif isinstance(value, list):
        for item in value:
            vandalise(item)
        value.append("changed")


EDITS = {
    "therapies.toml": ("Risdiplam is recorded as ongoing. NICE", "EDITED therapy rule. NICE"),
    "care_plan.toml": (
        "Care coordinated by a specialist neuromuscular team",
        "EDITED care item",
    ),
    "urgency.toml": (
        "A clinically meaningful decline in motor function was recorded.",
        "EDITED urgency statement.",
    ),
    "classification.toml": ("Type 2: symptoms began", "EDITED type 2: symptoms began"),
}


def edited_knowledge() -> Knowledge:
    files = dict(_data_files())
    for name, (old, new) in EDITS.items():
        assert files[name].count(old.encode()) == 1, f"{name} no longer says {old!r}"
        files[name] = files[name].replace(old.encode(), new.encode())
    return build_knowledge(files)


def texts(document: Any) -> str:
    return json.dumps(document)


def test_each_answer_comes_from_the_knowledge_base_it_was_given() -> None:
    record = RECORDS["type2-child.json"]
    shipped = load_knowledge()
    before = evaluate(record, "UK", as_of=AS_OF, knowledge=shipped)
    edited = edited_knowledge()
    for answer in (
        evaluate(record, "UK", as_of=AS_OF, knowledge=edited),
        through_the_seam(record, "UK", edited),
    ):
        assert answer["knowledge_version"] == edited.version != shipped.version
        assert texts(answer).count("EDITED") == len(EDITS)
    assert evaluate(record, "UK", as_of=AS_OF, knowledge=shipped) == before
    assert "EDITED" not in texts(before)
