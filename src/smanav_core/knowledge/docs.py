"""The knowledge base made readable: the `smanav knowledge` summary and the generated `docs/clinical/` pages.

Everything here is derived from a loaded `Knowledge`; nothing is written by hand, so a clinician reviewing
the pages reviews exactly what the engine uses. Output is deterministic (no dates of generation), so a
test can tell when the committed pages are stale: re-run `smanav knowledge docs` after editing the
knowledge files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from smanav_core.knowledge.changes import render_changes
from smanav_core.knowledge.freshness import review_due
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.base import Entry, Source, Statement


@dataclass(frozen=True)
class Page:
    file_name: str
    title: str
    intro: str


PAGES: tuple[Page, ...] = (
    Page(
        "genetics.md",
        "Genetics",
        "How SMN1 and SMN2 results are interpreted, and the genotype-phenotype table.",
    ),
    Page(
        "classification.md",
        "Classification",
        "How the SMA type and the current functional group are decided.",
    ),
    Page(
        "urgency.md",
        "Newborn screening and urgency",
        "The newborn-screening treatment algorithm and how urgent a treatment decision is.",
    ),
    Page("therapies.md", "Therapies by region", "Regional labels and the eligibility rules read from them."),
    Page("care-plan.md", "Care plan", "Standards-of-care items by domain, with their intervals."),
    Page("measures.md", "Measures and alerts", "Outcome measures, meaningful changes and monitoring alerts."),
    Page(
        "triage.md",
        "Triage",
        "Red flags and patterns for adults or older children with weakness or back problems.",
    ),
    Page(
        "review.md",
        "Review dates",
        "How long each kind of entry goes before it is reviewed again (`smanav knowledge check` lists the"
        " entries past their date).",
    ),
)

# Where the entries of each knowledge file (or of one table in a file) are documented.
FIELD_PAGES: dict[tuple[str, str], str] = {("genetics", "newborn_screening"): "urgency.md"}
FILE_PAGES: dict[str, str] = {
    "genetics": "genetics.md",
    "classification": "classification.md",
    "urgency": "urgency.md",
    "newborn_screening": "urgency.md",
    "therapies": "therapies.md",
    "care_plan": "care-plan.md",
    "measures": "measures.md",
    "alerts": "measures.md",
    "triage": "triage.md",
}
BASE_FIELDS = frozenset(
    {"id", "sources", "evidence", "reviewed_on", "confirmed", "text", "title", "next_steps"}
)


@dataclass(frozen=True)
class Located:
    """An entry with the knowledge file and table it comes from."""

    entry: Entry
    file: str
    table: str


def located_entries(kb: Knowledge) -> list[Located]:
    """Every entry of the knowledge base, in file order (files sorted by name, tables in schema order)."""
    found: list[Located] = []
    for stem in sorted(kb.files):
        content = kb.files[stem]
        for table in type(content).model_fields:
            value = getattr(content, table)
            if isinstance(value, tuple):
                found.extend(Located(item, stem, table) for item in value if isinstance(item, Entry))
    return found


def citation(source: Source) -> str:
    """One bibliography entry as a single line of text."""
    parts = [source.title.rstrip(".")]
    if source.authors:
        parts.append(source.authors)
    published = ", ".join(str(item) for item in (source.publisher, source.year) if item)
    if published:
        parts.append(published)
    if source.section:
        parts.append(f"Section: {source.section}")
    if source.revision:
        parts.append(f"Revision read: {source.revision}")
    if source.doi:
        parts.append(f"doi:{source.doi}")
    if source.url:
        parts.append(source.url)
    if source.path:
        parts.append(f"In smanav's repository: {source.path}")
    return ". ".join(parts) + "."


# --- `smanav knowledge` --------------------------------------------------------------------------------


def knowledge_summary(kb: Knowledge) -> dict[str, Any]:
    """Version, counts, every rule with its sources and evidence, and the bibliography (JSON-ready)."""
    located = located_entries(kb)
    by_file: dict[str, int] = {}
    for item in located:
        by_file[item.file] = by_file.get(item.file, 0) + 1
    confirmed = sum(1 for item in located if item.entry.confirmed)
    return {
        "knowledge_version": kb.version,
        "counts": {
            "entries": len(located),
            "confirmed": confirmed,
            "not_confirmed": len(located) - confirmed,
            "sources": len(kb.sources),
            "entries_by_file": by_file,
        },
        "rules": [
            {
                "id": item.entry.id,
                "file": f"{item.file}.toml",
                "evidence": item.entry.evidence.value,
                "confirmed": item.entry.confirmed,
                "reviewed_on": item.entry.reviewed_on.isoformat(),
                "sources": list(item.entry.sources),
            }
            for item in located
        ],
        "sources": {
            key: kb.sources[key].model_dump(mode="json", exclude_none=True) for key in sorted(kb.sources)
        },
    }


def render_summary_text(kb: Knowledge) -> str:
    summary = knowledge_summary(kb)
    counts = summary["counts"]
    lines = [
        f"smanav knowledge base {summary['knowledge_version']}",
        f"{counts['entries']} entries ({counts['not_confirmed']} not confirmed), {counts['sources']} sources",
    ]
    lines += [f"  {name}.toml: {count}" for name, count in counts["entries_by_file"].items()]
    lines += ["", "Rules (id  evidence  sources):"]
    for rule in summary["rules"]:
        flag = "" if rule["confirmed"] else "  [NOT CONFIRMED]"
        lines.append(f"  {rule['id']}  {rule['evidence']}  {', '.join(rule['sources'])}{flag}")
    lines += ["", "Bibliography:"]
    for key in sorted(kb.sources):
        lines.append(f"  [{key}] {citation(kb.sources[key])}")
    return "\n".join(lines) + "\n"


# --- docs/clinical ---------------------------------------------------------------------------------------


def _page_of(item: Located) -> str:
    return (
        FIELD_PAGES.get((item.file, item.table))
        or FILE_PAGES.get(item.file)
        or f"{item.file.replace('_', '-')}.md"
    )


def _value(value: Any) -> str:
    if isinstance(value, BaseModel):
        # Structured conditions: only the parts that are set say something.
        return _value(value.model_dump(mode="json", exclude_none=True))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {_value(item)}" for key, item in value.items()) or "(none)"
    if isinstance(value, tuple | list):
        separator = "; " if any(isinstance(item, BaseModel | Mapping) for item in value) else ", "
        return separator.join(_value(item) for item in value) or "(none)"
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _entry_markdown(item: Located, kb: Knowledge) -> list[str]:
    entry = item.entry
    heading = f"### `{entry.id}`"
    if isinstance(entry, Statement) and entry.title:
        heading += f" — {entry.title}"
    lines = [f'<a id="{entry.id}"></a>', "", heading, ""]
    if not entry.confirmed:
        lines += [
            "> **Not confirmed.** The engine does not use this as a rule;"
            " it says that the point is not confirmed.",
            "",
        ]
    text = getattr(entry, "text", None)
    if isinstance(text, str):
        lines += [text, ""]
    steps = getattr(entry, "next_steps", ())
    if steps:
        lines += ["Next steps:", ""] + [f"- {step}" for step in steps] + [""]
    lines += ["| | |", "|---|---|"]
    lines.append(f"| Evidence | {entry.evidence.value} |")
    lines.append(f"| Reviewed on | {entry.reviewed_on.isoformat()} |")
    lines.append(f"| Review due | {review_due(kb, entry).isoformat()} |")
    lines.append(f"| Confirmed | {'yes' if entry.confirmed else 'no'} |")
    lines.append(f"| Knowledge file | `{item.file}.toml` ({item.table}) |")
    for name in type(entry).model_fields:
        if name in BASE_FIELDS:
            continue
        value = getattr(entry, name)
        if value is None:
            continue
        lines.append(f"| {_cell(name.replace('_', ' ').capitalize())} | {_cell(_value(value))} |")
    lines += ["", "Sources:", ""]
    for key in entry.sources:
        source = kb.sources.get(key)
        cited = citation(source) if source is not None else "(missing from the bibliography)"
        lines.append(f"- [`{key}`](sources.md#{key}): {cited}")
    lines.append("")
    return lines


def _header(title: str, kb: Knowledge) -> list[str]:
    return [
        f"# {title}",
        "",
        f"<!-- Generated by `smanav knowledge docs` from knowledge {kb.version}. Do not edit by hand. -->",
        "",
    ]


def _table_title(table: str) -> str:
    return "Statements" if table == "statement" else table.replace("_", " ").capitalize()


def _render_page(page: Page, items: list[Located], kb: Knowledge) -> str:
    lines = _header(page.title, kb)
    lines += [
        page.intro,
        "",
        "Texts in braces (`{copies}`) are filled in from the record. Entries marked *not confirmed* are"
        " known to matter but could not be verified; the engine then asks for information or says so.",
        "",
    ]
    if not items:
        lines += ["No entries yet.", ""]
    lines += _region_index(items)
    groups: dict[tuple[str, str], list[Located]] = {}
    for item in items:
        groups.setdefault((item.file, item.table), []).append(item)
    for (stem, table), group in groups.items():
        lines += [f"## {_table_title(table)} (`{stem}.toml`)", ""]
        for item in group:
            lines += _entry_markdown(item, kb)
    return "\n".join(lines).rstrip() + "\n"


def _regions_of(entry: Entry) -> list[str]:
    """The regions an entry names (`regions` or `region`); an empty `regions` list means every region."""
    if "regions" in type(entry).model_fields:
        regions = getattr(entry, "regions", None) or ()
        return [_value(region) for region in regions] or ["All regions"]
    region = getattr(entry, "region", None)
    return [] if region is None else [_value(region)]


def _region_index(items: list[Located]) -> list[str]:
    """For pages whose entries name regions: which entries apply in each region."""
    by_region: dict[str, list[str]] = {}
    for item in items:
        for region in _regions_of(item.entry):
            by_region.setdefault(region, []).append(item.entry.id)
    if not by_region:
        return []
    lines = ["## By region", ""]
    for region in sorted(by_region):
        links = ", ".join(f"[`{entry_id}`](#{entry_id})" for entry_id in by_region[region])
        lines += [f"- **{region}**: {links}", ""]
    return lines


def _render_sources(items: list[Located], kb: Knowledge) -> str:
    cited_by: dict[str, list[Located]] = {}
    for item in items:
        for key in item.entry.sources:
            cited_by.setdefault(key, []).append(item)
    lines = _header("Sources", kb)
    lines += ["Every source the knowledge base cites, with the entries that cite it.", ""]
    for key in sorted(kb.sources):
        source = kb.sources[key]
        lines += [f'<a id="{key}"></a>', "", f"### `{key}`", "", citation(source), ""]
        lines.append(f"Kind: {source.kind}.")
        users = cited_by.get(key, [])
        if users:
            links = ", ".join(f"[`{item.entry.id}`]({_page_of(item)}#{item.entry.id})" for item in users)
            lines += ["", f"Cited by: {links}."]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _render_index(pages: Iterable[tuple[Page, list[Located]]], items: list[Located], kb: Knowledge) -> str:
    lines = _header("Clinical knowledge of smanav", kb)
    not_confirmed = [item for item in items if not item.entry.confirmed]
    lines += [
        "These pages are generated from the knowledge base the engine reads. Every statement, threshold and"
        " eligibility rule is listed with its evidence grade, review date and full source citations.",
        "",
        f"Knowledge version: `{kb.version}`. Entries: {len(items)} ({len(not_confirmed)} not confirmed)."
        f" Sources: {len(kb.sources)}.",
        "",
        "| Page | Entries | Not confirmed |",
        "|---|---|---|",
    ]
    for page, page_items in pages:
        open_points = sum(1 for item in page_items if not item.entry.confirmed)
        lines.append(f"| [{page.title}]({page.file_name}) | {len(page_items)} | {open_points} |")
    lines.append(f"| [Sources](sources.md) | {len(kb.sources)} sources | |")
    lines += [
        "",
        "What each knowledge release changed: [changes](changes.md). Entries past their review date and"
        " sources read in an older revision than the newest known: `smanav knowledge check`.",
        "",
        "Terms are explained in the [glossary](../GLOSSARY.md).",
    ]
    return "\n".join(lines) + "\n"


def render_docs(kb: Knowledge) -> dict[str, str]:
    """The `docs/clinical/` folder: file name -> Markdown text."""
    items = located_entries(kb)
    pages = list(PAGES)
    known = {page.file_name for page in pages}
    by_page: dict[str, list[Located]] = {}
    for item in items:
        name = _page_of(item)
        by_page.setdefault(name, []).append(item)
        if name not in known:
            known.add(name)
            title = item.file.replace("_", " ").capitalize()
            pages.append(Page(name, title, f"Entries of `{item.file}.toml`."))
    rendered = [(page, by_page.get(page.file_name, [])) for page in pages]
    docs = {page.file_name: _render_page(page, page_items, kb) for page, page_items in rendered}
    docs["sources.md"] = _render_sources(items, kb)
    docs["index.md"] = _render_index(rendered, items, kb)
    docs["changes.md"] = render_changes()
    return docs
