"""Dose and safety-test schedules of the treatments being followed: when each falls due, and whether it is
overdue, due soon, scheduled or done.

Schedules are data (`[[monitoring]]` in `therapies.toml`). A course's doses and the dates of its safety
tests are read from the record when they are recorded (`treatments[].doses`, `lab_tests[]`, and the
`labs` section's date for the values it holds): the next dose is counted from the last one given, a test
is done once recorded after the dose it prepares or the gap of its schedule after the last one. Where
nothing is recorded yet the label schedule is counted from the course's start date, and then nothing can
be called overdue (the record cannot tell a missed dose from an unrecorded one).

`follow_treatments` works this out once per evaluation; the care plan (`treatment_monitoring_items`)
and the alerts (`treatment_monitoring_alerts`) both read what it found, so an item and its alert always
give the same date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from smanav_core.codes import (
    AlertCode,
    CareDomain,
    DueStatus,
    Regimen,
    Region,
    Severity,
    TreatmentTherapy,
)
from smanav_core.dates import day_words
from smanav_core.evaluation import CarePlanItem, TreatmentMonitoringAlert, TreatmentMonitoringItem
from smanav_core.facts import GENE_THERAPIES, PatientFacts, add_months
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.base import Statement
from smanav_core.knowledge.schema.therapies import MonitoringKind, MonitoringSchedule
from smanav_core.record import Treatment
from smanav_core.rules.reasons import flagged

ALERT_CODE = AlertCode.TREATMENT_MONITORING_DUE
_DOMAIN = CareDomain.TREATMENT_MONITORING


@dataclass(frozen=True, slots=True)
class Due:
    """When a schedule's next dose or test falls due, as seen on the evaluation date."""

    on: dt.date
    status: DueStatus
    # The last dose given or test recorded that the date is counted from (None: counted from the start).
    last_done: dt.date | None


@dataclass(frozen=True, slots=True)
class Followed:
    """A schedule followed now for one treatment course, and what is due next (None: nothing more)."""

    schedule: MonitoringSchedule
    course: Treatment
    due: Due | None
    # Set when the course's regimen is not recorded and this is the only one in the region's rules.
    assumed_regimen: Regimen | None = None


@dataclass(frozen=True, slots=True)
class RegimenMissing:
    """A course whose regimen is not recorded, of a therapy with several regimens in this region."""

    therapy: TreatmentTherapy
    regimens: tuple[Regimen, ...]


@dataclass(frozen=True, slots=True)
class Monitoring:
    followed: tuple[Followed, ...]
    regimen_missing: tuple[RegimenMissing, ...]


@dataclass(frozen=True, slots=True)
class _Limits:
    due_soon_days: int
    within_a_week_days: int
    regimen_names: dict[Regimen, str]
    regimen_unknown: Statement
    regimen_assumed: Statement


@dataclass(frozen=True, slots=True)
class _Index:
    """Region -> therapy -> its schedules in file order, and the regimens its schedules name there."""

    schedules: dict[Region, dict[TreatmentTherapy, tuple[MonitoringSchedule, ...]]]
    regimens: dict[Region, dict[TreatmentTherapy, tuple[Regimen, ...]]]
    # Each schedule's place in the file: the order of the output.
    position: dict[str, int]
    limits: _Limits


def _index(kb: Knowledge) -> _Index:
    """Built once per knowledge base (`Knowledge.prepared`)."""
    schedules: dict[Region, dict[TreatmentTherapy, tuple[MonitoringSchedule, ...]]] = {r: {} for r in Region}
    regimens: dict[Region, dict[TreatmentTherapy, tuple[Regimen, ...]]] = {r: {} for r in Region}
    for schedule in kb.therapies.monitoring:
        for where in schedule.regions:
            by_therapy = schedules[where]
            by_therapy[schedule.therapy] = (*by_therapy.get(schedule.therapy, ()), schedule)
            known = regimens[where].get(schedule.therapy, ())
            regimens[where][schedule.therapy] = (
                *known,
                *(regimen for regimen in schedule.regimens if regimen not in known),
            )
    # Regimens in the contract's order, so that their names are always listed the same way.
    order = list(Regimen)
    for by_region in regimens.values():
        for therapy, named in by_region.items():
            by_region[therapy] = tuple(sorted(named, key=order.index))
    limits = _Limits(
        due_soon_days=int(kb.number("monitoring.due_soon_days")),
        within_a_week_days=int(kb.number("monitoring.due_within_a_week_days")),
        regimen_names={entry.regimen: entry.name for entry in kb.therapies.regimen},
        regimen_unknown=kb.statement("monitoring.regimen_unknown"),
        regimen_assumed=kb.statement("monitoring.regimen_assumed"),
    )
    position = {schedule.id: place for place, schedule in enumerate(kb.therapies.monitoring)}
    return _Index(schedules, regimens, position, limits)


