"""Curated trial criteria are knowledge: validated with the rest, each criterion citing its source, and
part of the knowledge version (a changed criterion is a new `knowledge_version`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from smanav_core.knowledge.loader import KnowledgeError, _data_files, build_knowledge, load_knowledge

RAW = _data_files()
# A bibliography entry for the record version a test review reads (ClinicalTrials.gov records are public).
SOURCE = b"""

[ctgov_nct01234567_test]
title = "ClinicalTrials.gov record NCT01234567, version of 2026-11-20"
url = "https://clinicaltrials.gov/study/NCT01234567"
section = "Eligibility"
kind = "registry"
"""
REVIEW = """nct_id = "NCT01234567"
reviewed_on = 2026-12-01
reviewed_by = "a reviewer"
record_last_update = 2026-11-20

[[criterion]]
kind = "smn2_copies"
min = 2
max = {max}
quote = "Two or three copies of SMN2"
sources = [{source}]
"""


def with_review(
    *, max_copies: int = 3, source: str = '"ctgov_nct01234567_test"', name: str = "NCT01234567"
) -> dict[str, bytes]:
    return {
        **RAW,
        "sources.toml": RAW["sources.toml"] + SOURCE,
        f"trials/{name}.toml": REVIEW.format(max=max_copies, source=source).encode(),
    }


def test_a_review_is_loaded_with_the_knowledge_and_cites_its_source() -> None:
    kb = build_knowledge(with_review())
    review = kb.trials["NCT01234567"]
    assert review.criterion[0].sources == ("ctgov_nct01234567_test",)
    assert kb.sources["ctgov_nct01234567_test"].kind == "registry"


def test_a_changed_criterion_changes_the_knowledge_version() -> None:
    assert build_knowledge(with_review()).version != load_knowledge().version
    assert build_knowledge(with_review(max_copies=4)).version != build_knowledge(with_review()).version
    assert build_knowledge(with_review()).version == build_knowledge(with_review()).version


@pytest.mark.parametrize(
    "files,problem",
    [
        (lambda: with_review(source='"no_such_source"'), "cites unknown source 'no_such_source'"),
        (lambda: with_review(source=""), "criterion 1: cite the record read in `sources`"),
        (lambda: with_review(name="NCT07654321"), "the file name must be the NCT id (NCT01234567)"),
        (
            lambda: {**with_review(), "trials/NCT01234567.toml": b'nct_id = "NCT01234567"\nsample = true\n'},
            "reviewed_on",
        ),
    ],
    ids=["unknown source", "no source", "file named after another trial", "incomplete"],
)
def test_a_faulty_review_stops_the_knowledge_base(
    files: Callable[[], dict[str, bytes]], problem: str
) -> None:
    with pytest.raises(KnowledgeError) as error:
        build_knowledge(files())
    assert problem in str(error.value)


def test_a_sample_review_is_not_knowledge() -> None:
    sample = REVIEW.format(max=3, source="").replace("record_last_update = 2026-11-20\n", "sample = true\n")
    with pytest.raises(KnowledgeError, match="a sample review is not knowledge"):
        build_knowledge({**with_review(), "trials/NCT01234567.toml": sample.encode()})


def test_a_source_only_a_review_cites_counts_as_cited() -> None:
    # Without the review the test source is unused, which the loader refuses.
    with pytest.raises(KnowledgeError, match=r"\[ctgov_nct01234567_test\]: no entry cites this source"):
        build_knowledge({**RAW, "sources.toml": RAW["sources.toml"] + SOURCE})
    build_knowledge(with_review())
