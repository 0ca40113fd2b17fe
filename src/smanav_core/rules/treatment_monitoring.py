"""Dose and monitoring schedules of ongoing treatments: care-plan items and "due" alerts.

Schedules are data (`[[monitoring]]` in `therapies.toml`), anchored to the treatment's recorded start
date. The record holds no individual dose dates, so dose dates are the label schedule counted from the
start; lab schedules also use `labs.date` (the latest labs) to tell when the next test is due. A one-time
gene therapy is followed for its schedule's window after the start date, whether or not an end date is
recorded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from dataclasses import dataclass
from typing import Any, cast

from smanav_core.codes import AlertCode, CareDomain, Region, Severity, SmaType, TreatmentTherapy
from smanav_core.facts import GENE_THERAPIES, PatientFacts, add_months
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.therapies import MonitoringKind, MonitoringSchedule
from smanav_core.record import Treatment

DUE_WITHIN_DAYS = 30
SOON_DAYS = 7
# Enum attribute access is slow on Python 3.11: the output values, read once.
ALERT_CODE = AlertCode.TREATMENT_MONITORING_DUE.value
_DOMAIN = CareDomain.TREATMENT_MONITORING.value


def _current_courses(facts: PatientFacts) -> dict[TreatmentTherapy, tuple[Treatment, int]]:
    """Therapy -> the course its schedules are anchored to, with the days since it started, for the
    therapies followed now.

    A gene therapy is followed from its latest course, ended or not; another therapy from its latest
    ongoing course.
    """
    current: dict[TreatmentTherapy, tuple[Treatment, int]] = {}
    for therapy, courses in facts.treatments.items():
        course = courses[-1]
        if therapy not in GENE_THERAPIES:
            for course in reversed(courses):
                if course.end_date is None:
                    break
            else:
                continue  # no ongoing course: nothing to follow
        current[therapy] = (course, (facts.as_of - course.start_date).days)
    return current


@dataclass(frozen=True, slots=True)
class _Watch:
    """What decides whether a schedule is followed now, read once from the schedule; `position` is its
    place in the file (the order of the output)."""

    position: int
    schedule: MonitoringSchedule
    sma_types: frozenset[SmaType]
    window_days: int | None


def _schedules(kb: Knowledge) -> dict[Region, dict[TreatmentTherapy, tuple[_Watch, ...]]]:
    """Region -> therapy -> its schedules in file order (kept by `Knowledge.prepared`)."""
    index: dict[Region, dict[TreatmentTherapy, tuple[_Watch, ...]]] = {where: {} for where in Region}
    for position, schedule in enumerate(kb.therapies.monitoring):
        watch = _Watch(position, schedule, frozenset(schedule.sma_types), schedule.window_days)
        for where in schedule.regions:
            by_therapy = index[where]
            by_therapy[schedule.therapy] = (*by_therapy.get(schedule.therapy, ()), watch)
    return index


_ACTIVE = "treatment_monitoring.active"


def _active(facts: PatientFacts, kb: Knowledge) -> list[tuple[MonitoringSchedule, Treatment]]:
    """The schedules followed now, in file order, each with the course it is anchored to."""
    if not facts.treatments:
        return []
    # Items and alerts both need this list: work it out once per evaluation, that is per facts and
    # knowledge base (the same facts may be read with another knowledge base).
    cache = facts.extras
    cached = cache.get(_ACTIVE)
    if isinstance(cached, tuple) and cached[0] is kb:
        return cast(list[tuple[MonitoringSchedule, Treatment]], cached[1])
    schedules = kb.prepared(_schedules)[facts.region]
    followed: list[tuple[int, MonitoringSchedule, Treatment]] = []
    for therapy, (course, days_since_start) in _current_courses(facts).items():
        for watch in schedules.get(therapy, ()):
            if watch.sma_types and facts.sma_type not in watch.sma_types:
                continue
            if watch.window_days is not None and days_since_start > watch.window_days:
                continue
            followed.append((watch.position, watch.schedule, course))
    if len(followed) > 1:
        followed.sort(key=_POSITION)
    found = [(schedule, course) for _, schedule, course in followed]
    if isinstance(cache, dict):
        cache[_ACTIVE] = (kb, found)
    return found


_POSITION = operator.itemgetter(0)


def treatment_monitoring_items(facts: PatientFacts, kb: Knowledge) -> list[dict[str, Any]]:
    """Care-plan items (domain `treatment_monitoring`) for the treatments being followed now."""
    items: list[dict[str, Any]] = []
    for schedule, course in _active(facts, kb):
        item: dict[str, Any] = {
            "id": schedule.id,
            "domain": _DOMAIN,
            "title": schedule.title or schedule.id,
            "detail": f"{schedule.text} Treatment started on {course.start_date.isoformat()}.",
            "sources": list(schedule.sources),
        }
        if schedule.interval_months is not None:
            months = schedule.interval_months
            # Whole months are written as integers, like the care plan's (the contract's example is `3`).
            item["interval_months"] = int(months) if float(months).is_integer() else months
        items.append(item)
    return items


def _scheduled_dates(schedule: MonitoringSchedule, start: dt.date, until: dt.date) -> list[dt.date]:
    """Every scheduled date from the start up to `until` (inclusive)."""
    dates = [start + dt.timedelta(days=offset) for offset in schedule.offsets_days]
    if schedule.repeat_every_months is not None and dates:
        anchor = dates[-1]
        step = 1
        while True:
            following = add_months(anchor, schedule.repeat_every_months * step)
            if following > until:
                dates.append(following)
                break
            dates.append(following)
            step += 1
    return dates


def _gap_after(schedule: MonitoringSchedule, day_number: int) -> int | None:
    """Longest allowed gap after a test taken `day_number` days after the start, from the schedule."""
    points = [0, *schedule.offsets_days]
    for earlier, later in itertools.pairwise(points):
        if earlier <= day_number < later:
            return later - earlier
    return schedule.max_gap_days


def _next_due(
    schedule: MonitoringSchedule, course: Treatment, facts: PatientFacts
) -> tuple[dt.date, bool] | None:
    """(due date, known to be overdue) of the next dose or test, or None if nothing more is scheduled."""
    start = course.start_date
    window_end = None if schedule.window_days is None else start + dt.timedelta(days=schedule.window_days)
    labs = facts.record.labs
    last_labs = None if labs is None else labs.date
    if schedule.uses_lab_date and last_labs is not None and last_labs >= start:
        gap = _gap_after(schedule, (last_labs - start).days)
        if gap is None:
            return None
        due = last_labs + dt.timedelta(days=gap)
        if window_end is not None and due > window_end:
            return None
        return due, due < facts.as_of
    horizon = facts.as_of + dt.timedelta(days=DUE_WITHIN_DAYS)
    for day in _scheduled_dates(schedule, start, horizon):
        if day >= facts.as_of and (window_end is None or day <= window_end):
            return day, False
    if schedule.max_gap_days is not None and window_end is not None and facts.as_of <= window_end:
        # Past the fixed dates but inside the follow-up window: the next test is due within the gap.
        return facts.as_of, False
    return None


def treatment_monitoring_alerts(facts: PatientFacts, kb: Knowledge) -> list[dict[str, Any]]:
    """`treatment_monitoring_due` alerts for doses or tests due within 30 days of `as_of`, or overdue."""
    alerts: list[dict[str, Any]] = []
    for schedule, course in _active(facts, kb):
        if schedule.kind is MonitoringKind.ADVICE:
            continue
        found = _next_due(schedule, course, facts)
        if found is None:
            continue
        due, overdue = found
        days_left = (due - facts.as_of).days
        if days_left > DUE_WITHIN_DAYS:
            continue
        title = schedule.title or schedule.id
        if overdue:
            severity = Severity.HIGH
            text = f"{title}: was due on {due.isoformat()}; no later result is recorded."
        else:
            severity = Severity.MEDIUM if days_left <= SOON_DAYS else Severity.LOW
            text = f"{title}: due on {due.isoformat()}."
        alerts.append(
            {
                "code": ALERT_CODE,
                "severity": severity.value,
                "therapy": schedule.therapy.value,
                "text": f"{text} {schedule.text}",
                "due_date": due.isoformat(),
                "sources": list(schedule.sources),
                "rule": schedule.id,
            }
        )
    return alerts
