"""Urgency of the next step: `urgent` (act within days), `prompt` (weeks) or `routine`.

The levels are the product's; every reason that raises the level cites the clinical fact behind it: the
newborn-screening algorithm (treat 2-4 SMN2 copies immediately), the natural history of untreated
symptomatic infants, a recorded motor decline, or a closing eligibility window reported by the therapy rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from smanav_core.codes import (
    AlertCode,
    DiagnosisStatus,
    GeneticMethod,
    SmaType,
    TreatmentTherapy,
    UrgencyLevel,
)
from smanav_core.dates import day_words
from smanav_core.evaluation import Alert, Reason, TherapyAssessment, Urgency
from smanav_core.facts import PatientFacts
from smanav_core.knowledge.loader import Knowledge
from smanav_core.rules.reasons import reason

_RANK = {UrgencyLevel.ROUTINE: 0, UrgencyLevel.PROMPT: 1, UrgencyLevel.URGENT: 2}
_OTHER_ONLY = frozenset({TreatmentTherapy.OTHER})
_MOTOR_DECLINE = AlertCode.MOTOR_DECLINE


@dataclass(frozen=True, slots=True)
class UrgencyLimits:
    """The urgency rules' limits (knowledge parameters), read once per knowledge base."""

    young_child_below_months: float
    window_urgent_days: float
    window_prompt_days: float


def urgency_limits(kb: Knowledge) -> UrgencyLimits:
    return UrgencyLimits(
        young_child_below_months=kb.number("urgency.young_child_below_months"),
        window_urgent_days=kb.number("urgency.window_urgent_days"),
        window_prompt_days=kb.number("urgency.window_prompt_days"),
    )


def assess_urgency(
    facts: PatientFacts,
    kb: Knowledge,
    therapies: Iterable[TherapyAssessment],
    alerts: Iterable[Alert] = (),
) -> Urgency:
    findings: list[tuple[UrgencyLevel, Reason]] = []
    limits = kb.prepared(urgency_limits)
    # A treatment recorded only as "other" is not one of the disease-modifying therapies.
    treated = not facts.treatments.keys() <= _OTHER_ONLY
    if facts.diagnosis is DiagnosisStatus.CONFIRMED_5Q_SMA:
        if not treated:
            findings.extend(_untreated_confirmed(facts, kb, limits))
    elif facts.diagnosis is DiagnosisStatus.INCONCLUSIVE:
        genetics = facts.record.genetics
        if (
            genetics is not None
            and genetics.smn1_copies == 0
            and genetics.method is GeneticMethod.NEWBORN_SCREENING
        ):
            findings.append((UrgencyLevel.URGENT, reason(kb, "urgency.newborn_screen_positive")))
        elif facts.symptomatic:
            findings.append(_symptomatic_unconfirmed(facts, kb, limits))
    elif facts.diagnosis is DiagnosisStatus.NOT_TESTED and facts.symptomatic:
        findings.append(_symptomatic_unconfirmed(facts, kb, limits))

    for alert in alerts:
        if alert.code is _MOTOR_DECLINE:
            findings.append((UrgencyLevel.PROMPT, reason(kb, "urgency.motor_decline")))
            break
    for therapy in therapies:
        window = therapy.window_closes_on
        if window is None:
            continue
        days_left = (window - facts.as_of).days
        if days_left <= limits.window_prompt_days:
            level = UrgencyLevel.URGENT if days_left <= limits.window_urgent_days else UrgencyLevel.PROMPT
            said = reason(
                kb,
                "urgency.eligibility_window",
                therapy=therapy.name,
                date=day_words(window),
                days=max(days_left, 0),
            )
            extra = tuple(src for src in therapy.window_sources if src not in said.sources)
            findings.append((level, Reason(said.code, said.text, (*said.sources, *extra))))

    if not findings:
        # Without a genetic result, "nothing calls for a decision" rests on what is missing: say so.
        routine = (
            "urgency.routine_genetics_unknown"
            if facts.diagnosis in (DiagnosisStatus.NOT_TESTED, DiagnosisStatus.INCONCLUSIVE)
            else "urgency.routine"
        )
        return Urgency(UrgencyLevel.ROUTINE, (reason(kb, routine),))
    level = max((item[0] for item in findings), key=_RANK.__getitem__)
    ordered = sorted(findings, key=lambda item: -_RANK[item[0]])
    return Urgency(level, tuple(item[1] for item in ordered))


def _untreated_confirmed(
    facts: PatientFacts, kb: Knowledge, limits: UrgencyLimits
) -> list[tuple[UrgencyLevel, Reason]]:
    if facts.sma_type is SmaType.PRESYMPTOMATIC:
        copies = facts.smn2_copies
        if copies is None:
            return [(UrgencyLevel.URGENT, reason(kb, "urgency.presymptomatic_smn2_unknown"))]
        for rule in kb.genetics.newborn_screening:
            if rule.smn2_min <= copies <= rule.smn2_max:
                if rule.recommendation == "treat_immediately":
                    return [(UrgencyLevel.URGENT, reason(kb, rule.id, code="treat_immediately"))]
                if copies <= 1:
                    return [(UrgencyLevel.URGENT, reason(kb, rule.id, code="very_few_smn2_copies"))]
                return [(UrgencyLevel.PROMPT, reason(kb, rule.id, code="individual_decision"))]
    if facts.sma_type in (SmaType.TYPE_0, SmaType.TYPE_1) or (
        facts.symptomatic and facts.age_months < limits.young_child_below_months
    ):
        return [(UrgencyLevel.URGENT, reason(kb, "urgency.symptomatic_infant_untreated"))]
    return [(UrgencyLevel.PROMPT, reason(kb, "urgency.untreated_confirmed"))]


def _symptomatic_unconfirmed(
    facts: PatientFacts, kb: Knowledge, limits: UrgencyLimits
) -> tuple[UrgencyLevel, Reason]:
    if facts.age_months < limits.young_child_below_months:
        return UrgencyLevel.URGENT, reason(kb, "urgency.symptomatic_infant_not_confirmed")
    return UrgencyLevel.PROMPT, reason(kb, "urgency.symptomatic_not_confirmed")
