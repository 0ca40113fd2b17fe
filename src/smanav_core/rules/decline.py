"""A meaningful fall of a measure (`motor_decline`), and a steady fall nobody has a threshold for
(`measure_trend`).

Only for confirmed 5q SMA (the caller checks). Every threshold, SMA type and look-back window comes from the
`[[decline_rule]]` entries of `measures.toml`, never from here. For each measure with a rule:

* with a confirmed rule for the person's SMA type, the LATEST value is compared with the best of the
  earlier values within the rule's window before it and the last value taken before the window opened
  (visits are never exactly 12 months apart, and with no value inside the window this is the value just
  before, as the contract words it), and, where the rule says so, with the last value before the current
  treatment course began. A fall of at least the threshold from either is a meaningful decline
  (`motor_decline`, high). So a partial re-test does not hide a fall, a slow loss within the window adds
  up, and a dip followed by full recovery does not alert (the latest value is back at the reference);
* without one (no threshold found for the measure, or none for this SMA type), three values in a row that
  each fell give a low-severity notice (`measure_trend`) that says no cited threshold exists. It does not
  change the urgency.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable
from dataclasses import dataclass

from smanav_core.codes import AlertCode, DeclineReference, Instrument, Severity, SmaType, TreatmentTherapy
from smanav_core.dates import day_words
from smanav_core.evaluation import Compared, FallAlert, Measured, Threshold
from smanav_core.facts import PatientFacts, add_months
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.genetics import DeclineRule, MeaningfulChange, Measure
from smanav_core.record import Assessment

# Scores are recorded as decimals: a fall equal to the threshold must not be lost to rounding.
EPSILON = 1e-9
# Enum attribute access is slow on Python 3.11: the references' values, read once.
_BEST_IN_WINDOW = DeclineReference.BEST_IN_WINDOW.value
_BEFORE_WINDOW = DeclineReference.BEFORE_WINDOW.value
_COURSE_START = DeclineReference.COURSE_START.value
_FIRST_OF_THREE = DeclineReference.FIRST_OF_THREE.value
_OTHER = TreatmentTherapy.OTHER


@dataclass(frozen=True, slots=True)
class _Decline:
    """A confirmed rule with what an alert needs from it, read once. The texts are the statements with
    everything that does not depend on the person already filled in (see `_prefilled`)."""

    rule: DeclineRule
    change: MeaningfulChange
    threshold: Threshold
    window_months: int
    course_start_months: int | None
    text: str
    course_start_text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Trend:
    """A measure watched for a fall without a confirmed rule for this SMA type."""

    rule_id: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Watched:
    instrument: Instrument
    check: _Decline | _Trend


class _DeclineIndex:
    """Each SMA type (and an unknown one) -> the measures watched for a fall, in file order, each with its
    confirmed rule or its trend notice. Built once per knowledge base (`Knowledge.prepared`)."""

    def __init__(self, kb: Knowledge) -> None:
        measures = kb.measures
        changes = {change.id: change for change in measures.meaningful_change}
        rules: dict[Instrument, list[DeclineRule]] = {}
        for rule in measures.decline_rule:
            rules.setdefault(rule.instrument, []).append(rule)
        self.decline = kb.statement("alert.motor_decline")
        self.course_start = kb.statement("alert.motor_decline_course_start")
        self.trend = kb.statement("alert.measure_trend")
        self.by_type: dict[SmaType | None, tuple[_Watched, ...]] = {}
        for sma_type in (*SmaType, None):
            watched = []
            for measure in measures.measure:
                found = rules.get(measure.instrument)
                if found is None:
                    continue
                check = self._check(measure, found, changes, sma_type)
                watched.append(_Watched(measure.instrument, check))
            self.by_type[sma_type] = tuple(watched)
        # Whether any rule for the type compares with the start of treatment (only then is it worked out).
        self.compares_course_start = {
            sma_type: any(
                isinstance(item.check, _Decline) and item.check.course_start_months is not None
                for item in watched
            )
            for sma_type, watched in self.by_type.items()
        }

    def _check(
        self,
        measure: Measure,
        rules: list[DeclineRule],
        changes: dict[str, MeaningfulChange],
        sma_type: SmaType | None,
    ) -> _Decline | _Trend:
        name = measure.short_name or measure.name
        for rule in rules:
            if not (rule.confirmed and rule.threshold is not None and _holds_for(rule, sma_type)):
                continue
            change = changes[rule.threshold]
            # Only a confirmed threshold can call a fall meaningful.
            if change.confirmed and rule.window_months is not None:
                statements = [self.decline]
                if rule.course_start_months is not None:
                    statements.append(self.course_start)
                sources = _merged(rule.sources, change.sources, *(item.sources for item in statements))
                fixed = {
                    "name": name,
                    "unit": measure.unit,
                    "window": rule.window_months,
                    "threshold": _number(change.points),
                    "threshold_text": change.text,
                    "course_months": rule.course_start_months,
                }
                return _Decline(
                    rule,
                    change,
                    Threshold(rule.window_months, change.points, change.kind, change.id),
                    rule.window_months,
                    rule.course_start_months,
                    _prefilled(self.decline.text, fixed),
                    _prefilled(self.course_start.text, fixed),
                    sources,
                )
        unconfirmed = [rule for rule in rules if not rule.confirmed]
        explained = unconfirmed[0] if unconfirmed else None
        has_thresholds = any(rule.confirmed for rule in rules)
        scope = _scope_words(sma_type) if has_thresholds else ""
        rule_id = explained.id if explained is not None else self.trend.id
        cited = explained.sources if explained is not None else ()
        text = _prefilled(self.trend.text, {"name": name, "scope": scope})
        return _Trend(rule_id, text, _merged(self.trend.sources, cited))


def _prefilled(template: str, fixed: dict[str, object]) -> str:
    """`template` with the fields named in `fixed` filled in and every other field left as a field, so
    that each evaluation formats only what depends on the person. The filled-in values have their braces
    doubled, so they stay text."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    values = {name: str(fixed[name]).replace("{", "{{").replace("}", "}}") for name in fields & fixed.keys()}
    return template.format(**values, **{name: "{" + name + "}" for name in fields - fixed.keys()})


