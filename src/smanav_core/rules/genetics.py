"""Genetic interpretation: SMN1/SMN2 results -> diagnosis status, summary, next steps, type distribution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from smanav_core.codes import DiagnosisStatus, GeneticMethod, MotorMilestone
from smanav_core.evaluation import Diagnosis
from smanav_core.facts import PatientFacts
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.genetics import Discordance, Smn2TypeDistribution
from smanav_core.record import PatientRecord

# Milestones in the order they are reached (the enum's order).
_MILESTONE_RANK = {milestone: rank for rank, milestone in enumerate(MotorMilestone)}


class _Notes:
    """The diagnosis while the rules write it: each statement said adds its sentence, next steps and
    sources (without repeats); `finished` gives the frozen `Diagnosis`."""

    __slots__ = ("distribution", "next_steps", "rule_ids", "sources", "status", "summary")

    def __init__(self, status: DiagnosisStatus) -> None:
        self.status = status
        self.summary: list[str] = []
        self.next_steps: list[str] = []
        self.sources: list[str] = []
        self.distribution: Mapping[str, float] | None = None
        self.rule_ids: list[str] = []

    def say(self, kb: Knowledge, entry_id: str, **values: Any) -> None:
        statement = kb.statement(entry_id)
        text = statement.text.format(**values) if values else statement.text
        if not statement.confirmed and "not confirmed" not in text:
            text += " (Not confirmed in smanav's knowledge base.)"
        self.summary.append(text)
        next_steps, sources = self.next_steps, self.sources
        for step in statement.next_steps:
            if step not in next_steps:
                next_steps.append(step)
        for source in statement.sources:
            if source not in sources:
                sources.append(source)
        self.rule_ids.append(entry_id)

    def finished(self) -> Diagnosis:
        return Diagnosis(
            status=self.status,
            summary=" ".join(self.summary),
            next_steps=tuple(self.next_steps),
            predicted_type_distribution=self.distribution or None,
            sources=tuple(self.sources),
            rules=tuple(self.rule_ids),
        )


def interpret_genetics(facts: PatientFacts, kb: Knowledge) -> Diagnosis:
    return interpret_record_genetics(facts.record, kb)


def interpret_record_genetics(record: PatientRecord, kb: Knowledge) -> Diagnosis:
    """`interpret_genetics` from the record alone (it needs nothing derived), so the engine can interpret
    before it builds the facts."""
    genetics = record.genetics
    smn1 = None if genetics is None else genetics.smn1_copies
    if genetics is None or smn1 is None:
        diagnosis = _Notes(DiagnosisStatus.NOT_TESTED)
        diagnosis.say(kb, "genetics.not_tested")
        return diagnosis.finished()

    variant = genetics.smn1_intragenic_variant
    symptomatic = None if record.clinical is None else record.clinical.symptomatic
    if smn1 == 0:
        if genetics.method is GeneticMethod.NEWBORN_SCREENING:
            diagnosis = _Notes(DiagnosisStatus.INCONCLUSIVE)
            diagnosis.say(kb, "genetics.newborn_screen_positive")
        else:
            diagnosis = _Notes(DiagnosisStatus.CONFIRMED_5Q_SMA)
            diagnosis.say(kb, "genetics.smn1_absent_confirms")
            if genetics.method is None:
                diagnosis.say(kb, "genetics.method_unknown")
    elif smn1 == 1 and variant:
        diagnosis = _Notes(DiagnosisStatus.CONFIRMED_5Q_SMA)
        diagnosis.say(kb, "genetics.compound_heterozygote_confirms", variant=variant)
    elif smn1 == 1:
        if symptomatic is True:
            diagnosis = _Notes(DiagnosisStatus.INCONCLUSIVE)
            diagnosis.say(kb, "genetics.one_copy_with_symptoms")
        elif symptomatic is False:
            diagnosis = _Notes(DiagnosisStatus.CARRIER)
            diagnosis.say(kb, "genetics.one_copy_carrier")
        else:
            diagnosis = _Notes(DiagnosisStatus.INCONCLUSIVE)
            diagnosis.say(kb, "genetics.one_copy_symptoms_unknown")
    elif variant:
        diagnosis = _Notes(DiagnosisStatus.INCONCLUSIVE)
        diagnosis.say(kb, "genetics.two_copies_with_variant")
    elif symptomatic is True:
        diagnosis = _Notes(DiagnosisStatus.SMA_UNLIKELY)
        diagnosis.say(kb, "genetics.two_or_more_copies_with_symptoms")
    else:
        diagnosis = _Notes(DiagnosisStatus.SMA_UNLIKELY)
        diagnosis.say(kb, "genetics.two_or_more_copies")

    if diagnosis.status is DiagnosisStatus.CONFIRMED_5Q_SMA or (
        diagnosis.status is DiagnosisStatus.INCONCLUSIVE and smn1 == 0
    ):
        _smn2(record, kb, diagnosis, homozygous_absence=smn1 == 0)
        diagnosis.say(kb, "genetics.counselling_and_referral")
    return diagnosis.finished()


def _smn2(record: PatientRecord, kb: Knowledge, diagnosis: _Notes, *, homozygous_absence: bool) -> None:
    genetics = record.genetics
    assert genetics is not None
    copies = genetics.smn2_copies
    if copies is None:
        diagnosis.say(kb, "genetics.smn2_unknown")
        return
    if genetics.smn2_copies_is_minimum:
        diagnosis.say(kb, "genetics.smn2_minimum", copies=copies)
    elif homozygous_absence:
        row = kb.prepared(_distribution_rows).get(copies)
        if row is None:
            diagnosis.say(kb, "genetics.smn2_distribution_unknown", copies=copies)
        else:
            diagnosis.distribution = kb.prepared(_distributions)[row.id]
            diagnosis.say(kb, row.id, copies=copies)
    limits = kb.prepared(_genetics_limits)
    if copies >= limits.confirm_from:
        diagnosis.say(kb, "genetics.confirm_copy_number")
    modifiers = genetics.smn2_modifiers
    if modifiers and any(modifier.replace(" ", "") == limits.milder_modifier for modifier in modifiers):
        diagnosis.say(kb, "genetics.modifier_c859")
    if any(_matches(situation, record, copies) for situation in kb.genetics.discordance):
        diagnosis.say(kb, "genetics.discordant_copy_number", copies=copies)


def _distributions(kb: Knowledge) -> Mapping[str, Mapping[str, float]]:
    """Each distribution row's shares by type, read-only: every diagnosis of that copy number shares it."""
    return {row.id: MappingProxyType(dict(row.type_probabilities)) for row in kb.genetics.smn2_distribution}


