"""The knowledge base holds together: every entry cites a source that exists, every source is cited and
locatable, ids are unique, texts can be filled in, and a broken set of files is refused with a message
that says what is wrong (the process must never answer clinical questions from broken knowledge).
"""

from __future__ import annotations

import string
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smanav_core.knowledge.loader import (
    FILE_SCHEMAS,
    KnowledgeError,
    _data_files,
    build_knowledge,
    load_knowledge,
)
from smanav_core.knowledge.schema.base import ID_PATTERN, Statement

REPOSITORY = Path(__file__).resolve().parents[2]

RAW = _data_files()


def raw_entries(document: Any) -> Iterator[dict[str, Any]]:
    """Every table in a parsed TOML document that looks like an entry (has an `id`), at any depth."""
    if isinstance(document, dict):
        if "id" in document and "sources" in document:
            yield document
        for value in document.values():
            yield from raw_entries(value)
    elif isinstance(document, list):
        for value in document:
            yield from raw_entries(value)


def parsed_files() -> dict[str, Any]:
    return {name: tomllib.loads(data.decode("utf-8")) for name, data in RAW.items() if name != "sources.toml"}


def test_the_shipped_knowledge_loads() -> None:
    kb = load_knowledge()
    assert kb.entries
    assert kb.version.startswith("20")


def test_every_knowledge_file_has_a_schema() -> None:
    # Curated trial criteria (`trials/NCT*.toml`) have their own schema (tests/core/test_knowledge_trials.py).
    names = {name.removesuffix(".toml") for name in RAW if not name.startswith("trials/")}
    assert names - {"sources"} <= set(FILE_SCHEMAS)


def test_ids_are_unique_across_files_in_the_raw_toml() -> None:
    ids = [entry["id"] for document in parsed_files().values() for entry in raw_entries(document)]
    duplicates = [entry_id for entry_id, count in Counter(ids).items() if count > 1]
    assert duplicates == []


def test_every_raw_entry_is_loaded() -> None:
    """No entry in a TOML file is silently dropped by a schema that does not know its table."""
    ids = {entry["id"] for document in parsed_files().values() for entry in raw_entries(document)}
    assert ids <= set(load_knowledge().entries)


def test_every_entry_cites_an_existing_source() -> None:
    kb = load_knowledge()
    for entry in kb.entries.values():
        assert entry.sources, entry.id
        for key in entry.sources:
            assert key in kb.sources, f"{entry.id} cites unknown source {key}"


def test_every_source_is_cited_and_locatable() -> None:
    kb = load_knowledge()
    cited = {key for entry in kb.entries.values() for key in entry.sources}
    assert set(kb.sources) == cited
    for key, source in kb.sources.items():
        assert source.url or source.doi or source.path, key
        if source.url:
            assert source.url.startswith(("https://", "http://")), key
        if source.path:
            # The project's own decisions are files of this repository, and only they are cited by path.
            assert source.kind == "project", key
            assert (REPOSITORY / source.path).is_file(), key


def test_only_project_decisions_rest_on_the_project_alone() -> None:
    """An entry that cites one of the project's own decision records is graded `project_decision`, and
    that grade needs such a record: a setting of smanav never poses as a clinical fact."""
    kb = load_knowledge()
    for entry in kb.entries.values():
        kinds = {kb.sources[key].kind for key in entry.sources}
        if entry.evidence.value == "project_decision":
            assert "project" in kinds, entry.id
        elif "project" in kinds:
            raise AssertionError(f"{entry.id} cites a project decision but is graded {entry.evidence.value}")


def test_ids_follow_the_pattern_and_reviews_are_dated() -> None:
    kb = load_knowledge()
    for entry in kb.entries.values():
        assert string_matches(ID_PATTERN, entry.id), entry.id
        assert entry.reviewed_on.year >= 2020, entry.id


