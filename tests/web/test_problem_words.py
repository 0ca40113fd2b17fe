"""The core's problems, said in the form's words: one row per kind of problem the core reports, with the
field as the form labels it, and the sentence a person reads. No row may leak a path, a code or the
contract's notation."""

from __future__ import annotations

import re

import pytest

from smanav.patients.problem_words import plain_problem, record_problems
from smanav.vocabulary import source_citation
from smanav_core import load_knowledge

ROWS = [
    # (the core's message, the field's label, what the person reads)
    (
        "must be above 0 to 300 for WEIGHT_KG (got -3)",
        "Value",
        "Weight must be more than 0 kg and no more than 300 kg",
    ),
    ("must be from 0 to 66 for HFMSE (got 70)", "Value", "HFMSE must be from 0 to 66"),
    ("must be from 0 to 100 for FVC_PERCENT_PREDICTED (got 140)", "Value", "FVC must be from 0% to 100%"),
    ("is required", "Date of birth", "Enter date of birth"),
    (
        'must be a real calendar date (YYYY-MM-DD) (got "2026-02-30")',
        "Date of birth",
        "Date of birth must be a real date, for example 27 3 2024",
    ),
    (
        'must be a date written YYYY-MM-DD (got "soon")',
        "Start date",
        "Start date must be a real date, for example 27 3 2024",
    ),
    (
        'must not be after the evaluation date 2026-11-21 (got "2030-01-01")',
        "Date of the measurement",
        "Date of the measurement must be today or in the past",
    ),
    (
        'must not be before birth_date (got "2019-01-01")',
        "Start date",
        "Start date must be on or after the date of birth",
    ),
    (
        'must not be before the treatment\'s start_date (got "2020-01-01")',
        "End date",
        "End date must be on or after the day the treatment started",
    ),
    (
        'must not be after the treatment\'s end_date (got "2024-01-01")',
        "Date the dose was given",
        "Date the dose was given must be on or before the day the treatment ended",
    ),
    (
        "must be a whole number from 0 to 8, or null (got 9)",
        "SMN2 copies",
        "SMN2 copies must be a whole number from 0 to 8",
    ),
    (
        'must be a whole number from 0 to 8, or null (got "two")',
        "SMN2 copies",
        "SMN2 copies must be a whole number, like 3",
    ),
    (
        'must be a number of kilograms above 0 and below 300 (got "heavy")',
        "Current weight",
        "Current weight must be a number, like 12.5",
    ),
    (
        "must be a number of kilograms above 0 and below 300 (got 400)",
        "Current weight",
        "Current weight must be more than 0 kg and less than 300 kg",
    ),
    (
        "must be a number of weeks from 22 to 44 (got 50)",
        "Weeks of pregnancy at birth",
        "Weeks of pregnancy at birth must be from 22 to 44 weeks",
    ),
    (
        "must be a number of months of 0 or more, or null (got -1)",
        "Age when symptoms began",
        "Age when symptoms began must be 0 months or more",
    ),
    (
        "must be a ratio to the upper limit of normal, 0 or more (got -1)",
        "ALT ÷ upper limit of normal",
        "ALT ÷ upper limit of normal must be 0 or more",
    ),
    (
        "is out of range: input should be greater than or equal to 0 (got -5)",
        "Dose in mg",
        "Dose in mg must be 0 or more",
    ),
    (
        'must be one of "nusinersen_12mg", "nusinersen_high_dose" (got "x")',
        "Regimen",
        "Select regimen from the list",
    ),
    (
        'is a regimen of nusinersen, not of risdiplam (got "nusinersen_12mg")',
        "Regimen",
        "Regimen must be a regimen of Risdiplam",
    ),
    ("must be true or false (got 3)", "Pregnant now", "Select yes, no or not known for pregnant now"),
    ("something the shell has never seen (got 1)", "Feeding", "Feeding is not valid: check what you entered"),
]

DEVELOPER = re.compile(r"[a-z]+_[a-z_]+|[A-Z]+_[A-Z_]+|\(got |YYYY|null|\[\d+\]")


@pytest.mark.parametrize(("message", "label", "expected"), ROWS, ids=[row[2] for row in ROWS])
def test_a_problem_reads_in_the_forms_words(message: str, label: str, expected: str) -> None:
    said = plain_problem(message, subject=label)
    assert said.startswith(expected)
    assert not DEVELOPER.search(said), said


def test_a_stored_record_without_a_region_asks_for_one_by_the_pages_words() -> None:
    [said] = record_problems(
        [("region", "no region given: pass a region (--region, ?region=) or set the record's region")],
        name="Ada",
    )
    assert "Ada" in said and "Treatments approved in" in said
    assert "--region" not in said and "?region=" not in said


def test_problems_of_fields_no_form_shows_are_named_in_words() -> None:
    said = record_problems(
        [
            ("assessments[3].date", 'must not be after the evaluation date 2026-11-21 (got "2030-01-01")'),
            (
                "treatments[0].doses[1].date",
                'must not be before the treatment\'s start_date (got "2020-01-01")',
            ),
        ],
        name="Ada",
    )
    assert said == [
        "The date of a measurement must be today or in the past",
        "The date of a dose must be on or after the day the treatment started",
    ]


def test_every_source_is_cited_by_its_authors_or_title_never_by_its_key() -> None:
    for key in load_knowledge().sources:
        citation = source_citation(key)
        assert key not in citation
        assert "_" not in citation, (key, citation)
    assert source_citation("schroth_2025_treatment") == "Schroth et al., 2025"
    assert source_citation("no_such_source") == "a source"
