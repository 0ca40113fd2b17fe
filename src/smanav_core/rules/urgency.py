"""Urgency of the next step: `urgent` (act within days), `prompt` (weeks) or `routine`.

The levels are the product's; every reason that raises the level cites the clinical fact behind it: the
newborn-screening algorithm (treat 2-4 SMN2 copies immediately), the natural history of untreated
symptomatic infants, a recorded motor decline, or a closing eligibility window reported by the therapy rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from smanav_core.codes import DiagnosisStatus, GeneticMethod, SmaType, TherapyStatus, UrgencyLevel
from smanav_core.facts import DAYS_PER_MONTH, PatientFacts
from smanav_core.knowledge.loader import Knowledge
from smanav_core.rules.reasons import reason

_RANK = {UrgencyLevel.ROUTINE: 0, UrgencyLevel.PROMPT: 1, UrgencyLevel.URGENT: 2}
INFANT_MONTHS = 24
# Eligibility windows that close within these many days raise the urgency.
WINDOW_URGENT_DAYS = 30
WINDOW_PROMPT_DAYS = 90


def assess_urgency(
    facts: PatientFacts,
    kb: Knowledge,
    therapies: list[dict[str, Any]],
    alerts: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    findings: list[tuple[UrgencyLevel, dict[str, Any]]] = []
    treated = any(therapy.value != "other" for therapy in facts.treatments)
    if facts.diagnosis is DiagnosisStatus.CONFIRMED_5Q_SMA:
        if not treated:
            findings.extend(_untreated_confirmed(facts, kb))
    elif facts.diagnosis is DiagnosisStatus.INCONCLUSIVE:
        genetics = facts.record.genetics
        if (
            genetics is not None
            and genetics.smn1_copies == 0
            and genetics.method is GeneticMethod.NEWBORN_SCREENING
        ):
            findings.append((UrgencyLevel.URGENT, reason(kb, "urgency.newborn_screen_positive")))
        elif facts.symptomatic:
            findings.append(_symptomatic_unconfirmed(facts, kb))
    elif facts.diagnosis is DiagnosisStatus.NOT_TESTED and facts.symptomatic:
        findings.append(_symptomatic_unconfirmed(facts, kb))

    for alert in alerts:
        if alert.get("code") == "motor_decline":
            findings.append((UrgencyLevel.PROMPT, reason(kb, "urgency.motor_decline")))
            break
    windows = _age_windows(kb)
    for therapy in therapies:
        if therapy.get("status") not in ("eligible", "eligible_with_cautions", "needs_information"):
            continue
        found = windows.get((therapy["therapy"], facts.region.value))
        if found is None or facts.age_months >= found[0]:
            continue
        closes_on = facts.record.birth_date + dt.timedelta(days=int(found[0] * DAYS_PER_MONTH))
        window = closes_on.isoformat()
        therapy["window_closes_on"] = window
        days_left = (closes_on - facts.as_of).days
        if days_left <= WINDOW_PROMPT_DAYS:
            level = UrgencyLevel.URGENT if days_left <= WINDOW_URGENT_DAYS else UrgencyLevel.PROMPT
            entry = reason(
                kb,
                "urgency.eligibility_window",
                therapy=therapy.get("name", therapy["therapy"]),
                date=window,
                days=max(days_left, 0),
            )
            entry["sources"] = [*entry["sources"], *(src for src in found[1] if src not in entry["sources"])]
            findings.append((level, entry))

    if not findings:
        return {"level": UrgencyLevel.ROUTINE.value, "reasons": [reason(kb, "urgency.routine")]}
    level = max((item[0] for item in findings), key=_RANK.__getitem__)
    ordered = sorted(findings, key=lambda item: -_RANK[item[0]])
    return {"level": level.value, "reasons": [item[1] for item in ordered]}


def _untreated_confirmed(facts: PatientFacts, kb: Knowledge) -> list[tuple[UrgencyLevel, dict[str, Any]]]:
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
        facts.symptomatic and facts.age_months < INFANT_MONTHS
    ):
        return [(UrgencyLevel.URGENT, reason(kb, "urgency.symptomatic_infant_untreated"))]
    return [(UrgencyLevel.PROMPT, reason(kb, "urgency.untreated_confirmed"))]


def _symptomatic_unconfirmed(facts: PatientFacts, kb: Knowledge) -> tuple[UrgencyLevel, dict[str, Any]]:
    if facts.age_months < INFANT_MONTHS:
        return UrgencyLevel.URGENT, reason(kb, "urgency.symptomatic_infant_not_confirmed")
    return UrgencyLevel.PROMPT, reason(kb, "urgency.symptomatic_not_confirmed")


_WINDOWS: dict[str, dict[tuple[str, str], tuple[float, tuple[str, ...]]]] = {}


def _age_windows(kb: Knowledge) -> dict[tuple[str, str], tuple[float, tuple[str, ...]]]:
    """(therapy, region) -> (age in months from which the option is no longer open, sources).

    Read once per knowledge version from the regional rules that make a therapy `not_eligible` unless the
    person is below an age limit (every alternative of the rule carries an upper age bound).
    """
    cached = _WINDOWS.get(kb.version)
    if cached is not None:
        return cached
    windows: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
    for rule in kb.therapies.rule:
        if rule.outcome is not TherapyStatus.NOT_ELIGIBLE or not rule.require_any:
            continue
        bounds = [alt.age_months_below or alt.age_months_at_most for alt in rule.require_any]
        if any(bound is None for bound in bounds):
            continue
        limit = max(bound for bound in bounds if bound is not None)
        for region in rule.regions:
            key = (rule.therapy, region.value)
            if key not in windows or limit < windows[key][0]:
                windows[key] = (limit, rule.sources)
    _WINDOWS[kb.version] = windows
    return windows