def _holds_for(rule: DeclineRule, sma_type: SmaType | None) -> bool:
    if not rule.applies_to_types:
        return True
    return sma_type is not None and sma_type in rule.applies_to_types


def _scope_words(sma_type: SmaType | None) -> str:
    if sma_type is None:
        return " while the SMA type is not known"
    if sma_type is SmaType.PRESYMPTOMATIC:
        return " in SMA found before symptoms"
    return f" in SMA type {sma_type.value}"


def decline_alerts(facts: PatientFacts, kb: Knowledge) -> list[FallAlert]:
    """`motor_decline` and `measure_trend` alerts of one person, in the knowledge base's measure order."""
    index = kb.prepared(_DeclineIndex)
    found: list[FallAlert] = []
    assessments = facts.assessments
    watched_measures = index.by_type[facts.sma_type]
    course_start = _course_start(facts) if index.compares_course_start[facts.sma_type] else None
    for watched in watched_measures:
        history = assessments.get(watched.instrument)
        if history is None or len(history) < 2:
            continue
        check = watched.check
        if isinstance(check, _Decline):
            alert = _decline(watched, check, history, course_start)
        else:
            alert = _trend(watched, check, history)
        if alert is not None:
            found.append(alert)
    return found


def _course_start(facts: PatientFacts) -> dt.date | None:
    """When the current disease-modifying treatment course began: the earliest start of the treatments
    recorded without an end date (`other` treatments do not count), or None when there is none."""
    starts = [
        course.start_date
        for therapy, courses in facts.treatments.items()
        if therapy is not _OTHER
        for course in courses
        if course.end_date is None
    ]
    return min(starts) if starts else None


