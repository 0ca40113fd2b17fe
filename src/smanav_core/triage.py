"""Triage: "could this be SMA, paraspinal muscle atrophy, or something else?"

A small interpreter over `knowledge/data/triage.toml`. The answers become a set of signals; every rule
and possible condition whose `when` matches fires; the pattern is the highest-ranked pattern among the
fired rules, and its most urgent rule gives the recommendation. No clinical threshold or wording lives
here: adding a red flag or a mimic is a data change, reviewed with its source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from smanav_core.codes import TriagePattern, TriageRecommendation, TriageUrgency
from smanav_core.engine import DISCLAIMER
from smanav_core.evaluation import TRIAGE_SCHEMA as TRIAGE_SCHEMA
from smanav_core.evaluation import (
    EmergencyNumber,
    Feature,
    PossibleCondition,
    Reason,
    TriageResult,
)
from smanav_core.knowledge.loader import Knowledge, load_knowledge
from smanav_core.knowledge.schema.triage import Clause, TriageRule
from smanav_core.knowledge.schema.triage import EmergencyNumber as EmergencyNumberEntry
from smanav_core.knowledge.schema.triage import PossibleCondition as PossibleConditionEntry
from smanav_core.record import Genetics, TriageAnswers
from smanav_core.rules.reasons import reason
from smanav_core.validation import validate_as_of, validate_triage_answers

# Highest first: an emergency outranks everything, and "nonspecific" is what remains.
PATTERN_RANK: tuple[TriagePattern, ...] = (
    TriagePattern.EMERGENCY_RED_FLAGS,
    TriagePattern.SUGGESTS_NEUROMUSCULAR_DISEASE,
    TriagePattern.CONSISTENT_WITH_PARASPINAL_MUSCLE_ATROPHY,
    TriagePattern.NONSPECIFIC,
)
URGENCY_RANK: tuple[TriageUrgency, ...] = (
    TriageUrgency.EMERGENCY,
    TriageUrgency.URGENT,
    TriageUrgency.ROUTINE,
)


@dataclass(frozen=True)
class Signals:
    """What the interpreter matches against: every signal present, and the answers in the order given."""

    present: frozenset[str]
    symptoms: frozenset[str]
    answers: tuple[str, ...]
    sets: Mapping[str, frozenset[str]]

    def matches(self, clause: Clause) -> bool:
        return clause.matches(self.present, self.symptoms, self.sets)

    def fired(self, when: Iterable[Clause]) -> list[Clause]:
        return [clause for clause in when if self.matches(clause)]

    def answers_behind(self, clauses: Iterable[Clause]) -> list[str]:
        """The answered symptom/history values that the matching clauses asked for, in answer order."""
        wanted: set[str] = set()
        for clause in clauses:
            for signal in (*clause.all_of, *clause.any_of):
                wanted.update(self.sets[signal[4:]] if signal.startswith("set:") else {signal})
        return [answer for answer in self.answers if answer in wanted]


def triage(
    answers: Mapping[str, Any], *, as_of: dt.date, knowledge: Knowledge | None = None
) -> dict[str, Any]:
    """Triage the answers (the contract's JSON document as a dict) on `as_of`: the contract's triage
    document, JSON-ready. Raises `InvalidInput`."""
    return triage_of(answers, as_of=as_of, knowledge=knowledge).to_json()


def triage_of(
    answers: Mapping[str, Any], *, as_of: dt.date, knowledge: Knowledge | None = None
) -> TriageResult:
    """`triage`, answered as a frozen, typed `TriageResult`."""
    validate_as_of(as_of)
    kb = knowledge or load_knowledge()
    return triage_answers(validate_triage_answers(answers), kb, as_of=as_of)


def triage_answers(answers: TriageAnswers, kb: Knowledge, *, as_of: dt.date) -> TriageResult:
    """Run the triage rules on already validated answers."""
    signals = derive_signals(answers, kb)
    fired = [(rule, signals.fired(rule.when)) for rule in kb.triage.rule]
    fired = [(rule, clauses) for rule, clauses in fired if clauses]
    pattern = min((rule.pattern for rule, _ in fired if rule.pattern is not None), key=PATTERN_RANK.index)
    shown = sorted(
        (
            (rule, clauses)
            for rule, clauses in fired
            if rule.pattern is not TriagePattern.NONSPECIFIC or pattern is TriagePattern.NONSPECIFIC
        ),
        key=lambda item: _order(item[0], pattern),
    )
    deciding = shown[0][0]
    recommendation: TriageRecommendation | None = deciding.recommendation
    urgency: TriageUrgency | None = deciding.urgency
    if recommendation is None or urgency is None:  # pragma: no cover - the file schema forbids it
        raise AssertionError(f"{deciding.id} decides a pattern without recommendation or urgency")
    numbers = None
    if recommendation is TriageRecommendation.SEEK_EMERGENCY_CARE:
        # Extra field: the number to call comes before any other advice; every region's without one.
        numbers = tuple(_emergency_number(item) for item in kb.triage.emergency_numbers(answers.region))
    return TriageResult(
        as_of=as_of,
        knowledge_version=kb.version,
        region=answers.region,
        pattern=pattern,
        recommendation=recommendation,
        urgency=urgency,
        emergency_numbers=numbers,
        reasons=tuple(_reason(kb, rule, clauses, signals) for rule, clauses in shown),
        next_steps=tuple(_unique(step for rule, _ in shown for step in rule.next_steps)),
        possible_conditions=tuple(
            _condition(item) for item in kb.triage.possible_condition if signals.fired(item.when)
        ),
        features=_features(kb, signals),
        disclaimer=DISCLAIMER,
    )


def derive_signals(answers: TriageAnswers, kb: Knowledge) -> Signals:
    """Every fact the rules may ask about; an unanswered question is its own `…:unknown` signal."""
    given = tuple(item.value for item in (*answers.symptoms, *answers.history))
    answered = frozenset(given)
    sets = {feature_set.id: frozenset(feature_set.members) for feature_set in kb.triage.feature_set}
    present = set(answered)
    present.update(f"set:{name}" for name, members in sets.items() if members & answered)
    present.add(f"onset:{answers.onset.value}" if answers.onset is not None else "onset:unknown")
    present.add(f"course:{answers.course.value}" if answers.course is not None else "course:unknown")
    if answers.sex is not None:
        present.add(f"sex:{answers.sex.value}")
    present.add(genetics_signal(answers.genetics))
    if answers.age_years < kb.number("triage.adult_from_years"):
        present.add("age:under_adult_age")
    if not answers.symptoms:
        present.add("symptoms:none")
    symptoms = frozenset(item.value for item in answers.symptoms)
    return Signals(present=frozenset(present), symptoms=symptoms, answers=tuple(_unique(given)), sets=sets)


def genetics_signal(genetics: Genetics | None) -> str:
    """Which SMN1 result the answers carry; no copy number means "not tested", never "normal"."""
    copies = genetics.smn1_copies if genetics is not None else None
    if genetics is None or copies is None:
        return "genetics:not_tested"
    if copies == 0:
        return "genetics:smn1_absent"
    if copies == 1:
        return (
            "genetics:smn1_compound_heterozygote"
            if genetics.smn1_intragenic_variant
            else "genetics:smn1_one_copy"
        )
    return "genetics:smn1_two_or_more"


def _order(rule: TriageRule, pattern: TriagePattern) -> tuple[int, int, int]:
    """The chosen pattern's rules first, most urgent first; then lower patterns; explanations last."""
    if rule.pattern is None or rule.urgency is None:
        return (2, len(PATTERN_RANK), 0)
    group = 0 if rule.pattern is pattern else 1
    return (group, PATTERN_RANK.index(rule.pattern), URGENCY_RANK.index(rule.urgency))


def _reason(kb: Knowledge, rule: TriageRule, clauses: list[Clause], signals: Signals) -> Reason:
    labels = _labels(kb)
    named = [labels.get(answer, answer) for answer in signals.answers_behind(clauses)]
    return reason(kb, rule.id, code=rule.id.removeprefix("triage."), answers=_join(named))


def _emergency_number(item: EmergencyNumberEntry) -> EmergencyNumber:
    return EmergencyNumber(item.region, item.number, item.text, item.sources)


def _condition(item: PossibleConditionEntry) -> PossibleCondition:
    return PossibleCondition(item.condition, item.text, item.next_steps, item.sources, item.confirmed)


def _features(kb: Knowledge, signals: Signals) -> tuple[Feature, ...]:
    """What each given answer means, in the order given (extra field, for people and screens)."""
    by_answer = {feature.answer: feature for feature in kb.triage.feature}
    meanings = [
        (by_answer[answer], reason(kb, by_answer[answer].id))
        for answer in signals.answers
        if answer in by_answer
    ]
    return tuple(
        Feature(feature.answer, feature.label, meaning.text, meaning.sources) for feature, meaning in meanings
    )


def _labels(kb: Knowledge) -> dict[str, str]:
    return {feature.answer: feature.label for feature in kb.triage.feature}


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
