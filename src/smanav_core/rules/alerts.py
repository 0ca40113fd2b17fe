"""Monitoring alerts: a meaningful fall of a measure, an overdue or missing assessment.

Only for confirmed 5q SMA: the thresholds and intervals come from SMA studies and the SMA standards of
care. Every threshold and interval is read from the knowledge base (`measures.toml`, `care_plan.toml`),
never written here. Where the knowledge base has no confirmed interval (reviews for walkers) there is no
alert, because no gap can be called late. The falls (`motor_decline`, and the `measure_trend` notice where
no threshold is cited) are worked out by `rules.decline`; the treatment-monitoring alerts of
`rules.treatment_monitoring` are merged in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from smanav_core.codes import AlertCode, DiagnosisStatus, DueStatus, FunctionalGroup, Instrument, Severity
from smanav_core.dates import day_words
from smanav_core.evaluation import Alert, MissingAssessmentAlert, OverdueAlert
from smanav_core.facts import PatientFacts, add_months
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.care import CareItem
from smanav_core.rules.decline import decline_alerts
from smanav_core.rules.treatment_monitoring import Monitoring, treatment_monitoring_alerts

SEVERITY_RANK: dict[Severity, int] = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}

# The care-plan items whose interval defines "overdue" for each functional group. Walkers have none:
# the standards of care read give them no fixed review interval.
REVIEW_ITEM: dict[FunctionalGroup, str] = {
    FunctionalGroup.NON_SITTER: "care.respiratory.review_non_sitter",
    FunctionalGroup.SITTER: "care.respiratory.review_sitter",
}
SPINE_XRAY_ITEM = "care.orthopaedic.spine_xray_cobb_over_20"
GROUP_WORDS: dict[FunctionalGroup, str] = {
    FunctionalGroup.NON_SITTER: "person who cannot sit without support",
    FunctionalGroup.SITTER: "person who sits but does not walk without support",
}


class _AlertIndex:
    """What the alerts read from the knowledge base (statements, care items, merged sources), gathered
    once per knowledge base (`Knowledge.prepared`) so that an evaluation does no look-ups by id."""

    def __init__(self, kb: Knowledge) -> None:
        self.missing = kb.statement("alert.assessment_missing")
        care = kb.care_plan.by_id
        # Only an interval the knowledge base confirms can make a review or an X-ray late.
        self.review: dict[FunctionalGroup, tuple[CareItem, int]] = {}
        for group, item_id in REVIEW_ITEM.items():
            item = care[item_id]
            if item.confirmed and item.interval_months is not None:
                self.review[group] = (item, item.interval_months)
        self.review_statement = kb.statement("alert.review_overdue")
        self.review_sources = {
            group: _merged(item.sources, self.review_statement.sources)
            for group, (item, _) in self.review.items()
        }
        self.missing_alert = MissingAssessmentAlert(
            AlertCode.ASSESSMENT_MISSING,
            Severity.MEDIUM,
            self.missing.text,
            self.missing.id,
            self.missing.sources,
        )
        self.spine = care[SPINE_XRAY_ITEM]
        self.spine_interval = self.spine.interval_months if self.spine.confirmed else None
        self.spine_statement = kb.statement("alert.spine_xray_overdue")
        self.spine_sources = _merged(self.spine.sources, self.spine_statement.sources)


def detect_alerts(facts: PatientFacts, kb: Knowledge, monitoring: Monitoring | None = None) -> list[Alert]:
    """Alerts for this person on `facts.as_of`, most severe first (stable within one severity)."""
    alerts: list[Alert] = []
    if facts.diagnosis is DiagnosisStatus.CONFIRMED_5Q_SMA:
        index = kb.prepared(_AlertIndex)
        alerts.extend(decline_alerts(facts, kb))
        alerts.extend(_overdue_assessments(facts, index))
    alerts.extend(treatment_monitoring_alerts(facts, kb, monitoring))
    if len(alerts) > 1:
        alerts.sort(key=_by_severity)
    return alerts


def _by_severity(alert: Alert) -> int:
    return SEVERITY_RANK[alert.severity]


def _overdue_assessments(facts: PatientFacts, index: _AlertIndex) -> list[Alert]:
    """No assessment at all; the group's review interval passed; a spine X-ray due for a curve > 20°."""
    newest = facts.last_assessment
    if newest is None:
        return [index.missing_alert]
    found: list[Alert] = []
    group = facts.functional_group
    if group is not None and group in index.review:
        item, interval = index.review[group]
        due = add_months(newest.date, interval)
        if facts.as_of > due:
            text = index.review_statement.text.format(
                last_date=day_words(newest.date),
                group=GROUP_WORDS[group],
                interval=interval,
                due_date=day_words(due),
            )
            found.append(_overdue(text, item.id, due, None, index.review_sources[group]))
    spine = _spine_xray_overdue(facts, index)
    if spine is not None:
        found.append(spine)
    return found


def _spine_xray_overdue(facts: PatientFacts, index: _AlertIndex) -> OverdueAlert | None:
    item, interval = index.spine, index.spine_interval
    cobb = facts.latest(Instrument.COBB_DEG)
    if cobb is None or interval is None or not item.applies_to(facts.diagnosis, facts.functional_group):
        return None
    if item.cobb_above_deg is None or not cobb.value > item.cobb_above_deg:
        return None
    due = add_months(cobb.date, interval)
    if facts.as_of <= due:
        return None
    text = index.spine_statement.text.format(
        cobb=_number(cobb.value), last_date=day_words(cobb.date), due_date=day_words(due)
    )
    return _overdue(text, item.id, due, Instrument.COBB_DEG, index.spine_sources)


def _overdue(
    text: str, rule: str, due: dt.date, instrument: Instrument | None, sources: tuple[str, ...]
) -> OverdueAlert:
    return OverdueAlert(
        AlertCode.ASSESSMENT_OVERDUE, Severity.MEDIUM, instrument, text, due, DueStatus.OVERDUE, rule, sources
    )


def _merged(*groups: Iterable[str]) -> tuple[str, ...]:
    """Sources in first-seen order without repeats."""
    return tuple(dict.fromkeys(source for group in groups for source in group))


def _number(value: float) -> str:
    """12.0 -> "12", 3.25 -> "3.25": scores read as a person would write them."""
    return f"{value:g}"