def _decline(
    watched: _Watched, check: _Decline, history: tuple[Assessment, ...], course_start: dt.date | None
) -> FallAlert | None:
    latest = history[-1]
    earlier = history[:-1]
    reference, kind = _window_reference(earlier, add_months(latest.date, -check.window_months))
    fall = reference.value - latest.value
    if course_start is not None and check.course_start_months is not None:
        baseline = _baseline(earlier, course_start, check, latest.date)
        if baseline is not None and baseline.value - latest.value > fall + EPSILON:
            reference, kind, fall = baseline, _COURSE_START, baseline.value - latest.value
    change = check.change
    if fall + EPSILON < change.points:
        return None
    fall = round(fall, 6)
    latest_on, reference_on = latest.date, reference.date
    if kind == _COURSE_START and course_start is not None:
        text = check.course_start_text.format(
            latest=_number(latest.value),
            latest_date=day_words(latest_on),
            fall=_number(fall),
            reference=_number(reference.value),
            reference_date=day_words(reference_on),
            course_start=day_words(course_start),
        )
    else:
        text = check.text.format(
            latest=_number(latest.value),
            latest_date=day_words(latest_on),
            fall=_number(fall),
            reference=_number(reference.value),
            reference_date=day_words(reference_on),
        )
    return FallAlert(
        code=AlertCode.MOTOR_DECLINE,
        severity=Severity.HIGH,
        instrument=watched.instrument,
        text=text,
        latest=Measured(latest.value, latest_on),
        compared_with=Compared(reference.value, reference_on, kind),
        fall=fall,
        threshold=check.threshold,
        rule=check.rule.id,
        sources=check.sources,
        course_start=course_start if kind == _COURSE_START else None,
    )


def _window_reference(earlier: tuple[Assessment, ...], window_from: dt.date) -> tuple[Assessment, str]:
    """The best of the values on or after `window_from` and the last value before it. Of equal values the
    latest counts, so the comparison names the most recent time the person was at that level."""
    best = earlier[-1]
    if best.date < window_from:
        return best, _BEFORE_WINDOW
    kind = _BEST_IN_WINDOW
    for item in reversed(earlier[:-1]):
        inside = item.date >= window_from
        if item.value > best.value + EPSILON:
            best, kind = item, _BEST_IN_WINDOW if inside else _BEFORE_WINDOW
        if not inside:
            break
    return best, kind


def _baseline(
    earlier: tuple[Assessment, ...], course_start: dt.date, check: _Decline, latest_on: dt.date
) -> Assessment | None:
    """The last value on or before the start of the current course, when the course began at most the
    rule's `course_start_months` before the latest value and that value lies within the rule's window
    before the start (an older value is not a baseline)."""
    months = check.course_start_months
    if months is None or add_months(course_start, months) < latest_on:
        return None
    oldest = add_months(course_start, -check.window_months)
    for item in reversed(earlier):
        if item.date <= course_start:
            return item if item.date >= oldest else None
    return None


def _trend(watched: _Watched, check: _Trend, history: tuple[Assessment, ...]) -> FallAlert | None:
    """Three values in a row that each fell, for a measure without a confirmed threshold."""
    if len(history) < 3:
        return None
    first, middle, latest = history[-3], history[-2], history[-1]
    if not (first.value > middle.value > latest.value):
        return None
    text = check.text.format(
        first=_number(first.value),
        first_date=day_words(first.date),
        middle=_number(middle.value),
        middle_date=day_words(middle.date),
        latest=_number(latest.value),
        latest_date=day_words(latest.date),
    )
    return FallAlert(
        code=AlertCode.MEASURE_TREND,
        severity=Severity.LOW,
        instrument=watched.instrument,
        text=text,
        latest=Measured(latest.value, latest.date),
        compared_with=Compared(first.value, first.date, _FIRST_OF_THREE),
        fall=round(first.value - latest.value, 6),
        threshold=None,
        rule=check.rule_id,
        sources=check.sources,
    )


def _merged(*groups: Iterable[str]) -> tuple[str, ...]:
    """Sources in first-seen order without repeats."""
    return tuple(dict.fromkeys(source for group in groups for source in group))


def _number(value: float) -> str:
    """12.0 -> "12", 3.25 -> "3.25": scores read as a person would write them."""
    return f"{value:g}"
