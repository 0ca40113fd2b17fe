"""Classification: SMA type (0-4 or presymptomatic) and the current functional group.

The type follows the classical definitions (age at onset, with the best milestone ever reached where the
onset is not recorded). Treatment can let a child reach milestones beyond their type, so onset age wins
over milestones. The functional group is what the person can do now; the standards of care follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smanav_core.codes import DiagnosisStatus, FunctionalGroup, MotorMilestone, SmaType
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


@dataclass(slots=True)
class Classification:
    sma_type: SmaType | None
    functional_group: FunctionalGroup | None
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sma_type": None if self.sma_type is None else self.sma_type.value,
            "functional_group": None if self.functional_group is None else self.functional_group.value,
            "reasons": self.reasons,
        }


def classify(facts: PatientFacts, kb: Knowledge) -> Classification:
    return classify_diagnosed(facts.diagnosis, facts.record.clinical, kb)


def classify_diagnosed(
    diagnosis: DiagnosisStatus, clinical: Clinical | None, kb: Knowledge
) -> Classification:
    """`classify` from its two inputs, so the engine can classify before the facts carry the diagnosis."""
    group = None if clinical is None else clinical.current_motor_function
    result = Classification(sma_type=None, functional_group=group)
    if group is not None:
        _explain(result, kb, "classification.functional_group", group=_GROUP_WORDS[group])
    if diagnosis is not DiagnosisStatus.CONFIRMED_5Q_SMA:
        _explain(result, kb, "classification.needs_confirmed_diagnosis")
        return result
    if clinical is None or clinical.symptomatic is None:
        _explain(result, kb, "classification.symptom_status_unknown")
        return result
    if clinical.symptomatic is False:
        result.sma_type = SmaType.PRESYMPTOMATIC
        _explain(result, kb, "classification.presymptomatic")
        return result
    onset = clinical.symptom_onset_age_months
    milestone = clinical.max_motor_milestone
    if onset is not None:
        result.sma_type = _type_from_onset(onset, milestone, kb.prepared(onset_limits))
    elif milestone is not None:
        result.sma_type = _type_from_milestone(milestone)
    if result.sma_type is None:
        _explain(result, kb, "classification.onset_unknown")
    else:
        _explain(result, kb, _TYPE_ENTRY[result.sma_type])
    return result


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


def _explain(result: Classification, kb: Knowledge, entry_id: str, **values: Any) -> None:
    result.reasons.append(reason(kb, entry_id, **values))
