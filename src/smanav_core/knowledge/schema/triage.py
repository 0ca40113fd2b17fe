"""Triage knowledge: what each answer means, named sets of answers, and the rules over them.

The triage engine is a small interpreter: it turns the answers into a set of *signals* (the symptom and
history values themselves, plus `onset:…`, `course:…`, `sex:…`, `genetics:…`, `age:…`, `symptoms:none`
and `set:<id>` for every feature set that has a member present) and fires every rule or possible
condition whose `when` matches. Clinical meaning lives here, in the data, never in Python branches.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field, field_validator, model_validator

from smanav_core.codes import (
    Region,
    Sex,
    TriageCourse,
    TriageHistory,
    TriageOnset,
    TriagePattern,
    TriageRecommendation,
    TriageSymptom,
    TriageUrgency,
)
from smanav_core.knowledge.schema.base import ID_PATTERN, Frozen, KnowledgeFile, Statement

# Signals computed from the genetics object of the answers (see `smanav_core.triage.genetics_signal`).
GENETICS_SIGNALS = (
    "genetics:not_tested",
    "genetics:smn1_absent",
    "genetics:smn1_compound_heterozygote",
    "genetics:smn1_one_copy",
    "genetics:smn1_two_or_more",
)
OTHER_SIGNALS = ("symptoms:none", "age:under_adult_age", "onset:unknown", "course:unknown")

ANSWER_VALUES: frozenset[str] = frozenset(
    [member.value for member in TriageSymptom] + [member.value for member in TriageHistory]
)
FIXED_SIGNALS: frozenset[str] = frozenset(
    [f"onset:{member.value}" for member in TriageOnset]
    + [f"course:{member.value}" for member in TriageCourse]
    + [f"sex:{member.value}" for member in Sex]
    + list(GENETICS_SIGNALS)
    + list(OTHER_SIGNALS)
)


def _check_signal(value: str) -> str:
    """A signal is an answer value, a fixed signal, or `set:<id>` (the id is checked by the file)."""
    if value in ANSWER_VALUES or value in FIXED_SIGNALS:
        return value
    if value.startswith("set:") and len(value) > 4:
        return value
    raise ValueError(f"unknown triage signal {value!r}")


class Clause(Frozen):
    """One conjunction: every `all_of`, at least one `any_of` (if given), none of `none_of`.

    `only_symptoms_in` names a feature set: the clause fails if any reported symptom lies outside it
    (the "symptoms confined to the back" test).
    """

    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    only_symptoms_in: str | None = None

    @field_validator("all_of", "any_of", "none_of")
    @classmethod
    def _known(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_signal(value) for value in values)

    def signals(self) -> tuple[str, ...]:
        return self.all_of + self.any_of + self.none_of

    def matches(
        self, present: frozenset[str], symptoms: frozenset[str], sets: Mapping[str, frozenset[str]]
    ) -> bool:
        if not all(signal in present for signal in self.all_of):
            return False
        if self.any_of and not any(signal in present for signal in self.any_of):
            return False
        if any(signal in present for signal in self.none_of):
            return False
        return self.only_symptoms_in is None or symptoms <= sets[self.only_symptoms_in]


class FeatureSet(Frozen):
    """A named set of answer values, e.g. the symptoms that stay within the back."""

    id: str = Field(pattern=ID_PATTERN)
    description: str = Field(min_length=3)
    members: tuple[str, ...] = Field(min_length=1)

    @field_validator("members")
    @classmethod
    def _answers_only(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if value not in ANSWER_VALUES:
                raise ValueError(f"feature set members must be symptom or history values, got {value!r}")
        return values


class Feature(Statement):
    """What one symptom or history answer means, in plain words; `label` is how a reason names it."""

    answer: str
    label: str = Field(min_length=3)

    @field_validator("answer")
    @classmethod
    def _is_answer(cls, value: str) -> str:
        if value not in ANSWER_VALUES:
            raise ValueError(f"unknown triage answer {value!r}")
        return value


class _Conditional(Statement):
    when: tuple[Clause, ...] = Field(min_length=1, description="Fires when any clause matches.")


class TriageRule(_Conditional):
    """A finding. With a `pattern` it takes part in the decision; without one it only explains.

    An unconfirmed rule (`confirmed = false`) may never decide a pattern: it can only say so.
    """

    pattern: TriagePattern | None = None
    recommendation: TriageRecommendation | None = None
    urgency: TriageUrgency | None = None

    @model_validator(mode="after")
    def _decision_complete(self) -> TriageRule:
        parts = (self.pattern, self.recommendation, self.urgency)
        if any(part is not None for part in parts) and any(part is None for part in parts):
            raise ValueError("pattern, recommendation and urgency go together")
        if self.pattern is not None and not self.confirmed:
            raise ValueError("an unconfirmed rule must not decide a pattern")
        return self


class PossibleCondition(_Conditional):
    """A condition worth asking the doctor about; `text` says why, `next_steps` which tests help."""

    condition: str = Field(min_length=3)


class EmergencyNumber(Statement):
    """The number to call for an ambulance in one region, with the official page that says so.

    `text` is the sentence a report prints; it must contain the number, so the two cannot drift apart.
    """

    region: Region
    number: str = Field(pattern=r"^[0-9]{3}$")

    @model_validator(mode="after")
    def _number_in_text(self) -> EmergencyNumber:
        if self.number not in self.text.replace("-", ""):
            raise ValueError(f"{self.id}: the text must give the number {self.number}")
        return self


class TriageFile(KnowledgeFile):
    feature_set: tuple[FeatureSet, ...] = ()
    feature: tuple[Feature, ...] = ()
    rule: tuple[TriageRule, ...] = ()
    possible_condition: tuple[PossibleCondition, ...] = ()
    emergency_number: tuple[EmergencyNumber, ...] = ()

    def emergency_numbers(self, region: Region | None) -> tuple[EmergencyNumber, ...]:
        """The region's number; every region's, in the file's order, when the region is not known."""
        mine = tuple(item for item in self.emergency_number if item.region is region)
        return mine if region is not None and mine else self.emergency_number

    @model_validator(mode="after")
    def _references(self) -> TriageFile:
        regions = [item.region for item in self.emergency_number]
        if len(set(regions)) != len(regions):
            raise ValueError("each region may have only one emergency number")
        set_ids = {feature_set.id for feature_set in self.feature_set}
        if len(set_ids) != len(self.feature_set):
            raise ValueError("feature set ids must be unique")
        answers = [feature.answer for feature in self.feature]
        if len(set(answers)) != len(answers):
            raise ValueError("each answer may have only one feature entry")
        for item in (*self.rule, *self.possible_condition):
            for clause in item.when:
                named = [signal[4:] for signal in clause.signals() if signal.startswith("set:")]
                if clause.only_symptoms_in is not None:
                    named.append(clause.only_symptoms_in)
                for name in named:
                    if name not in set_ids:
                        raise ValueError(f"{item.id}: unknown feature set {name!r}")
        return self
