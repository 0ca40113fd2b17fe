"""Where the reader is (`smanav.user_locale`): from a family's records, else the browser's country,
else not known; and what follows from it: miles or km, US Letter or A4, the English of the dates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401

from smanav.patients.models import Patient
from smanav.user_locale import (
    DistanceUnit,
    LocaleSource,
    PaperSize,
    UserLocale,
    browser_country,
    combine,
    date_language,
)
from smanav_core.codes import Region


@pytest.mark.parametrize(
    ("header", "country"),
    [
        ("en-US,en;q=0.9", "US"),  # what a browser set to US English sends
        ("en-GB", "GB"),
        ("de-DE,de;q=0.9,en;q=0.8", "DE"),
        ("en", None),  # a language alone names no country
        ("en;q=0.5, fr-CA", "CA"),  # the most wanted language counts, whatever its place in the list
        ("en, en-GB;q=0.8", None),  # only the first choice: a second one is read, not lived in
        ("es-419", None),  # Latin America: a region, not a country
        ("zh-Hant-TW", "TW"),  # a script before the country
        ("en_US", "US"),
        ("en-US;q=abc, en-GB;q=0.5", "GB"),  # a malformed weight counts as not wanted
        ("*", None),
        ("", None),
    ],
)
def test_the_browsers_country_is_its_first_languages(header: str, country: str | None) -> None:
    assert browser_country(header) == country


@pytest.mark.parametrize(
    ("records", "browser", "expected"),
    [
        ({"US"}, None, UserLocale("US", Region.US, LocaleSource.RECORD)),
        ({"US"}, "GB", UserLocale("US", Region.US, LocaleSource.RECORD)),  # the records win
        ({"UK"}, "US", UserLocale("GB", Region.UK, LocaleSource.RECORD)),
        # The European Union is no country: the browser names which member state, if it names one.
        ({"EU"}, "DE", UserLocale("DE", Region.EU, LocaleSource.RECORD)),
        ({"EU"}, "US", UserLocale(None, Region.EU, LocaleSource.RECORD)),
        # Records in two regions say nothing: the browser decides.
        ({"US", "UK"}, "GB", UserLocale("GB", Region.UK, LocaleSource.BROWSER)),
        (set(), "NZ", UserLocale("NZ", None, LocaleSource.BROWSER)),
        (set(), None, UserLocale(None, None, LocaleSource.UNKNOWN)),
    ],
)
def test_records_first_then_the_browser(records: set[str], browser: str | None, expected: UserLocale) -> None:
    assert combine(records, browser) == expected


@pytest.mark.parametrize(
    ("country", "unit", "paper", "pounds"),
    [
        ("US", DistanceUnit.MI, PaperSize.LETTER, True),
        ("GB", DistanceUnit.MI, PaperSize.A4, False),  # miles on British roads, A4 in British printers
        ("CA", DistanceUnit.KM, PaperSize.LETTER, False),
        ("MX", DistanceUnit.KM, PaperSize.LETTER, False),
        ("DE", DistanceUnit.KM, PaperSize.A4, False),
        ("AU", DistanceUnit.KM, PaperSize.A4, False),
        (None, DistanceUnit.KM, PaperSize.A4, False),
    ],
)
def test_what_each_country_reads(
    country: str | None, unit: DistanceUnit, paper: PaperSize, pounds: bool
) -> None:
    locale = UserLocale(country, None, LocaleSource.BROWSER)
    assert (locale.distance_unit, locale.paper, locale.us_customary) == (unit, paper, pounds)


@pytest.mark.parametrize(
    ("language", "country", "variant"),
    [
        ("en", None, "en"),
        ("en", "US", "en"),
        ("en", "DE", "en-gb"),  # day before month, as a reader in Germany writes dates
        ("en", "NZ", "en-gb"),
        ("en", "AU", "en-au"),
        ("en", "IE", "en-ie"),
        ("en", "CA", "en-ca"),
        ("en", "JP", "en-ca"),  # year first
        ("en", "SE", "en-ca"),
        ("en-gb", "US", "en-gb"),  # a variant the browser asked for is kept
    ],
)
def test_the_english_of_the_dates(language: str, country: str | None, variant: str) -> None:
    assert date_language(language, country) == variant


def pdf_page_size(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(content)
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    [line] = [line for line in info.splitlines() if line.startswith("Page size:")]
    return line.split(":", 1)[1].strip()


LETTER = "612 x 792 pts (letter)"
A4 = "595.276 x 841.89 pts (A4)"


@pytest.mark.django_db
def test_care_plan_pdf_is_on_the_paper_of_the_readers_country(people: Personas, tmp_path: Path) -> None:
    url = reverse("careplans:pdf", args=[people.shared_child.pk])
    parent = log_in(Client(), people.parent)  # every record of this family is in the United States
    assert pdf_page_size(parent.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").content, tmp_path) == LETTER
    assert pdf_page_size(parent.get(url, {"paper": "A4"}).content, tmp_path) == A4  # asked for
    clinician = log_in(Client(), people.clinician)  # no records of their own: the browser's country
    assert pdf_page_size(clinician.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").content, tmp_path) == A4
    assert pdf_page_size(clinician.get(url, HTTP_ACCEPT_LANGUAGE="en-CA").content, tmp_path) == LETTER
    Patient.objects.filter(guardians__user=people.parent).update(region="UK")
    assert pdf_page_size(parent.get(url, HTTP_ACCEPT_LANGUAGE="en-US").content, tmp_path) == A4


@pytest.mark.django_db
def test_the_locale_costs_one_query_and_only_where_it_is_used(people: Personas) -> None:
    """Date formats need no query; units, distances and paper read the family's regions once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parent = log_in(Client(), people.parent)
    with CaptureQueriesContext(connection) as captured:
        parent.get(reverse("services"), HTTP_ACCEPT_LANGUAGE="en-GB")
    regions = [q["sql"] for q in captured.captured_queries if '"patients_patient"."region"' in q["sql"]]
    assert len(regions) == 1, regions
    with CaptureQueriesContext(connection) as captured:
        parent.get(reverse("sources"), HTTP_ACCEPT_LANGUAGE="en-GB")
    assert not [q for q in captured.captured_queries if '"patients_patient"."region"' in q["sql"]]
