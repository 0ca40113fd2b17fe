"""The contract's JSON is byte for byte what it was: every example in all six regions, 3,000 generated
records and 1,000 generated questionnaires (fixed seed, see `golden.py`), against the digests kept in
`golden.json`."""

from __future__ import annotations

import json

from smanav_core import load_knowledge
from tests.core.golden import GOLDEN_FILE, RECORDS, current_digests

REWRITE = "after reviewing the change, write them again: .venv/bin/python -m tests.core.golden write"


def test_every_answer_is_the_same_json_as_the_one_kept() -> None:
    golden = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))
    assert golden["knowledge_version"] == load_knowledge().version, (
        "the knowledge base changed since the digests were written, so the answers may change; " + REWRITE
    )
    found = current_digests()
    assert list(found) == list(golden["digests"]), "the documents covered changed: " + REWRITE
    changed = [key for key, value in found.items() if golden["digests"][key] != value]
    assert not changed, (
        f"{len(changed)} answers differ from the kept ones, e.g. {changed[:10]}; compare one with "
        "`.venv/bin/python -m tests.core.golden show KEY` here and in a checkout of main; " + REWRITE
    )


def test_the_digests_cover_every_region_and_both_documents() -> None:
    golden = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))["digests"]
    assert sum(key.startswith("record ") for key in golden) == RECORDS
    assert any(key.startswith("answers ") for key in golden)
    for region in ("US", "EU", "UK", "CA", "JP", "AU"):
        assert any(key.startswith("example ") and key.endswith(f" {region}") for key in golden)