def string_matches(pattern: str, value: str) -> bool:
    import re

    return re.fullmatch(pattern, value) is not None


def test_statement_texts_are_well_formed_templates() -> None:
    """Unbalanced braces would crash the engine at the moment it explains itself."""
    for entry in load_knowledge().entries.values():
        if isinstance(entry, Statement):
            fields = [name for _, name, _, _ in string.Formatter().parse(entry.text) if name is not None]
            assert all(name.isidentifier() for name in fields), (entry.id, fields)
            assert entry.text.strip() == entry.text, entry.id


# --- a broken knowledge set is refused ----------------------------------------------------------------

STATEMENT = """
[[statement]]
id = "{id}"
text = "A sentence."
sources = [{sources}]
evidence = "guideline"
reviewed_on = 2026-11-21
"""
SOURCE = """
[{key}]
title = "A source"
url = "https://example.org/{key}"
kind = "guideline"
"""


DECLINE_RULE = """
[[decline_rule]]
id = "decline.x"
instrument = "{instrument}"
text = "A sentence."
sources = ["coratti_2024_hfmse_mcid"]
evidence = "cohort"
reviewed_on = 2026-12-06
{fields}
"""


# A type 2 threshold with its window, for the rules below.
TWELVE_MONTHS = (
    'threshold = "change.hfmse.decline_type_2"',
    "window_months = 12",
    'window_text = "Twelve months."',
)


def decline_rule(*fields: str, instrument: str = "HFMSE") -> str:
    """A decline rule for `instrument` with the TOML lines `fields`, appended to `measures.toml`."""
    return DECLINE_RULE.format(instrument=instrument, fields="\n".join(fields))


def files(*, drop: str | None = None, **extra: str) -> dict[str, bytes]:
    """The shipped files with `extra` text appended (name -> TOML text; a new name makes a new file)."""
    result = dict(RAW)
    for name, text in extra.items():
        result[f"{name}.toml"] = result.get(f"{name}.toml", b"") + b"\n" + text.encode()
    if drop is not None:
        del result[drop]
    return result


def an_existing_id() -> str:
    return sorted(load_knowledge().entries)[0]