def _current_courses(facts: PatientFacts) -> list[tuple[Treatment, bool]]:
    """The course of each therapy followed now, with whether it follows an earlier course of the same
    therapy on another regimen (a switch). A gene therapy is followed from its latest course, ended or
    not; another therapy from its latest ongoing course."""
    current: list[tuple[Treatment, bool]] = []
    for therapy, courses in facts.treatments.items():
        if therapy in GENE_THERAPIES:
            position = len(courses) - 1
        else:
            ongoing = [index for index, course in enumerate(courses) if course.end_date is None]
            if not ongoing:
                continue  # no ongoing course: nothing to follow
            position = ongoing[-1]
        course = courses[position]
        switching = any(earlier.regimen != course.regimen for earlier in courses[:position])
        current.append((course, switching))
    return current


def follow_treatments(facts: PatientFacts, kb: Knowledge) -> Monitoring:
    """Every schedule followed now, in file order, with its next due date; and the courses whose
    schedules cannot be chosen because their regimen is not recorded."""
    if not facts.treatments:
        return Monitoring((), ())
    index = kb.prepared(_index)
    by_therapy = index.schedules[facts.region]
    followed: list[Followed] = []
    missing: list[RegimenMissing] = []
    for course, switching in _current_courses(facts):
        days_since_start = (facts.as_of - course.start_date).days
        here = index.regimens[facts.region].get(course.therapy, ())
        assumed = here[0] if course.regimen is None and len(here) == 1 else None
        if course.regimen is None and len(here) > 1:
            missing.append(RegimenMissing(course.therapy, here))
        doses: tuple[MonitoringSchedule, Due] | None = None
        for schedule in by_therapy.get(course.therapy, ()):
            if schedule.sma_types and facts.sma_type not in schedule.sma_types:
                continue
            if schedule.window_days is not None and days_since_start > schedule.window_days:
                continue
            if schedule.switching is not None and schedule.switching is not switching:
                continue
            if schedule.regimens and (course.regimen or assumed) not in schedule.regimens:
                continue
            if not schedule.confirmed:
                due = None  # an unconfirmed schedule is shown, never used to date anything
            elif schedule.kind is MonitoringKind.DOSE:
                due = _next_dose(schedule, course, facts, index.limits)
                doses = None if due is None else (schedule, due)
            elif schedule.kind is MonitoringKind.TEST and schedule.before_each_dose:
                due = _tests_before_dose(schedule, course, facts, doses)
            elif schedule.kind is MonitoringKind.TEST:
                due = _next_test(schedule, course, facts, index.limits)
            else:
                due = None
            followed.append(Followed(schedule, course, due, assumed if schedule.regimens else None))
    if len(followed) > 1:
        followed.sort(key=lambda item: index.position[item.schedule.id])
    return Monitoring(tuple(followed), tuple(missing))


def _status(due: dt.date, facts: PatientFacts, limits: _Limits, *, can_be_late: bool) -> DueStatus:
    if due < facts.as_of and can_be_late:
        return DueStatus.OVERDUE
    if (due - facts.as_of).days <= limits.due_soon_days:
        return DueStatus.DUE_SOON
    return DueStatus.SCHEDULED


def _next_dose(
    schedule: MonitoringSchedule, course: Treatment, facts: PatientFacts, limits: _Limits
) -> Due | None:
    """The next dose: counted from the last dose given when doses are recorded (the gap to the next loading
    dose while fewer doses than the loading doses are recorded, else the maintenance interval), else the
    label schedule from the start."""
    offsets = schedule.offsets_days
    given = sorted(dose.date for dose in course.doses)
    if given:
        count, last = len(given), given[-1]
        # Doses recorded only from some time after the loading phase are maintenance doses: the loading
        # doses given at the start were simply not recorded.
        loading_over = given[0] > course.start_date + dt.timedelta(days=offsets[-1])
        if count < len(offsets) and not loading_over:
            due = last + dt.timedelta(days=offsets[count] - offsets[count - 1])
        elif schedule.repeat_every_months is not None:
            due = add_months(last, schedule.repeat_every_months)
        else:
            return None  # every dose of the schedule is given
        return Due(due, _status(due, facts, limits, can_be_late=True), last)
    for day in _scheduled_dates(schedule, course.start_date, facts.as_of):
        if day >= facts.as_of:
            return Due(day, _status(day, facts, limits, can_be_late=False), None)
    return None


