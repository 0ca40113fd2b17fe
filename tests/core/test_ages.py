"""Ages in words: what a person reads wherever an age is shown ("1 year 3 months", never "15.2 months")."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from smanav_core import evaluate
from smanav_core.ages import CalendarAge, age_words, age_words_from_days, calendar_age

D = dt.date


@pytest.mark.parametrize(
    ("birth", "on", "words"),
    [
        (D(2026, 11, 21), D(2026, 11, 21), "0 days"),
        (D(2026, 11, 20), D(2026, 11, 21), "1 day"),
        (D(2026, 11, 5), D(2026, 11, 21), "16 days"),
        (D(2026, 10, 22), D(2026, 11, 21), "30 days"),
        (D(2026, 10, 21), D(2026, 11, 21), "1 month"),
        # Born on the 31st: a month is complete on the shorter month's last day.
        (D(2026, 1, 31), D(2026, 2, 28), "1 month"),
        (D(2026, 1, 31), D(2026, 2, 27), "27 days"),
        (D(2026, 6, 10), D(2026, 11, 21), "5 months"),
        (D(2025, 11, 22), D(2026, 11, 21), "11 months"),
        (D(2025, 11, 21), D(2026, 11, 21), "1 year"),
        (D(2025, 8, 10), D(2026, 11, 21), "1 year 3 months"),
        (D(2024, 10, 21), D(2026, 11, 21), "2 years 1 month"),
        (D(1992, 9, 1), D(2026, 11, 21), "34 years 2 months"),
        # Born on 29 February: a year old on 28 February of a common year.
        (D(2024, 2, 29), D(2025, 2, 28), "1 year"),
        (D(2024, 2, 29), D(2025, 2, 27), "11 months"),
    ],
)
def test_age_words(birth: dt.date, on: dt.date, words: str) -> None:
    assert age_words(birth, on) == words
    assert age_words_from_days((on - birth).days, on) == words


def test_calendar_age_parts() -> None:
    assert calendar_age(D(2025, 8, 10), D(2026, 11, 21)) == CalendarAge(years=1, months=3, days=11)
    assert calendar_age(D(2025, 8, 10), D(2026, 11, 21)).total_months == 15


def test_an_age_before_birth_is_refused() -> None:
    with pytest.raises(ValueError, match="before the birth date"):
        calendar_age(D(2026, 11, 22), D(2026, 11, 21))


@pytest.mark.parametrize("days", range(0, 3 * 366, 7))
def test_words_never_carry_decimals(days: int) -> None:
    words = age_words_from_days(days, D(2026, 11, 21))
    assert re.fullmatch(r"\d+ (day|days|month|months)|\d+ years?( \d+ months?)?", words), words


def test_therapy_reasons_say_the_age_in_words() -> None:
    """A reason that quotes the age ("this child is {age} old") uses the same words."""
    record = {
        "birth_date": "2025-08-10",
        "genetics": {"smn1_copies": 0, "smn2_copies": 2, "method": "mlpa"},
        "clinical": {"symptomatic": True, "symptom_onset_age_months": 3},
    }
    result = evaluate(record, region="US", as_of=D(2026, 11, 21))
    assert result["age_days"] == (D(2026, 11, 21) - D(2025, 8, 10)).days
    texts = [reason["text"] for therapy in result["therapies"] for reason in therapy["reasons"]]
    aged = [text for text in texts if "1 year 3 months old" in text]
    assert aged, texts
    assert not any(re.search(r"\d+\.\d+ (months|years)", text) for text in texts)
