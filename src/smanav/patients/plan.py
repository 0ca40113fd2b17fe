"""Arranging the core's answer for a page: the care plan grouped by domain with due dates, and the
monitoring tables. No clinical judgement here: intervals, thresholds and alerts all come from the core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smanav import vocabulary as labels
from smanav.patients.models import Assessment
from smanav_core.codes import CareDomain, DueStatus, Instrument
from smanav_core.evaluation import CarePlanItem
from smanav_core.facts import months_between


@dataclass(frozen=True)
class PlanItem:
    item: CarePlanItem

    @property
    def last_done(self) -> dt.date | None:
        return self.item.last_done_on

    @property
    def due_on(self) -> dt.date | None:
        return self.item.due_on

    @property
    def due_status(self) -> DueStatus | None:
        """The core's `due_status`: overdue, due_soon, scheduled or done (None: the item has no date)."""
        return self.item.due_status

    @property
    def overdue(self) -> bool:
        return self.due_status is DueStatus.OVERDUE

    @property
    def due_soon(self) -> bool:
        return self.due_status is DueStatus.DUE_SOON


@dataclass
class PlanDomain:
    domain: str
    items: list[PlanItem] = field(default_factory=list)


def care_plan_by_domain(care_plan: Sequence[CarePlanItem]) -> list[PlanDomain]:
    """Group the plan by domain (in the contract's order). Dates and how they stand come from the core
    (`due_on`, `due_status`, `last_done_on`): the page works out none of its own."""
    order = {domain.value: index for index, domain in enumerate(CareDomain)}
    groups: dict[str, PlanDomain] = {}
    for item in care_plan:
        domain = item.domain.value
        groups.setdefault(domain, PlanDomain(domain=domain)).items.append(PlanItem(item))
    return sorted(groups.values(), key=lambda group: order.get(group.domain, len(order)))


# Weight and height are read against the person's age, not the calendar.
GROWTH_INSTRUMENTS = frozenset({Instrument.WEIGHT_KG.value, Instrument.HEIGHT_CM.value})
# A chart whose measurements were all taken before two years of age counts age in months.
MONTHS_AXIS_BELOW_MONTHS = 24.0
MONTHS_PER_YEAR = 12.0


class AgeUnit(StrEnum):
    MONTHS = "months"
    YEARS = "years"

    @property
    def label(self) -> str:
        return _("months") if self is AgeUnit.MONTHS else _("years")


class DateAxisReason(StrEnum):
    """Why a growth measure is charted by date after all: an age is never invented."""

    NO_BIRTH_DATE = "no_birth_date"
    MEASURED_BEFORE_BIRTH = "measured_before_birth"


@dataclass
class SeriesRow:
    date: dt.date
    value: float
    change: float | None
    assessment_id: int | None = None
    # Age at the measurement in the series' `age_unit` (not rounded); None when not charted for age.
    age: float | None = None
    # The same age as a person reads it ("1 year 3 months"), for tables and the chart's description.
    age_words: str | None = None