def _scheduled_dates(schedule: MonitoringSchedule, start: dt.date, until: dt.date) -> list[dt.date]:
    """The label schedule counted from `start`, up to the first date on or after `until`."""
    dates = [start + dt.timedelta(days=offset) for offset in schedule.offsets_days]
    if schedule.repeat_every_months is not None and dates and dates[-1] < until:
        anchor, step = dates[-1], 1
        while dates[-1] < until:
            dates.append(add_months(anchor, schedule.repeat_every_months * step))
            step += 1
    return dates


def _last_all_done(schedule: MonitoringSchedule, facts: PatientFacts, after: dt.date) -> dt.date | None:
    """The date by which every test of the schedule had been recorded after `after` (None if one is not)."""
    latest: list[dt.date] = []
    for test in schedule.tests:
        dates = [day for day in facts.lab_tests.get(test, ()) if day > after]
        if not dates:
            return None
        latest.append(dates[-1])
    return max(latest) if latest else None


def _tests_before_dose(
    schedule: MonitoringSchedule,
    course: Treatment,
    facts: PatientFacts,
    doses: tuple[MonitoringSchedule, Due] | None,
) -> Due | None:
    """Tests due with the next dose; done once every one is recorded after the dose before it."""
    if doses is None:
        return None
    dose_schedule, dose = doses
    # The dose before the coming one: the last given, else the scheduled date before it (or the start).
    before = dose.last_done
    if before is None:
        earlier = _scheduled_dates(dose_schedule, course.start_date, dose.on)
        before = max(
            (day for day in earlier if day < dose.on), default=course.start_date - dt.timedelta(days=1)
        )
    done = _last_all_done(schedule, facts, before)
    if done is not None:
        return Due(dose.on, DueStatus.DONE, done)
    # Not done for the coming dose; the tests last recorded (for an earlier dose), if any, are named.
    return Due(dose.on, dose.status, _last_all_done(schedule, facts, dt.date.min))


def _gap_after(schedule: MonitoringSchedule, day_number: int) -> int | None:
    """Longest allowed gap after a test taken `day_number` days after the start, from the schedule."""
    points = [0, *schedule.offsets_days]
    for earlier, later in itertools.pairwise(points):
        if earlier <= day_number < later:
            return later - earlier
    return schedule.max_gap_days


def _next_test(
    schedule: MonitoringSchedule, course: Treatment, facts: PatientFacts, limits: _Limits
) -> Due | None:
    """The next test of a schedule counted from the start (a one-time gene therapy's follow-up)."""
    start = course.start_date
    window_end = None if schedule.window_days is None else start + dt.timedelta(days=schedule.window_days)
    last = _last_all_done(schedule, facts, start - dt.timedelta(days=1))
    if last is not None:
        gap = _gap_after(schedule, (last - start).days)
        if gap is None:
            return None
        due = last + dt.timedelta(days=gap)
        if window_end is not None and due > window_end:
            return None
        return Due(due, _status(due, facts, limits, can_be_late=True), last)
    for day in _scheduled_dates(schedule, start, facts.as_of):
        if day >= facts.as_of and (window_end is None or day <= window_end):
            return Due(day, _status(day, facts, limits, can_be_late=False), None)
    if schedule.max_gap_days is not None and window_end is not None and facts.as_of <= window_end:
        # Past the fixed dates but inside the follow-up window: the next test is due within the gap.
        return Due(facts.as_of, DueStatus.DUE_SOON, None)
    return None


# --- what the care plan and the alerts say ---------------------------------------------------------------


