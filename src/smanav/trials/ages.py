"""Age limits as ClinicalTrials.gov writes them ("6 Months", "20 Years") and ages in words for families.

A limit is a whole number of a unit, compared with the person's age counted in completed units of that
unit, the way ages are said: a person is 20 years old from their 20th birthday to the day before their
21st, so "up to 20 Years" still fits at 20 years and 8 months, and "at least 6 Months" fits from the day
the person is 6 months old. The registry's own age groups read the same way (child: birth to 17, adult:
18 to 64, older adult: 65 and over, one group ending where the next begins).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from smanav_core.ages import calendar_age
from smanav_core.facts import DAYS_PER_MONTH

_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
# Days in one unit, for the rare limit that is not a whole number ("1.5 Years").
_DAYS = {"year": 365.25, "month": DAYS_PER_MONTH, "week": 7.0, "day": 1.0, "hour": 1 / 24, "minute": 1 / 1440}


@dataclass(frozen=True, slots=True)
class AgeLimit:
    number: float  # as written; whole in practice
    unit: str  # year, month, week, day, hour or minute

    @property
    def words(self) -> str:
        return _count(self.number, self.unit)


def parse_age_limit(text: str) -> AgeLimit | None:
    """ "18 Years" -> AgeLimit(18, "year"); None for "N/A", an empty field or anything else."""
    found = _LIMIT.match(text or "")
    if not found:
        return None
    return AgeLimit(float(found.group(1)), found.group(2).lower())


def completed_months(birth: dt.date, on: dt.date) -> int:
    """Whole calendar months lived by `on` (born 31 January: one month old on 28 February)."""
    return 0 if on < birth else calendar_age(birth, on).total_months


def completed(unit: str, birth: dt.date, on: dt.date) -> int:
    """The person's age in whole units of `unit` on `on` (birthday to day before the next)."""
    days = (on - birth).days
    if unit == "year":
        return completed_months(birth, on) // 12
    if unit == "month":
        return completed_months(birth, on)
    if unit == "week":
        return days // 7
    if unit == "day":
        return days
    # The record holds no time of birth: count from the start of the day of birth.
    return days * 24 if unit == "hour" else days * 1440


def fits_minimum(limit: AgeLimit, birth: dt.date, on: dt.date) -> bool:
    if limit.number.is_integer():
        return completed(limit.unit, birth, on) >= limit.number
    return (on - birth).days >= limit.number * _DAYS[limit.unit]


def fits_maximum(limit: AgeLimit, birth: dt.date, on: dt.date) -> bool:
    if limit.number.is_integer():
        return completed(limit.unit, birth, on) <= limit.number
    return (on - birth).days <= limit.number * _DAYS[limit.unit]


def _count(number: float, unit: str) -> str:
    return f"{number:g} {unit}{'' if number == 1 else 's'}"


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def limits_words(low: AgeLimit | None, high: AgeLimit | None) -> str:
    """The ages a trial takes, in words: "2 to 12 years (until the day before the 13th birthday)"."""
    if high is None:
        return f"{low.words} or older" if low else "of any age"
    if low is None or low.number == 0:
        span = f"up to {high.words}"
    elif low.unit == high.unit:
        span = f"{low.number:g} to {high.words}"
    else:
        span = f"{low.words} to {high.words}"
    if not high.number.is_integer():
        return span
    following = int(high.number) + 1
    if high.unit == "year":
        return f"{span} (until the day before the {_ordinal(following)} birthday)"
    return f"{span} (until the day before they are {_count(following, high.unit)} old)"


def months_words(months: float) -> str:
    """A number of months from a curated criterion, in years and months ("18 months" -> "1 year 6 months")."""
    if not float(months).is_integer() or months < 12:
        return _count(round(months, 1), "month")
    years, rest = divmod(int(months), 12)
    return _count(years, "year") + (f" {_count(rest, 'month')}" if rest else "")
