"""Genetics, classification, newborn screening and outcome-measure knowledge."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from smanav_core.codes import Instrument, MotorMilestone, SmaType
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
    # How the alerts name the measure beside a value ("HFMSE 21", "FVC (% predicted) 72").
    short_name: str | None = None
    unit: str
    minimum: int | float
    maximum: int | float
    # Whether `minimum` itself is out of range (a weight must be more than 0 kg).
    minimum_exclusive: bool = False
    population: str
    higher_is_better: bool = True
    motor: bool = False


class MeaningfulChange(Entry):
    """A clinically meaningful change on one instrument, as a source reports it, with the kind of threshold
    it is. Whether (and how) smanav uses it to call a fall meaningful is a `DeclineRule`."""

    instrument: Instrument
    points: float = Field(gt=0)
    direction: str = Field(pattern=r"^(decline|improvement)$")
    kind: str = Field(pattern=r"^(convention|anchor_based|distribution_based)$")
    applies_to_types: tuple[SmaType, ...] = Field(
        default=(), description="SMA types this threshold was derived in; empty = any"
    )
    text: str = Field(min_length=3)


class DeclineRule(Entry):
    """When a fall of one measure is called meaningful (the `motor_decline` alert), or, unconfirmed, why
    no fall of it can be: the measures watched for a fall are the ones that have a rule.

    The latest value is compared with the best earlier value within `window_months` before it (the
    interval over which the threshold was derived; the value just before it when the window holds none)
    and, where `course_start_months` is given, with the last value before the current treatment course
    began, while the course is younger than that. A fall of at least the threshold's `points` from either
    is meaningful. Without a confirmed rule for the person's SMA type, a measure that fell at each of its
    last three values gets the low-severity `measure_trend` notice instead.
    """

    instrument: Instrument
    applies_to_types: tuple[SmaType, ...] = Field(
        default=(), description="SMA types the rule holds for; empty = any type"
    )
    threshold: str | None = Field(default=None, description="id of the meaningful_change entry it uses")
    window_months: int | None = Field(default=None, ge=1, le=60)
    window_text: str | None = Field(default=None, min_length=3, description="where the window comes from")
    course_start_months: int | None = Field(default=None, ge=1, le=120)
    course_start_text: str | None = Field(default=None, min_length=3)
    text: str = Field(min_length=3)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.confirmed and (self.threshold is None or self.window_months is None or not self.window_text):
            raise ValueError("a confirmed decline rule needs a threshold, window_months and window_text")
        if (self.window_months is None) != (self.window_text is None):
            raise ValueError("window_months and window_text go together")
        if (self.course_start_months is None) != (self.course_start_text is None):
            raise ValueError("course_start_months and course_start_text go together")
        if self.course_start_months is not None and self.window_months is None:
            raise ValueError("a comparison with the start of treatment needs window_months for its baseline")
        return self


class MeasuresFile(KnowledgeFile):
    measure: tuple[Measure, ...] = ()
    meaningful_change: tuple[MeaningfulChange, ...] = ()
    decline_rule: tuple[DeclineRule, ...] = ()

    @model_validator(mode="after")
    def _rules_fit_their_thresholds(self) -> Self:
        changes = {change.id: change for change in self.meaningful_change}
        confirmed: list[DeclineRule] = []
        for rule in self.decline_rule:
            if rule.threshold is None:
                continue
            change = changes.get(rule.threshold)
            if change is None:
                raise ValueError(f"{rule.id}: threshold {rule.threshold!r} is not a meaningful_change entry")
            if change.instrument is not rule.instrument:
                raise ValueError(f"{rule.id}: threshold {change.id} is for {change.instrument.value}")
            if change.applies_to_types and not set(rule.applies_to_types) <= set(change.applies_to_types):
                raise ValueError(
                    f"{rule.id}: holds for SMA types its threshold {change.id} was not derived in"
                )
            if rule.confirmed:
                confirmed.append(rule)
        for index, rule in enumerate(confirmed):
            for other in confirmed[index + 1 :]:
                if other.instrument is rule.instrument and _overlap(rule, other):
                    raise ValueError(
                        f"{rule.id} and {other.id}: two confirmed rules for one measure and type"
                    )
        return self


def _overlap(one: DeclineRule, other: DeclineRule) -> bool:
    """Whether two rules could hold for the same person (an empty type list holds for every type)."""
    if not one.applies_to_types or not other.applies_to_types:
        return True
    return bool(set(one.applies_to_types) & set(other.applies_to_types))
