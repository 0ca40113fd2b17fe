"""Time to permanent ventilation or gastrostomy on the registry dashboard: a Kaplan-Meier table of the
share of participants still free of both, by age, for everyone and by SMA type.

**The event** is the first of: breathing support for 16 hours a day or more reported (by the family or
the clinic, `ReportedValue` "ventilation_hours"), or a gastrostomy reported ("feeding"), each from its
date. Permanent ventilation is as the knowledge base's NICE rule names it (a tracheostomy or breathing
support of 16 hours a day or more, `dashboard_cohort.PERMANENT_VENTILATION`).

**Time** is the age in whole months, from birth. **Censoring**: someone without the event counts as free
of it up to the last day the record tells about them, the latest of their last measurement, their last
dated registry report and the last time their record was written (never after the day of the
dashboard); from then on they leave the table without an event. Someone whose clinical status shows a
tracheostomy, 16 hours or more, or a gastrostomy, but with no dated report, had the event on a day the
registry does not know: they are not in the table (it would count them wrongly either way) and are
counted beside it. Someone with no follow-up after birth is not in it either.

**The estimate** at an age is the product over each month of age up to it of (1 − events that month /
people at risk that month), people at risk being those followed to that month or beyond (those leaving
in a month count as at risk in it). Computed from counts grouped in SQL by type, month and event.

**Small cells**: a row of the table (an age) is shown only when at least the threshold of people are at
risk there, and when the number of events and the fall in the number at risk since the previous shown
row are each 0 or at least the threshold (the first shown row is compared with everyone in the
table), so neither can be worked out to a few people by subtraction. The events shown are the
cumulative count; 0 events is shown (a zero names no one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from smanav.vocabulary import SMA_TYPE_LABELS
from smanav_core.codes import SmaType

AGES_MONTHS = (6, 12, 18, 24, 36, 60, 120, 240)
ALL = "all"


@dataclass(frozen=True, slots=True)
class Point:
    age_months: int
    at_risk: int
    events: int  # cumulative, up to and including this age
    free_percent: float


@dataclass
class Curve:
    group: str  # ALL or an SMA type code
    words: str
    # One entry per age of `AGES_MONTHS`: the point, or None where it is suppressed.
    points: list[Point | None] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Survival:
    curves: list[Curve]
    undated: int  # participants at the event on a day not known (suppressed by the caller)


def _small(count: int, limit: int) -> bool:
    return 0 < count < limit


def kaplan_meier(
    times: dict[int, tuple[int, int]], *, ages: tuple[int, ...], limit: int
) -> list[Point | None]:
    """`times`: month of age -> (events, censored) in that month. Answers a point per age in `ages`,
    None where small cells hide it (see the module's words)."""
    months = sorted(times)
    everyone = sum(events + censored for events, censored in times.values())
    remaining = everyone  # followed to the current month or beyond
    free, cumulative, position = 1.0, 0, 0
    shown_events, shown_at_risk = 0, everyone
    result: list[Point | None] = []
    for age in ages:
        at_risk = everyone - sum(sum(times[month]) for month in months if month < age)
        while position < len(months) and months[position] <= age:
            events, censored = times[months[position]]
            free *= 1 - events / remaining  # remaining > 0: this month has someone in it
            remaining -= events + censored
            cumulative += events
            position += 1
        new_events, fall = cumulative - shown_events, shown_at_risk - at_risk
        if at_risk >= limit and not _small(new_events, limit) and not _small(fall, limit):
            result.append(Point(age, at_risk, cumulative, round(100 * free, 1)))
            shown_events, shown_at_risk = cumulative, at_risk
        else:
            result.append(None)
    return result


def survival(cohort: str, *, limit: int) -> Survival:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sma_type, CASE WHEN event_months IS NULL THEN seen_months"
            " WHEN event_months < 0 THEN 0 ELSE event_months END AS months,"
            " CASE WHEN event_months IS NULL THEN 0 ELSE 1 END AS event, COUNT(*)"
            f" FROM {cohort} WHERE undated_event = 0"
            " AND (event_months IS NOT NULL OR seen_months > 0)"
            " GROUP BY sma_type, CASE WHEN event_months IS NULL THEN seen_months"
            " WHEN event_months < 0 THEN 0 ELSE event_months END,"
            " CASE WHEN event_months IS NULL THEN 0 ELSE 1 END"
        )
        rows = cursor.fetchall()
        cursor.execute(f"SELECT COUNT(*) FROM {cohort} WHERE undated_event = 1")
        undated = int(cursor.fetchone()[0])
    by_group: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for sma_type, months, event, people in rows:
        for group in (ALL, sma_type or ""):
            counts = by_group[group][int(months)]
            counts[0 if event else 1] += int(people)
    curves = []
    groups = (
        [(ALL, str(_("Everyone")))]
        + [(t.value, str(SMA_TYPE_LABELS[t.value])) for t in SmaType]
        + [("", str(_("SMA type not known")))]
    )
    for group, words in groups:
        times = {month: (n[0], n[1]) for month, n in by_group.get(group, {}).items()}
        points = kaplan_meier(times, ages=AGES_MONTHS, limit=limit)
        if group == ALL or any(point is not None for point in points):
            curves.append(Curve(group, words, points))
    return Survival(curves, undated)


def age_words(months: int) -> str:
    if months < 24:
        return _("%(months)s months") % {"months": months}
    return _("%(years)s years") % {"years": months // 12}