@dataclass
class Series:
    instrument: str
    rows: list[SeriesRow]
    # Set for weight and height when every measurement has an age: the chart's x-axis is that age.
    age_unit: AgeUnit | None = None
    # Set for weight and height charted by date, saying why.
    date_axis_reason: DateAxisReason | None = None

    @property
    def is_growth(self) -> bool:
        return self.instrument in GROWTH_INSTRUMENTS

    @property
    def by_age(self) -> bool:
        return self.age_unit is not None

    @property
    def title(self) -> str:
        return labels.label(labels.INSTRUMENT_LABELS, self.instrument)

    @property
    def x_axis_label(self) -> str:
        if self.age_unit is AgeUnit.MONTHS:
            return _("Age (months)")
        if self.age_unit is AgeUnit.YEARS:
            return _("Age (years)")
        return _("Date of measurement")

    @property
    def age_heading(self) -> str:
        """The heading of the table's age column (growth measures only): ages are written in words."""
        return _("Age at measurement")

    @property
    def notes(self) -> list[str]:
        """What the reader needs to know about how the chart is drawn, shown under it."""
        if not self.is_growth:
            return []
        if self.date_axis_reason is DateAxisReason.NO_BIRTH_DATE:
            notes = [_("The date of birth is not known, so this chart is drawn by date, not by age.")]
        elif self.date_axis_reason is DateAxisReason.MEASURED_BEFORE_BIRTH:
            notes = [
                _(
                    "A measurement is dated before the date of birth, so no age can be worked out: "
                    "this chart is drawn by date, not by age. Please check the dates."
                )
            ]
        else:
            notes = [_("Drawn against the age at each measurement.")]
        notes.append(
            _(
                "No reference centile curves are drawn: smanav's knowledge base has no growth "
                "references specific to SMA."
            )
        )
        return notes

    @property
    def description(self) -> str:
        """The chart in words, for its text alternative: what is plotted against what, and the range."""
        first, last = self.rows[0], self.rows[-1]
        low = floatformat(min(row.value for row in self.rows), "-1")
        high = floatformat(max(row.value for row in self.rows), "-1")
        words = {"name": self.title, "count": len(self.rows), "low": low, "high": high}
        if self.age_unit is not None:
            words.update(first=first.age_words or "", last=last.age_words or "", unit=self.age_unit.label)
            return (
                ngettext(
                    "Line chart of %(name)s against age in %(unit)s: %(count)d measurement at the age of "
                    "%(first)s, value %(low)s.",
                    "Line chart of %(name)s against age in %(unit)s: %(count)d measurements from the age "
                    "of %(first)s to %(last)s, values from %(low)s to %(high)s.",
                    len(self.rows),
                )
                % words
            )
        words.update(first=date_format(first.date), last=date_format(last.date))
        return (
            ngettext(
                "Line chart of %(name)s by date: %(count)d measurement on %(first)s, value %(low)s.",
                "Line chart of %(name)s by date: %(count)d measurements from %(first)s to %(last)s, "
                "values from %(low)s to %(high)s.",
                len(self.rows),
            )
            % words
        )


def _ages_months(rows: Sequence[SeriesRow], birth_date: dt.date | None) -> list[float] | DateAxisReason:
    if birth_date is None:
        return DateAxisReason.NO_BIRTH_DATE
    if any(row.date < birth_date for row in rows):
        return DateAxisReason.MEASURED_BEFORE_BIRTH
    return [months_between(birth_date, row.date) for row in rows]


def _chart_for_age(series: Series, birth_date: dt.date | None) -> None:
    """Give a growth series its ages, in one unit for the whole chart, or the reason it has none."""
    ages = _ages_months(series.rows, birth_date)
    if isinstance(ages, DateAxisReason):
        series.date_axis_reason = ages
        return
    if max(ages) < MONTHS_AXIS_BELOW_MONTHS:
        series.age_unit = AgeUnit.MONTHS
        divisor = 1.0
    else:
        series.age_unit = AgeUnit.YEARS
        divisor = MONTHS_PER_YEAR
    for row, age_months in zip(series.rows, ages, strict=True):
        row.age = age_months / divisor
        row.age_words = labels.age_label(birth_date, row.date)


def monitoring_series(assessments: Sequence[Assessment], *, birth_date: dt.date | None) -> list[Series]:
    """One table per instrument (in the contract's order), oldest first, with the change since the
    previous value. Whether a change is clinically meaningful is the core's call (its alerts).

    Weight and height also get the person's age at each measurement (months if every measurement was
    before two years of age, otherwise years), computed the way the core counts age. Without a date
    of birth they stay on the date axis and say why.
    """
    by_instrument: dict[str, list[Assessment]] = {}
    for assessment in sorted(assessments, key=lambda a: (a.date, a.pk)):
        by_instrument.setdefault(assessment.instrument, []).append(assessment)
    result = []
    for instrument in Instrument:
        history = by_instrument.get(instrument.value)
        if not history:
            continue
        rows = []
        previous: float | None = None
        for assessment in history:
            change = None if previous is None else assessment.value - previous
            rows.append(
                SeriesRow(
                    date=assessment.date, value=assessment.value, change=change, assessment_id=assessment.pk
                )
            )
            previous = assessment.value
        series = Series(instrument=instrument.value, rows=rows)
        if series.is_growth:
            _chart_for_age(series, birth_date)
        result.append(series)
    return result
