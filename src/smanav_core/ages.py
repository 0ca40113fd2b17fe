"""Ages in the words a person reads: "16 days", "5 months", "1 year 3 months", never "15.2 months".

The one place where an age is put into words. The core's texts (therapy reasons, the text report) call
`age_words`; the web shell translates the same `CalendarAge` (see `smanav.vocabulary`). Age limits
in the rules are still compared in the core's own unit (`facts.months_between`): this module only says
an age, it never decides anything with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from smanav_core.facts import add_months


@dataclass(frozen=True, slots=True)
class CalendarAge:
    """Whole calendar years and months since birth, and the days since the last whole month."""

    years: int
    months: int
    days: int

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months


def calendar_age(birth: dt.date, on: dt.date) -> CalendarAge:
    """The age on `on` of someone born on `birth`, as a person counts it (birthdays, month-days).

    A month is complete on the same day of a later month, or on that month's last day when it is shorter
    (born 31 January: one month old on 28 or 29 February).
    """
    if on < birth:
        raise ValueError(f"the date {on.isoformat()} is before the birth date {birth.isoformat()}")
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if add_months(birth, months) > on:
        months -= 1
    days = (on - add_months(birth, months)).days
    years, months = divmod(months, 12)
    return CalendarAge(years=years, months=months, days=days)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def words_for(age: CalendarAge) -> str:
    """Days in the first month, months in the first year, then years and months."""
    if age.total_months == 0:
        return _count(age.days, "day", "days")
    if age.years == 0:
        return _count(age.months, "month", "months")
    years = _count(age.years, "year", "years")
    return f"{years} {_count(age.months, 'month', 'months')}" if age.months else years


def age_words(birth: dt.date, on: dt.date) -> str:
    """The age on `on` in words, e.g. "1 year 3 months"."""
    return words_for(calendar_age(birth, on))


def age_words_from_days(age_days: int, on: dt.date) -> str:
    """The same words from an age in days on `on` (an evaluation's `age_days` and `as_of`)."""
    return age_words(on - dt.timedelta(days=age_days), on)
