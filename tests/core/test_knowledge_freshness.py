"""Knowledge that says how current it is: review dates by kind of evidence, sources read in an older
revision than the newest known, `smanav knowledge check`, and the changes of each release."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys

import pytest

from smanav_core import evaluate
from smanav_core.facts import add_months
from smanav_core.knowledge.changes import change_log
from smanav_core.knowledge.freshness import check, last_reviewed, render_check, review_due
from smanav_core.knowledge.loader import KNOWLEDGE_RELEASE, load_knowledge
from smanav_core.knowledge.schema.base import NewerRevision
from tests.core.records import AS_OF, record

MONTHS = {
    "label": 12,
    "hta": 12,
    "secondary": 12,
    "project_decision": 12,
    "guideline": 24,
    "expert_consensus": 24,
    "trial": 24,
    "cohort": 36,
}


@pytest.mark.parametrize(("evidence", "months"), sorted(MONTHS.items()))
def test_an_entry_is_due_for_review_after_its_evidence_kinds_interval(evidence: str, months: int) -> None:
    kb = load_knowledge()
    entry = next(item for item in kb.entries.values() if item.evidence.value == evidence)
    assert review_due(kb, entry) == add_months(entry.reviewed_on, months)


def test_every_evidence_kind_has_a_review_interval() -> None:
    kb = load_knowledge()
    kinds = {entry.evidence.value for entry in kb.entries.values()}
    for entry in kb.entries.values():
        review_due(kb, entry)  # a KeyError here would name the kind without an interval
    assert kinds <= set(MONTHS)


def test_nothing_is_past_due_today_but_everything_a_few_years_on() -> None:
    kb = load_knowledge()
    assert check(kb, as_of=dt.date(2026, 12, 6)).past_due == ()
    later = check(kb, as_of=dt.date(2030, 1, 1))
    assert {item.entry.id for item in later.past_due} == set(kb.entries)
    assert not later.current


def test_a_label_read_before_its_newest_revision_is_listed_with_the_entries_that_cite_it() -> None:
    kb = load_knowledge()
    older = {item.key: item for item in check(kb, as_of=dt.date(2026, 12, 6)).older_revisions}
    assert "spinraza_us_pi" in older and "evrysdi_us_pi" in older
    assert "therapy.nusinersen.status_us" in older["spinraza_us_pi"].cited_by
    # Before the newer revision existed, the source was current.
    assert "spinraza_us_pi" not in {item.key for item in check(kb, as_of=dt.date(2026, 2, 1)).older_revisions}


def test_a_source_with_no_newer_revision_is_not_listed() -> None:
    kb = load_knowledge()
    source = kb.sources["zolgensma_us_pi"]
    assert source.newer_revision is None
    edited = dataclasses.replace(
        kb,
        sources={
            **kb.sources,
            "zolgensma_us_pi": source.model_copy(
                update={"newer_revision": NewerRevision(date=dt.date(2026, 6, 1), what="section 5.1 revised")}
            ),
        },
    )
    listed = {item.key for item in check(edited, as_of=dt.date(2026, 12, 6)).older_revisions}
    assert "zolgensma_us_pi" in listed
    assert "zolgensma_us_pi" not in {
        item.key for item in check(kb, as_of=dt.date(2026, 12, 6)).older_revisions
    }


def test_the_report_names_what_to_review() -> None:
    kb = load_knowledge()
    text = render_check(kb, check(kb, as_of=dt.date(2026, 12, 6)))
    assert "No entry is past its review date." in text
    assert "[spinraza_us_pi]" in text and "newer revision of 2026-03-01" in text


@pytest.mark.parametrize(("as_of", "status"), [("2026-01-01", 0), ("2026-12-06", 1), ("2031-01-01", 1)])
def test_the_check_command_exits_1_when_something_needs_review(as_of: str, status: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smanav.cli", "knowledge", "check", "--as-of", as_of, "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == status, done.stderr
    assert '"knowledge_version"' in done.stdout


def test_an_evaluation_says_when_the_knowledge_was_last_reviewed() -> None:
    result = evaluate(record(), as_of=AS_OF)
    assert result["knowledge_reviewed_on"] == last_reviewed(load_knowledge()).isoformat()


def test_the_current_release_says_what_changed() -> None:
    releases = change_log().release
    assert releases[0].version == KNOWLEDGE_RELEASE, "add the release to smanav_core/knowledge/changes.toml"
    assert load_knowledge().version.startswith(KNOWLEDGE_RELEASE + "+")
    assert [release.date for release in releases] == sorted((r.date for r in releases), reverse=True)
