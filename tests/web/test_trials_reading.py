"""Trials read as written: eligibility headings in the styles sponsors use, the registry's Markdown, and
age limits as ClinicalTrials.gov means them. The criteria texts are real records written by the registry
(read by path, never copied); where no real record has a heading style, the test changes only the
heading of a real record's text and says so."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from tests.web.real_data import real_criteria, real_data

from smanav.trials.ages import AgeLimit, fits_maximum, fits_minimum, parse_age_limit
from smanav.trials.eligibility import heading_section, read_criteria
from smanav.trials.importing import import_trials
from smanav.trials.matching import TrialFacts, assess_trial
from smanav.trials.models import Trial
from smanav.trials.selectors import patient_facts
from smanav.trials.services import trials_match_document
from smanav_core.ages import age_words

AS_OF = dt.date(2026, 11, 21)


# --- headings ------------------------------------------------------------------------------------------

# Real records in the registry's own styles: bulleted, numbered, nested bullets, nested numbers.
REAL_STYLES = ["NCT00763412", "NCT02552212", "NCT04207047", "NCT05594173", "NCT06388018"]
# Heading styles the issue names that none of these records uses. Each variant replaces only the two
# heading lines of a real record; every criterion line stays as the registry wrote it.
HEADING_VARIANTS = {
    "key criteria": ("Key Inclusion Criteria:", "Key Exclusion Criteria:"),
    "main, no colon": ("Main inclusion criteria", "Main exclusion criteria"),
    "capitals": ("INCLUSION:", "EXCLUSION:"),
    "bold": ("**Inclusion Criteria:**", "**Exclusion Criteria:**"),
    "markdown heading": ("### Inclusion criteria", "### Exclusion criteria"),
    "qualified": ("Inclusion Criteria (all participants):", "Exclusion criteria for all cohorts:"),
    "criteria for": ("Criteria for inclusion:", "Criteria for exclusion:"),
}


def with_headings(text: str, inclusion: str, exclusion: str) -> str:
    assert text.count("Inclusion Criteria:") == 1 and text.count("Exclusion Criteria:") == 1
    return text.replace("Inclusion Criteria:", inclusion).replace("Exclusion Criteria:", exclusion)


def top_level_items(part: str) -> list[str]:
    """The criteria a part of a record lists at its first level, as written, marker and escapes removed."""
    items = [
        re.sub(r"^(?:\* |\d+\. )", "", line)
        for line in part.splitlines()
        if re.match(r"^(?:\* |\d+\. )", line)
    ]
    return [re.sub(r"\\([^\w\s])", r"\1", item).strip() for item in items]


@pytest.mark.parametrize("nct_id", REAL_STYLES)
def test_real_records_sections(nct_id: str) -> None:
    text = real_criteria(nct_id)
    requirements, exclusions = (top_level_items(part) for part in text.split("Exclusion Criteria:"))
    read = read_criteria(text)
    # Each listed criterion once, in its section, its first line as written; the headings are not criteria.
    assert [(item.section, item.text.splitlines()[0]) for item in read] == [
        *(("inclusion", line) for line in requirements),
        *(("exclusion", line) for line in exclusions),
    ]


@pytest.mark.parametrize("nct_id", REAL_STYLES)
@pytest.mark.parametrize("style", list(HEADING_VARIANTS))
def test_heading_styles_read_like_the_registry_style(nct_id: str, style: str) -> None:
    text = real_criteria(nct_id)
    expected = [(item.section, item.text) for item in read_criteria(text)]
    variant = with_headings(text, *HEADING_VARIANTS[style])
    assert [(item.section, item.text) for item in read_criteria(variant)] == expected


@pytest.mark.parametrize("nct_id", REAL_STYLES)
def test_a_heading_inside_the_list_opens_its_section(nct_id: str) -> None:
    """The exclusion heading written as a list item above an indented list (heading changed only)."""
    text = real_criteria(nct_id)
    expected = [(item.section, item.text) for item in read_criteria(text)]
    head, tail = text.split("Exclusion Criteria:\n\n")
    indented = "\n".join(("    " + line if line.strip() else line) for line in tail.splitlines())
    variant = f"{head}* Exclusion Criteria:\n\n{indented}"
    assert [(item.section, item.text) for item in read_criteria(variant)] == expected


def test_numbered_and_nested_criteria_keep_their_items() -> None:
    read = read_criteria(real_criteria("NCT04207047"))
    inclusion = [item for item in read if item.section == "inclusion"]
    assert len(inclusion) == 9  # the record numbers nine inclusion criteria
    childbearing = inclusion[6]
    assert childbearing.text.startswith("Subjects of childbearing potential")
    assert "\n- Postmenopausal for at least 12 months prior to study;" in childbearing.text
    assert "<ol><li>Postmenopausal for at least 12 months prior to study;</li>" in childbearing.html
    nested = next(
        item for item in read_criteria(real_criteria("NCT02552212")) if "Active disease" in item.text
    )
    assert nested.text.splitlines() == [
        "Active disease at Screening as defined by",
        "- Bath Ankylosing Spondylitis Disease Activity Index (BASDAI) score >= 4",
        "- Spinal pain >= 4 on a 0 to 10 Numerical Rating Scale (NRS)",
    ]


def test_a_record_without_an_exclusion_section_has_only_requirements() -> None:
    read = read_criteria(real_criteria("NCT04267848"))
    assert read and {item.section for item in read} == {"inclusion"}


@pytest.mark.parametrize(
    "line,expected",
    [
        ("Inclusion Criteria:", ("inclusion", "")),
        ("Key Inclusion Criteria:", ("inclusion", "")),
        ("Main exclusion criteria", ("exclusion", "")),
        ("EXCLUSION:", ("exclusion", "")),
        ("Exclusion: pregnancy or breastfeeding", ("exclusion", "pregnancy or breastfeeding")),
        ("Non-inclusion criteria:", ("exclusion", "")),
        ("Eligibility Criteria:", ("unsorted", "")),
        ("Inclusion and exclusion criteria", ("unsorted", "")),
        ("Inclusion in another interventional study within 3 months", None),
        ("Exclusion criteria of the parent study apply", None),
        ("Exclusive involvement of the lateral branch (Medina lesion 001).", None),
    ],
)
def test_what_is_a_heading(line: str, expected: tuple[str, str] | None) -> None:
    assert heading_section(line) == expected


def test_lines_before_any_heading_are_neither_requirement_nor_exclusion() -> None:
    text = real_criteria("NCT05594173").replace("Inclusion Criteria:\n\n", "")  # heading removed only
    read = read_criteria(text)
    assert read[0].section == "unsorted" and read[0].text == "Healthy adults under age 60"
    assert {item.section for item in read[1:]} == {"exclusion"}


# --- Markdown ------------------------------------------------------------------------------------------


def test_escapes_read_as_the_registry_means_them() -> None:
    raw = real_criteria("NCT00763412")
    assert "\\<126 mg/dl" in raw and "\\>200 mg/dl" in raw
    glucose = next(item for item in read_criteria(raw) if "glucose pattern" in item.text)
    assert "fasting blood glucose <126 mg/dl and 2 hour: 140 - 199 mg/dl or >200 mg/dl." in glucose.text
    assert "\\" not in glucose.text and "&lt;126 mg/dl" in glucose.html and "\\" not in glucose.html


def test_no_html_written_in_a_record_reaches_the_page() -> None:
    # A real criterion with markup a sponsor could type: raw HTML and a script link stay text.
    line = real_criteria("NCT05594173").splitlines()[-1]
    text = real_criteria("NCT05594173").replace(
        line, line + ' <img src=x onerror=alert(1)> [click](javascript:alert(1)) <a href="https://x">x</a>'
    )
    read = read_criteria(text)[-1]
    assert "<img" not in read.html and "<a " not in read.html and "javascript" not in read.html.split("[")[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in read.html
    linked = read_criteria("* See [the protocol](https://example.org/p?a=1&b=2)")[0]
    assert (
        linked.html
        == 'See <a href="https://example.org/p?a=1&amp;b=2" rel="noopener noreferrer">the protocol</a>'
    )


# --- matching and the page -----------------------------------------------------------------------------


@pytest.fixture
def real_open_trial(db: None) -> Trial:
    """A real record imported as it is, then opened as an SMA trial so the finder lists it."""
    import_trials(real_data("ctgov_v2", "NCT00763412.json"))
    Trial.objects.filter(nct_id="NCT00763412").update(is_sma=True, overall_status="RECRUITING")
    return Trial.objects.get(nct_id="NCT00763412")


def test_exclusions_are_never_shown_as_requirements(real_open_trial: Trial, client: Client) -> None:
    answer = trials_match_document({"birth_date": "2010-05-01"}, as_of=AS_OF)
    trial = next(t for t in answer["trials"] if t["nct_id"] == "NCT00763412")
    sections = {item["quote"]: item["section"] for item in trial["criteria"]["to_check"]}
    assert sections["Patients receiving growth hormone therapy or taking insulin"] == "exclusion"
    assert sections["Male or females 12 -24 years old"] == "inclusion"
    page = client.post("/trials/", {"birth_date": "2010-05-01"}).content.decode()
    asks, leaves_out = page.index("The trial also asks for"), page.index("The trial leaves out people")
    assert asks < page.index("Male or females 12 -24 years old") < leaves_out
    assert leaves_out < page.index("Patients receiving growth hormone therapy or taking insulin")
    assert "or &gt;200 mg/dl." in page and "\\&gt;" not in page and "\\>" not in page
    # The record's own criteria are open while the trial may fit (aged 12 to 24: this person is 16), and a
    # click away once it does not (a child of 6).
    card = page[page.index('id="trial-NCT00763412"') :].split("</article>")[0]
    assert '<details class="written-criteria" open>' in card and "May fit" in card
    child = client.post("/trials/", {"birth_date": "2020-05-01"}).content.decode()
    card = child[child.index('id="trial-NCT00763412"') :].split("</article>")[0]
    assert '<details class="written-criteria">' in card and "Does not fit" in card


@pytest.mark.parametrize(
    "birth,on,fits",
    [
        ("2000-03-15", "2020-11-15", True),  # 20 years 8 months: still "up to 20 Years"
        ("2000-03-15", "2021-03-14", True),  # the day before the 21st birthday
        ("2000-03-15", "2021-03-15", False),  # 21 years old
    ],
)
def test_a_maximum_in_years_lasts_until_the_next_birthday(birth: str, on: str, fits: bool) -> None:
    limit = AgeLimit(20.0, "year")
    assert fits_maximum(limit, dt.date.fromisoformat(birth), dt.date.fromisoformat(on)) is fits


@pytest.mark.parametrize(
    "limit,birth,on,minimum,maximum",
    [
        ("6 Months", "2026-01-31", "2026-07-30", False, True),
        ("6 Months", "2026-01-31", "2026-07-31", True, True),
        ("6 Months", "2026-01-31", "2026-08-31", True, False),  # 7 months old
        ("6 Weeks", "2026-10-01", "2026-11-18", True, True),  # 6 weeks 6 days
        ("6 Weeks", "2026-10-01", "2026-11-19", True, False),  # 7 weeks
        ("18 Years", "2008-11-22", "2026-11-21", False, True),  # the day before the 18th birthday
        ("18 Years", "2008-11-21", "2026-11-21", True, True),
    ],
)
def test_limits_count_completed_units(limit: str, birth: str, on: str, minimum: bool, maximum: bool) -> None:
    parsed = parse_age_limit(limit)
    assert parsed is not None
    born, day = dt.date.fromisoformat(birth), dt.date.fromisoformat(on)
    assert (fits_minimum(parsed, born, day), fits_maximum(parsed, born, day)) == (minimum, maximum)


def test_the_real_records_age_limits_include_their_last_year() -> None:
    """NCT00763412 takes people aged 12 to 24 Years: a person of 24 years 11 months fits."""
    facts = patient_facts({"birth_date": "2001-12-01"}, as_of=AS_OF)
    trial = TrialFacts("NCT00763412", minimum_age="12 Years", maximum_age="24 Years")
    finding = assess_trial(facts, trial, None).findings[0]
    assert finding.outcome == "met"
    assert finding.text == (
        "The trial is for people aged 12 to 24 years (until the day before the 25th birthday); the person "
        "is 24 years 11 months old on 21 Nov 2026."
    )


@pytest.mark.parametrize(
    "birth,words",
    [
        ("2026-11-10", "11 days"),
        ("2026-11-20", "1 day"),
        ("2026-05-21", "6 months"),
        ("2025-08-20", "1 year 3 months"),
        ("2008-02-01", "18 years 9 months"),  # was "225.0 months"
        ("1990-11-21", "36 years"),
    ],
)
def test_ages_in_years_and_months(birth: str, words: str) -> None:
    assert age_words(dt.date.fromisoformat(birth), AS_OF) == words


def test_no_age_is_worded_in_decimal_months(real_open_trial: Trial) -> None:
    answer: dict[str, Any] = trials_match_document({"birth_date": "2008-02-01"}, as_of=AS_OF)
    texts = " ".join(
        item["text"] for t in answer["trials"] for items in t["criteria"].values() for item in items
    )
    assert "18 years 9 months old" in texts and "months old on" in texts
    assert ".0 months" not in texts and "225" not in texts


def test_the_command_line_says_which_criteria_exclude(real_open_trial: Trial, tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text('{"birth_date": "2010-05-01"}')
    out = StringIO()
    call_command("trials_match", str(record), "--as-of", "2026-11-21", stdout=out)
    lines = out.getvalue().splitlines()
    assert "  [to check: asked for] Male or females 12 -24 years old" in lines
    assert "  [to check: excludes] Patients receiving growth hormone therapy or taking insulin" in lines
