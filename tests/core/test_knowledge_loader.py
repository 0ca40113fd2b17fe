"""Looking up statements in the loaded knowledge base."""

from __future__ import annotations

import pytest

from smanav_core.knowledge.loader import KnowledgeError, load_knowledge


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
