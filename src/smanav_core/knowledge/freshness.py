"""How current the knowledge base is: each entry's review date, and the sources known to be out of date.

Every entry is due for review a number of months after its last review that depends on the kind of
evidence it rests on (`review.months_<evidence>` parameters, ADR 0006). A source may record a newer
revision of its document that is known to exist but has not been read (`newer_revision`); every entry
that cites such a source is then marked as resting on an older revision. `smanav knowledge check` prints
both lists; the evaluation says when the knowledge base was last reviewed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from smanav_core.facts import add_months
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.base import Entry, Source


def _review_months(kb: Knowledge) -> dict[str, int]:
    """Evidence grade -> months between reviews (kept by `Knowledge.prepared`)."""
    return {
        entry_id.removeprefix("review.months_"): int(kb.number(entry_id))
        for entry_id in kb.entries
        if entry_id.startswith("review.months_")
    }


def review_due(kb: Knowledge, entry: Entry) -> dt.date:
    """When `entry` is due for its next review."""
    return add_months(entry.reviewed_on, kb.prepared(_review_months)[entry.evidence.value])


def last_reviewed(kb: Knowledge) -> dt.date:
    """The most recent review of any entry: the date the knowledge base was last looked at."""
    return kb.prepared(_last_reviewed)


def _last_reviewed(kb: Knowledge) -> dt.date:
    return max(entry.reviewed_on for entry in kb.entries.values())


@dataclass(frozen=True, slots=True)
class PastDue:
    entry: Entry
    due: dt.date


@dataclass(frozen=True, slots=True)
class OlderRevision:
    key: str
    source: Source
    cited_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Freshness:
    as_of: dt.date
    past_due: tuple[PastDue, ...]
    older_revisions: tuple[OlderRevision, ...]

    @property
    def current(self) -> bool:
        return not self.past_due and not self.older_revisions


def check(kb: Knowledge, *, as_of: dt.date) -> Freshness:
    """The entries whose review date has passed on `as_of`, and the sources with a newer revision."""
    past_due = sorted(
        (PastDue(entry, due) for entry in kb.entries.values() if (due := review_due(kb, entry)) < as_of),
        key=lambda item: (item.due, item.entry.id),
    )
    citing: dict[str, list[str]] = {}
    for entry in kb.entries.values():
        for key in entry.sources:
            citing.setdefault(key, []).append(entry.id)
    older = [
        OlderRevision(key, source, tuple(sorted(citing.get(key, ()))))
        for key, source in sorted(kb.sources.items())
        if source.newer_revision is not None and source.newer_revision.date <= as_of
    ]
    return Freshness(as_of, tuple(past_due), tuple(older))


def render_check(kb: Knowledge, report: Freshness) -> str:
    """The report as text for a person reviewing the knowledge base."""
    lines = [
        f"smanav knowledge base {kb.version}, last reviewed on {last_reviewed(kb).isoformat()}",
        f"checked on {report.as_of.isoformat()}",
        "",
    ]
    if report.past_due:
        lines.append(f"{len(report.past_due)} entries are past their review date:")
        lines += [
            f"  {item.entry.id}  ({item.entry.evidence.value}, reviewed {item.entry.reviewed_on.isoformat()},"
            f" due {item.due.isoformat()})"
            for item in report.past_due
        ]
    else:
        lines.append("No entry is past its review date.")
    lines.append("")
    if report.older_revisions:
        lines.append(
            f"{len(report.older_revisions)} sources were read in an older revision than the newest known:"
        )
        for item in report.older_revisions:
            newer = item.source.newer_revision
            assert newer is not None
            known = f" (known from {newer.known_from})" if newer.known_from else ""
            lines.append(f"  [{item.key}] {item.source.title}")
            lines.append(f"    newer revision of {newer.date.isoformat()}: {newer.what}{known}")
            if item.source.revision:
                lines.append(f"    read: {item.source.revision}")
            lines.append(f"    cited by {len(item.cited_by)} entries: {', '.join(item.cited_by)}")
    else:
        lines.append("No source is known to have a newer revision than the one read.")
    return "\n".join(lines) + "\n"


def report_document(kb: Knowledge, report: Freshness) -> dict[str, object]:
    """The report as a JSON-ready document (`smanav knowledge check --format json`)."""
    return {
        "knowledge_version": kb.version,
        "last_reviewed_on": last_reviewed(kb).isoformat(),
        "as_of": report.as_of.isoformat(),
        "current": report.current,
        "past_review_date": [
            {
                "id": item.entry.id,
                "evidence": item.entry.evidence.value,
                "reviewed_on": item.entry.reviewed_on.isoformat(),
                "review_due": item.due.isoformat(),
            }
            for item in report.past_due
        ],
        "older_revisions": [
            {
                "source": item.key,
                "title": item.source.title,
                "read": item.source.revision,
                "newer_revision": item.source.newer_revision.model_dump(mode="json", exclude_none=True)
                if item.source.newer_revision
                else None,
                "cited_by": list(item.cited_by),
            }
            for item in report.older_revisions
        ],
    }