def _distribution_rows(kb: Knowledge) -> dict[int, Smn2TypeDistribution]:
    """SMN2 copy number -> the first distribution row for it (kept by `Knowledge.prepared`)."""
    rows: dict[int, Smn2TypeDistribution] = {}
    for row in kb.genetics.smn2_distribution:
        rows.setdefault(row.smn2_copies, row)
    return rows


@dataclass(frozen=True, slots=True)
class _GeneticsLimits:
    confirm_from: float
    milder_modifier: str


def _genetics_limits(kb: Knowledge) -> _GeneticsLimits:
    """The genetics rules' parameters, read once per knowledge base."""
    modifier = kb.parameter("genetics.milder_smn2_modifier").value
    return _GeneticsLimits(
        confirm_from=kb.number("genetics.confirm_smn2_copies_from"),
        milder_modifier=str(modifier).replace(" ", ""),
    )


def _matches(situation: Discordance, record: PatientRecord, copies: int) -> bool:
    """Copy number and clinical picture of a symptomatic person disagree as `situation` describes."""
    clinical = record.clinical
    if clinical is None or clinical.symptomatic is not True or copies not in situation.smn2_copies:
        return False
    onset = clinical.symptom_onset_age_months
    if situation.onset_at_least_months is not None and (
        onset is None or onset < situation.onset_at_least_months
    ):
        return False
    if situation.onset_below_months is not None and (onset is None or onset >= situation.onset_below_months):
        return False
    if situation.milestone_at_least is not None:
        milestone = clinical.max_motor_milestone
        if milestone is None or _MILESTONE_RANK[milestone] < _MILESTONE_RANK[situation.milestone_at_least]:
            return False
    return not (situation.untreated and record.treatments)