def treatment_monitoring_items(
    facts: PatientFacts, kb: Knowledge, monitoring: Monitoring | None = None
) -> list[CarePlanItem]:
    """Care-plan items (domain `treatment_monitoring`) for the treatments being followed now."""
    found = follow_treatments(facts, kb) if monitoring is None else monitoring
    limits = kb.prepared(_index).limits
    items: list[CarePlanItem] = []
    for missing in found.regimen_missing:
        statement = limits.regimen_unknown
        values = {"therapy": missing.therapy.value.capitalize(), "regimens": _names(missing.regimens, limits)}
        items.append(
            TreatmentMonitoringItem(
                id=statement.id,
                domain=_DOMAIN,
                title=(statement.title or statement.id).format_map(values),
                detail=statement.text.format_map(values),
                interval_months=None,
                sources=statement.sources,
            )
        )
    for item in found.followed:
        schedule = item.schedule
        sources = schedule.sources
        if item.assumed_regimen is not None:
            sources = (*sources, *(s for s in limits.regimen_assumed.sources if s not in sources))
        interval: int | float | None = None
        if schedule.interval_months is not None:
            months = schedule.interval_months
            # Whole months are written as integers, like the care plan's (the contract's example is `3`).
            interval = int(months) if float(months).is_integer() else months
        due = item.due
        items.append(
            TreatmentMonitoringItem(
                id=schedule.id,
                domain=_DOMAIN,
                title=schedule.title or schedule.id,
                detail=flagged(schedule, " ".join((schedule.text, *_context(item, limits)))),
                interval_months=interval,
                sources=sources,
                due_on=None if due is None else due.on,
                due_status=None if due is None else due.status,
                last_done_on=None if due is None else due.last_done,
            )
        )
    return items


def _names(regimens: Sequence[Regimen], limits: _Limits) -> str:
    return " or ".join(limits.regimen_names[regimen] for regimen in regimens)


def _context(item: Followed, limits: _Limits) -> list[str]:
    """What the dates are counted from, in words."""
    words: list[str] = []
    if item.assumed_regimen is not None:
        words.append(limits.regimen_assumed.text.format(regimen=limits.regimen_names[item.assumed_regimen]))
    schedule, course, due = item.schedule, item.course, item.due
    if schedule.kind is MonitoringKind.ADVICE or not schedule.confirmed:
        words.append(f"Treatment started on {day_words(course.start_date)}.")
    elif due is not None and due.status is DueStatus.DONE and due.last_done is not None:
        words.append(f"Done for the coming dose: recorded on {day_words(due.last_done)}.")
    elif due is not None and schedule.before_each_dose:
        words.append("Due with the next dose.")
        if due.last_done is not None:
            words.append(
                f"The last tests recorded, for an earlier dose, were done on {day_words(due.last_done)}."
            )
    elif due is not None and due.last_done is not None:
        done = (
            "dose recorded was given" if schedule.kind is MonitoringKind.DOSE else "tests recorded were done"
        )
        words.append(f"The last {done} on {day_words(due.last_done)}.")
    else:
        done = "doses" if schedule.kind is MonitoringKind.DOSE else "results"
        words.append(
            f"No {done} are recorded for this course yet, so the dates are counted from its start on "
            f"{day_words(course.start_date)}."
        )
    return words


def treatment_monitoring_alerts(
    facts: PatientFacts, kb: Knowledge, monitoring: Monitoring | None = None
) -> list[TreatmentMonitoringAlert]:
    """`treatment_monitoring_due` alerts for doses and tests that are overdue or due soon."""
    found = follow_treatments(facts, kb) if monitoring is None else monitoring
    limits = kb.prepared(_index).limits
    alerts: list[TreatmentMonitoringAlert] = []
    for item in found.followed:
        due, schedule = item.due, item.schedule
        if due is None or due.status not in (DueStatus.OVERDUE, DueStatus.DUE_SOON):
            continue
        title = schedule.title or schedule.id
        if due.status is DueStatus.OVERDUE:
            severity = Severity.HIGH
            later = "dose" if schedule.kind is MonitoringKind.DOSE else "result"
            text = f"{title}: was due on {day_words(due.on)}; no later {later} is recorded."
        else:
            days_left = (due.on - facts.as_of).days
            severity = Severity.MEDIUM if days_left <= limits.within_a_week_days else Severity.LOW
            text = f"{title}: due on {day_words(due.on)}."
        alerts.append(
            TreatmentMonitoringAlert(
                code=ALERT_CODE,
                severity=severity,
                therapy=schedule.therapy,
                text=f"{text} {schedule.text}",
                due_on=due.on,
                due_status=due.status,
                sources=schedule.sources,
                rule=schedule.id,
            )
        )
    return alerts
