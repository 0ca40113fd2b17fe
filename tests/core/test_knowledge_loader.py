"""Looking up statements in the loaded knowledge base, and what the rules prepare from it."""

from __future__ import annotations

import pytest

from smanav_core.knowledge.loader import (
    Knowledge,
    KnowledgeError,
    _data_files,
    build_knowledge,
    load_knowledge,
)


def test_a_statement_is_found_by_its_id() -> None:
    kb = load_knowledge()
    assert kb.statement("urgency.routine").id == "urgency.routine"


def test_an_unknown_id_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_knowledge().statement("urgency.no_such_statement")


def test_an_entry_that_is_not_a_statement_is_refused() -> None:
    kb = load_knowledge()
    item = next(iter(kb.care_plan.by_id))  # care items are entries, not statements
    with pytest.raises(KnowledgeError, match="is not a statement but a CareItem"):
        kb.statement(item)


def test_what_a_rule_prepares_is_worked_out_once_for_each_knowledge_base() -> None:
    built: list[Knowledge] = []

    def index(kb: Knowledge) -> list[str]:
        built.append(kb)
        return [kb.version]

    shipped, other = load_knowledge(), build_knowledge(_data_files())
    first = shipped.prepared(index)
    assert shipped.prepared(index) is first
    assert other.prepared(index) is not first
    assert other.prepared(index) is other.prepared(index)
    assert len(built) == 2 and built[0] is shipped and built[1] is other
