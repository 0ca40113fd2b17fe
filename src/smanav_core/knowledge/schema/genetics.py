"""Genetics, classification, newborn screening and outcome-measure knowledge."""

from __future__ import annotations

from pydantic import Field

from smanav_core.codes import Instrument, MotorMilestone
from smanav_core.knowledge.schema.base import Entry, KnowledgeFile, Statement


class Smn2TypeDistribution(Statement):
    """Probability of each SMA type for a given exact SMN2 copy number, in one cohort."""

    smn2_copies: int = Field(ge=0, le=8)
    type_probabilities: dict[str, float]


class NewbornScreeningRule(Statement):
    """What the newborn-screening treatment algorithm says for a presymptomatic infant by SMN2 copies."""

    smn2_min: int = Field(ge=0, le=8)
    smn2_max: int = Field(ge=0, le=8)
    recommendation: str = Field(pattern=r"^(treat_immediately|individual_decision|not_confirmed)$")


class Discordance(Entry):
    """One situation in which the SMN2 copy number and the clinical picture of a symptomatic person
    disagree. Every condition that is set must hold; an unknown onset or milestone does not match."""

    smn2_copies: tuple[int, ...] = Field(min_length=1)
    onset_at_least_months: float | None = Field(default=None, ge=0)
    onset_below_months: float | None = Field(default=None, gt=0)
    milestone_at_least: MotorMilestone | None = None
    untreated: bool = False
    text: str = Field(min_length=3, description="the situation in words")


class GeneticsFile(KnowledgeFile):
    smn2_distribution: tuple[Smn2TypeDistribution, ...] = ()
    newborn_screening: tuple[NewbornScreeningRule, ...] = ()
    discordance: tuple[Discordance, ...] = ()


class Measure(Entry):
    """An outcome measure: what it is, its range and who it is for."""

    instrument: Instrument
    name: str
    unit: str
    minimum: int | float
    maximum: int | float
    # Whether `minimum` itself is out of range (a weight must be more than 0 kg).
    minimum_exclusive: bool = False
    population: str
    higher_is_better: bool = True
    motor: bool = False


class MeaningfulChange(Entry):
    """A clinically meaningful change on one instrument, with the kind of threshold it is."""

    instrument: Instrument
    points: float = Field(gt=0)
    direction: str = Field(pattern=r"^(decline|improvement)$")
    kind: str = Field(pattern=r"^(convention|anchor_based|distribution_based)$")
    applies_to_types: tuple[str, ...] = Field(
        default=(), description="SMA types this threshold was derived in; empty = any"
    )
    use_for_decline_alert: bool = False
    text: str = Field(min_length=3)


class MeasuresFile(KnowledgeFile):
    measure: tuple[Measure, ...] = ()
    meaningful_change: tuple[MeaningfulChange, ...] = ()
