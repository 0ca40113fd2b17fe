"""The generated clinical documentation: complete, deterministic and committed up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from smanav_core.knowledge.docs import PAGES, citation, knowledge_summary, located_entries, render_docs
from smanav_core.knowledge.loader import load_knowledge

DOCS = Path(__file__).resolve().parents[2] / "docs" / "clinical"
AREA_PAGES = {
    "genetics.md",
    "classification.md",
    "urgency.md",
    "therapies.md",
    "care-plan.md",
    "measures.md",
    "triage.md",
    "review.md",
    "sources.md",
    "index.md",
}


def test_committed_docs_are_current() -> None:
    """Fails after a knowledge edit until `smanav knowledge docs` is re-run and `docs/clinical/` committed."""
    generated = render_docs(load_knowledge())
    committed = {path.name: path.read_text(encoding="utf-8") for path in DOCS.glob("*.md")}
    assert sorted(committed) == sorted(generated), "run `smanav knowledge docs` and commit docs/clinical/"
    stale = sorted(name for name in generated if committed[name] != generated[name])
    assert not stale, (
        f"docs/clinical is stale ({', '.join(stale)}): run `smanav knowledge docs` and commit it"
    )


def test_one_page_per_area_plus_index_and_sources() -> None:
    assert set(render_docs(load_knowledge())) >= AREA_PAGES | {"changes.md"}
    assert {page.file_name for page in PAGES} | {"sources.md", "index.md"} == AREA_PAGES


def test_every_entry_is_documented_once_with_its_metadata() -> None:
    kb = load_knowledge()
    docs = render_docs(kb)
    area_pages = {
        name: text for name, text in docs.items() if name not in {"index.md", "sources.md", "changes.md"}
    }
    for item in located_entries(kb):
        entry = item.entry
        anchor = f'<a id="{entry.id}"></a>'
        homes = [name for name, text in area_pages.items() if anchor in text]
        assert len(homes) == 1, (entry.id, homes)
        section = area_pages[homes[0]].split(anchor, 1)[1].split('<a id="', 1)[0]
        assert f"| Evidence | {entry.evidence.value} |" in section
        assert f"| Reviewed on | {entry.reviewed_on.isoformat()} |" in section
        assert f"| Confirmed | {'yes' if entry.confirmed else 'no'} |" in section
        if not entry.confirmed:
            assert "**Not confirmed.**" in section
        text = getattr(entry, "text", None)
        if isinstance(text, str):
            assert text in section
        for key in entry.sources:
            assert citation(kb.sources[key]) in section


def test_every_source_is_on_the_sources_page_with_its_locator() -> None:
    kb = load_knowledge()
    page = render_docs(kb)["sources.md"]
    for key, source in kb.sources.items():
        assert f'<a id="{key}"></a>' in page
        assert citation(source) in page
        assert (source.doi or "") in page and (source.url or "") in page


def test_index_names_the_version_and_links_every_page() -> None:
    kb = load_knowledge()
    docs = render_docs(kb)
    index = docs["index.md"]
    assert kb.version in index
    for name in docs:
        if name != "index.md":
            assert f"]({name})" in index


def test_generation_is_deterministic() -> None:
    kb = load_knowledge()
    assert render_docs(kb) == render_docs(kb)


def test_summary_counts_add_up() -> None:
    kb = load_knowledge()
    summary = knowledge_summary(kb)
    counts = summary["counts"]
    assert counts["entries"] == len(kb.entries) == len(summary["rules"])
    assert counts["confirmed"] + counts["not_confirmed"] == counts["entries"]
    assert sum(counts["entries_by_file"].values()) == counts["entries"]
    assert counts["sources"] == len(kb.sources)


def test_citation_has_every_part_that_is_known() -> None:
    from smanav_core.knowledge.schema.base import Source

    full = Source(
        title="A title.",
        authors="Doe J",
        publisher="A Journal 1:2",
        year=2024,
        section="Table 2",
        doi="10.1/x",
        url="https://example.org/x",
        kind="journal",
    )
    assert citation(full) == (
        "A title. Doe J. A Journal 1:2, 2024. Section: Table 2. doi:10.1/x. https://example.org/x."
    )
    assert citation(Source(title="Only a title", url="https://example.org/y", kind="secondary")) == (
        "Only a title. https://example.org/y."
    )


def test_entries_of_a_file_without_an_area_get_their_own_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from smanav_core.knowledge import docs

    monkeypatch.setattr(
        docs, "PAGES", tuple(page for page in docs.PAGES if page.file_name != "classification.md")
    )
    monkeypatch.delitem(docs.FILE_PAGES, "classification")
    pages = render_docs(load_knowledge())
    assert "Entries of `classification.toml`." in pages["classification.md"]
    assert "](classification.md)" in pages["index.md"]


def test_values_of_domain_fields_read_as_text() -> None:
    import datetime as dt

    from smanav_core.knowledge.docs import _value

    assert _value(2.5) == "2.5"
    assert _value(True) == "yes"
    assert _value(dt.date(2026, 1, 2)) == "2026-01-02"
    assert _value({}) == "(none)"
    assert _value({"a": 1, "b": [1, 2]}) == "a: 1, b: 1, 2"
    assert _value([{"a": 1}, {"b": 2}]) == "a: 1; b: 2"
