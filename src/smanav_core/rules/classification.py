"""Classification: SMA type (0-4 or presymptomatic) and the current functional group.

The type follows the classical definitions (age at onset, with the best milestone ever reached where the
onset is not recorded). Treatment can let a child reach milestones beyond their type, so onset age wins
over milestones. The functional group is what the person can do now; the standards of care follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from smanav_core.codes import DiagnosisStatus, FunctionalGroup, MotorMilestone, SmaType
from smanav_core.evaluation import Classification, Reason
from smanav_core.facts import PatientFacts
from smanav_core.knowledge.loader import Knowledge
from smanav_core.record import Clinical
from smanav_core.rules.reasons import reason

MONTHS_PER_YEAR = 12
# Read once: enum attribute access is slow on Python 3.11.
_GROUP_WORDS = {group: group.value.replace("_", "-") for group in FunctionalGroup}
_TYPE_ENTRY = {sma_type: f"classification.type_{sma_type.value}" for sma_type in SmaType}


@dataclass(frozen=True, slots=True)
class OnsetLimits:
    """The onset cut-offs of the types (knowledge parameters), in months, read once per knowledge base."""

    type_1_before: float
    type_2_before: float
    type_4_from: float


def onset_limits(kb: Knowledge) -> OnsetLimits:
    return OnsetLimits(
        type_1_before=kb.number("classification.type_1_onset_before_months"),
        type_2_before=kb.number("classification.type_2_onset_before_months"),
        type_4_from=kb.number("classification.type_4_onset_from_years") * MONTHS_PER_YEAR,
    )


def classify(facts: PatientFacts, kb: Knowledge) -> Classification:
    return classify_diagnosed(facts.diagnosis, facts.record.clinical, kb)


def classify_diagnosed(
    diagnosis: DiagnosisStatus, clinical: Clinical | None, kb: Knowledge
) -> Classification:
    """`classify` from its two inputs, so the engine can classify before the facts carry the diagnosis."""
    group = None if clinical is None else clinical.current_motor_function
    reasons: list[Reason] = []
    if group is not None:
        reasons.append(reason(kb, "classification.functional_group", group=_GROUP_WORDS[group]))
    if diagnosis is not DiagnosisStatus.CONFIRMED_5Q_SMA:
        reasons.append(reason(kb, "classification.needs_confirmed_diagnosis"))
        return Classification(None, group, tuple(reasons))
    if clinical is None or clinical.symptomatic is None:
        reasons.append(reason(kb, "classification.symptom_status_unknown"))
        return Classification(None, group, tuple(reasons))
    if clinical.symptomatic is False:
        reasons.append(reason(kb, "classification.presymptomatic"))
        return Classification(SmaType.PRESYMPTOMATIC, group, tuple(reasons))
    onset = clinical.symptom_onset_age_months
    milestone = clinical.max_motor_milestone
    sma_type: SmaType | None = None
    if onset is not None:
        sma_type = _type_from_onset(onset, milestone, kb.prepared(onset_limits))
    elif milestone is not None:
        sma_type = _type_from_milestone(milestone)
    if sma_type is None:
        reasons.append(reason(kb, "classification.onset_unknown"))
    else:
        reasons.append(reason(kb, _TYPE_ENTRY[sma_type]))
    return Classification(sma_type, group, tuple(reasons))


def _type_from_onset(onset_months: float, milestone: MotorMilestone | None, limits: OnsetLimits) -> SmaType:
    if onset_months == 0 and milestone is MotorMilestone.NONE:
        return SmaType.TYPE_0
    if onset_months < limits.type_1_before:
        return SmaType.TYPE_1
    if onset_months < limits.type_2_before:
        return SmaType.TYPE_2
    if onset_months < limits.type_4_from:
        return SmaType.TYPE_3
    return SmaType.TYPE_4


def _type_from_milestone(milestone: MotorMilestone) -> SmaType:
    if milestone is MotorMilestone.WALKS_INDEPENDENTLY:
        return SmaType.TYPE_3
    if milestone in (MotorMilestone.SITS_INDEPENDENTLY, MotorMilestone.STANDS_WITH_SUPPORT):
        return SmaType.TYPE_2
    return SmaType.TYPE_1