def test_the_shipped_set_plus_a_cited_statement_is_accepted() -> None:
    kb = build_knowledge(
        files(
            sources=SOURCE.format(key="src_new"),
            urgency=STATEMENT.format(id="urgency.new", sources='"src_new"'),
        )
    )
    assert "urgency.new" in kb.entries
    assert kb.version != load_knowledge().version


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            lambda: files(urgency=STATEMENT.format(id="urgency.x", sources='"nowhere"')),
            "urgency.toml [urgency.x]: cites unknown source 'nowhere'",
            id="unknown-source",
        ),
        pytest.param(
            lambda: files(sources=SOURCE.format(key="src_unused")),
            "sources.toml [src_unused]: no entry cites this source",
            id="uncited-source",
        ),
        pytest.param(
            lambda: files(urgency=STATEMENT.format(id=an_existing_id(), sources='"genereviews_sma"')),
            "duplicate id",
            id="duplicate-id",
        ),
        pytest.param(
            lambda: files(
                sources='[src_nolocator]\ntitle = "No locator"\nkind = "guideline"\n',
                urgency=STATEMENT.format(id="urgency.x", sources='"src_nolocator"'),
            ),
            "a source needs a url, a doi or",
            id="source-without-url-or-doi",
        ),
        pytest.param(
            lambda: files(urgency=STATEMENT.format(id="urgency.x", sources="")),
            "urgency.toml",
            id="entry-without-sources",
        ),
        pytest.param(
            lambda: files(urgency='[[statement]]\nid = "urgency.x"\ntext = "t"'),
            "urgency.toml",
            id="entry-missing-fields",
        ),
        pytest.param(
            lambda: files(urgency="[[statement]\nid ="), "urgency.toml: not valid TOML", id="not-toml"
        ),
        pytest.param(
            lambda: files(mystery=STATEMENT.format(id="mystery.x", sources='"genereviews_sma"')),
            "mystery.toml: no schema is registered for this file",
            id="unregistered-file",
        ),
        pytest.param(lambda: files(drop="sources.toml"), "sources.toml is missing", id="no-bibliography"),
        pytest.param(
            lambda: files(
                measures=decline_rule(
                    'applies_to_types = ["4"]', 'threshold = "change.nothing"', *TWELVE_MONTHS[1:]
                )
            ),
            "decline.x: threshold 'change.nothing' is not a meaningful_change entry",
            id="decline-rule-unknown-threshold",
        ),
        pytest.param(
            lambda: files(measures=decline_rule(*TWELVE_MONTHS, instrument="RULM")),
            "decline.x: threshold change.hfmse.decline_type_2 is for HFMSE",
            id="decline-rule-threshold-of-another-measure",
        ),
        pytest.param(
            lambda: files(measures=decline_rule('applies_to_types = ["3"]', *TWELVE_MONTHS)),
            "decline.x: holds for SMA types its threshold change.hfmse.decline_type_2 was not derived in",
            id="decline-rule-type-outside-its-threshold",
        ),
        pytest.param(
            lambda: files(measures=decline_rule('applies_to_types = ["2"]', *TWELVE_MONTHS)),
            "decline.hfmse.type_2 and decline.x: two confirmed rules for one measure and type",
            id="decline-rules-overlap",
        ),
        pytest.param(
            lambda: files(
                measures=decline_rule('applies_to_types = ["4"]', 'threshold = "change.hfmse.adult_sem"')
            ),
            "a confirmed decline rule needs a threshold, window_months and window_text",
            id="decline-rule-without-window",
        ),
        pytest.param(
            lambda: files(
                measures=decline_rule(
                    "confirmed = false", "course_start_months = 24", 'course_start_text = "Two."'
                )
            ),
            "a comparison with the start of treatment needs window_months for its baseline",
            id="decline-rule-course-start-without-window",
        ),
        pytest.param(
            lambda: files(urgency=STATEMENT.format(id="Urgency X", sources='"genereviews_sma"')),
            "urgency.toml",
            id="bad-id",
        ),
        pytest.param(
            lambda: files(
                urgency=STATEMENT.format(id="urgency.x", sources='"genereviews_sma"').replace(
                    "guideline", "hearsay"
                )
            ),
            "urgency.toml",
            id="unknown-evidence-grade",
        ),
    ],
)
def test_a_broken_set_is_refused_with_a_clear_message(
    raw: Callable[[], dict[str, bytes]], message: str
) -> None:
    with pytest.raises(KnowledgeError) as refused:
        build_knowledge(raw())
    assert message in str(refused.value)


def test_every_problem_is_reported_at_once() -> None:
    raw = files(
        urgency=STATEMENT.format(id="urgency.x", sources='"nowhere"'), sources=SOURCE.format(key="src_b")
    )
    with pytest.raises(KnowledgeError) as refused:
        build_knowledge(raw)
    assert "nowhere" in str(refused.value)
    assert "src_b" in str(refused.value)


def test_the_shipped_files_break_when_a_citation_is_removed() -> None:
    """The real files, one source deleted from the bibliography: the loader must notice."""
    kb = load_knowledge()
    victim = sorted(kb.sources)[0]
    bibliography = tomllib.loads(RAW["sources.toml"].decode("utf-8"))
    del bibliography[victim]
    lines = []
    for key, source in bibliography.items():
        lines.append(f"[{key}]")
        lines += [f"{field} = {toml_value(value)}" for field, value in source.items()]
    broken = {**RAW, "sources.toml": "\n".join(lines).encode()}
    with pytest.raises(KnowledgeError, match=f"cites unknown source '{victim}'"):
        build_knowledge(broken)


def toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    return str(value)
