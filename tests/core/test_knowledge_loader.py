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


# --- parameters --------------------------------------------------------------------------------------

PARAMETER = """
[[parameter]]
id = "urgency.test_limit"
value = {value}
unit = "months"
text = "A limit used only by this test."
sources = ["genereviews_sma"]
evidence = "guideline"
reviewed_on = 2026-12-06
"""
QUOTING = """
[[statement]]
id = "urgency.test_quoting"
text = "Under ${{urgency.test_limit}} months, and again: ${{urgency.test_limit}}."
sources = ["genereviews_sma"]
evidence = "guideline"
reviewed_on = 2026-12-06
"""


def _with(urgency: str) -> dict[str, bytes]:
    raw = _data_files()
    raw["urgency.toml"] = raw["urgency.toml"] + b"\n" + urgency.encode()
    return raw


@pytest.mark.parametrize(("value", "words"), [("7", "7"), ("1.5", "1.5"), ('"c.1A>G"', "c.1A>G")])
def test_a_text_quotes_the_value_the_rule_reads(value: str, words: str) -> None:
    kb = build_knowledge(_with(PARAMETER.format(value=value) + QUOTING.format()))
    assert kb.statement("urgency.test_quoting").text == f"Under {words} months, and again: {words}."
    assert kb.parameter("urgency.test_limit").words() == words


def test_a_changed_parameter_changes_the_text_and_the_version() -> None:
    seven = build_knowledge(_with(PARAMETER.format(value="7") + QUOTING.format()))
    eight = build_knowledge(_with(PARAMETER.format(value="8") + QUOTING.format()))
    assert seven.number("urgency.test_limit") == 7 and eight.number("urgency.test_limit") == 8
    assert "8 months" in eight.statement("urgency.test_quoting").text
    assert seven.version != eight.version


def test_quoting_an_unknown_parameter_stops_the_loader() -> None:
    with pytest.raises(
        KnowledgeError, match=r"urgency.toml \[urgency.test_quoting\]: quotes unknown parameter"
    ):
        build_knowledge(_with(QUOTING.format()))


def test_a_number_is_asked_only_of_numeric_parameters() -> None:
    kb = load_knowledge()
    assert kb.number("classification.type_1_onset_before_months") == 6
    with pytest.raises(KnowledgeError, match="is not a number"):
        kb.number("genetics.milder_smn2_modifier")
    with pytest.raises(KnowledgeError, match="is not a parameter"):
        kb.parameter("urgency.routine")


def test_shipped_texts_say_the_values_the_rules_use() -> None:
    """The words and the rule cannot drift: the type statements quote the onset parameters."""
    kb = load_knowledge()
    assert "before 6 months" in kb.statement("classification.type_1").text
    assert "${" not in "".join(getattr(entry, "text", "") or "" for entry in kb.entries.values()), (
        "a ${...} reference was left in a text"
    )
