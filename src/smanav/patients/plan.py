"""Arranging the core's answer for a page: the care plan grouped by domain with due dates, and the
monitoring tables. No clinical judgement here: intervals, thresholds and alerts all come from the core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smanav_core.codes import CareDomain, Instrument

DAYS_PER_MONTH = 365.25 / 12


@dataclass
class PlanItem:
    item: Mapping[str, Any]
    last_done: dt.date | None = None
    due_on: dt.date | None = None
    overdue: bool = False


@dataclass
class PlanDomain:
    domain: str
    items: list[PlanItem] = field(default_factory=list)


def _instruments_of(item: Mapping[str, Any]) -> list[str]:
    """The measures whose last date starts this item's clock, if the core names them."""
    named = item.get("instruments") or ([item["instrument"]] if item.get("instrument") else [])
    return [str(name) for name in named]


def _latest_dates(assessments: Sequence[Mapping[str, Any]]) -> dict[str, dt.date]:
    latest: dict[str, dt.date] = {}
    for assessment in assessments:
        when = dt.date.fromisoformat(str(assessment["date"]))
        name = str(assessment["instrument"])
        if name not in latest or when > latest[name]:
            latest[name] = when
    return latest


def care_plan_by_domain(
    care_plan: Sequence[Mapping[str, Any]], *, assessments: Sequence[Mapping[str, Any]], as_of: dt.date
) -> list[PlanDomain]:
    """Group the plan by domain (in the contract's order) and work out when each item is next due.

    The due date is the core's own `due_date` if it gives one; otherwise the last measurement of the
    item's instruments plus its `interval_months`. With neither, the item has no date (it is not
    invented).
    """
    latest = _latest_dates(assessments)
    order = {domain.value: index for index, domain in enumerate(CareDomain)}
    groups: dict[str, PlanDomain] = {}
    for item in care_plan:
        entry = PlanItem(item=item)
        given = item.get("due_date") or item.get("due_on")
        if given:
            entry.due_on = dt.date.fromisoformat(str(given))
        dates = [latest[name] for name in _instruments_of(item) if name in latest]
        if dates:
            entry.last_done = max(dates)
            interval = item.get("interval_months")
            if entry.due_on is None and interval:
                entry.due_on = entry.last_done + dt.timedelta(days=round(float(interval) * DAYS_PER_MONTH))
        entry.overdue = entry.due_on is not None and entry.due_on < as_of
        domain = str(item.get("domain", ""))
        groups.setdefault(domain, PlanDomain(domain=domain)).items.append(entry)
    return sorted(groups.values(), key=lambda group: order.get(group.domain, len(order)))


@dataclass
class SeriesRow:
    date: dt.date
    value: float
    change: float | None
    assessment_id: int | None = None


@dataclass
class Series:
    instrument: str
    rows: list[SeriesRow]


def monitoring_series(assessments: Sequence[Any]) -> list[Series]:
    """One table per instrument (in the contract's order), oldest first, with the change since the
    previous value. Whether a change is clinically meaningful is the core's call (its alerts)."""
    by_instrument: dict[str, list[Any]] = {}
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
        result.append(Series(instrument=instrument.value, rows=rows))
    return result
