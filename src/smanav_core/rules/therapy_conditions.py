"""The condition blocks of the therapy rules, turned once into tests of a person's facts.

Every condition is three-valued: true, false, or unknown because a fact is missing (`Truth.missing` names
the record fields that were absent). A block holds when every condition set in it holds; a `require_any`
rule fires when none of its alternatives holds. Each block is read once per knowledge version into a
function of the facts, so an evaluation does not look at the fields a block leaves empty.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

from smanav_core.codes import Sex
from smanav_core.facts import Person
from smanav_core.knowledge.schema.therapies import Conditions, EligibilityRule


@dataclass(frozen=True, slots=True)
class Truth:
    """Three-valued result of a condition block; `missing` names the record fields that were absent."""

    value: bool | None
    missing: tuple[str, ...] = ()


# A test of one person's facts (no condition reads the region: a trial's criteria use the same tests).
# Decided answers are these shared constants; each test makes its field's unknown answer once.
Test = Callable[[Person], Truth]
TRUE = Truth(True)
FALSE = Truth(False)


def unknown(name: str) -> Truth:
    """The answer of a test whose fact `name` (a record field) is missing."""
    return Truth(None, (name,))


def _age(compare: Callable[[float, float], bool], bound: float) -> Test:
    def test(facts: Person) -> Truth:
        return TRUE if compare(facts.age_months, bound) else FALSE

    return test


def _weight(low: float | None, high: float | None) -> Test:
    """The current weight lies in [low, high] (either bound may be absent: then a weight is on record)."""
    missing = unknown("weight_kg")

    def test(facts: Person) -> Truth:
        weight = facts.current_weight()
        if weight is None:
            return missing
        kg = weight[0]
        return TRUE if (low is None or kg >= low) and (high is None or kg <= high) else FALSE

    return test


def _smn2_range(low: int | None, high: int | None) -> Test:
    """Whether the SMN2 copy number lies in [low, high]; "n or more" results can be undecidable."""
    missing = unknown("genetics.smn2_copies")

    def test(facts: Person) -> Truth:
        copies = facts.smn2_copies
        if copies is None:
            return missing
        if facts.smn2_is_minimum:
            if high is not None and copies > high:
                return FALSE
            if high is None and (low is None or copies >= low):
                return TRUE
            return missing
        return TRUE if (low is None or copies >= low) and (high is None or copies <= high) else FALSE

    return test


def _sma_type_in(conditions: Conditions) -> Test:
    allowed = frozenset(conditions.sma_type_in or ())
    missing = unknown("sma_type")

    def test(facts: Person) -> Truth:
        if facts.sma_type is None:
            return missing
        return TRUE if facts.sma_type in allowed else FALSE

    return test


def _ventilation_in(conditions: Conditions) -> Test:
    allowed = frozenset(conditions.ventilation_in or ())
    missing = unknown("clinical.ventilation")

    def test(facts: Person) -> Truth:
        clinical = facts.record.clinical
        ventilation = None if clinical is None else clinical.ventilation
        if ventilation is None:
            return missing
        return TRUE if ventilation in allowed else FALSE

    return test


def _had_therapy_in(conditions: Conditions) -> Test:
    therapies = frozenset(conditions.had_therapy_in or ())

    def test(facts: Person) -> Truth:
        return FALSE if therapies.isdisjoint(facts.treatments) else TRUE

    return test


def _ongoing_therapy_in(conditions: Conditions) -> Test:
    therapies = frozenset(conditions.ongoing_therapy_in or ())

    def test(facts: Person) -> Truth:
        return FALSE if therapies.isdisjoint(facts.ongoing) else TRUE

    return test


def _ongoing_therapy_none_of(conditions: Conditions) -> Test:
    therapies = frozenset(conditions.ongoing_therapy_none_of or ())

    def test(facts: Person) -> Truth:
        return TRUE if therapies.isdisjoint(facts.ongoing) else FALSE

    return test


def _sex_in(conditions: Conditions) -> Test:
    allowed = frozenset(conditions.sex_in or ())
    missing = unknown("sex")

    def test(facts: Person) -> Truth:
        sex = facts.record.sex
        if sex is None or sex is Sex.UNKNOWN:
            return missing
        return TRUE if sex in allowed else FALSE

    return test


def _anti_aav9_above(limit: float) -> Test:
    missing = unknown("labs.anti_aav9_titer")

    def test(facts: Person) -> Truth:
        labs = facts.record.labs
        titre = None if labs is None else labs.anti_aav9_titer
        if titre is None:
            return missing
        return TRUE if titre > limit else FALSE

    return test


def _pregnant(expected: bool) -> Test:
    missing = unknown("pregnant")

    def test(facts: Person) -> Truth:
        pregnant = facts.record.pregnant
        if pregnant is None:
            return missing
        return TRUE if pregnant is expected else FALSE

    return test


def _active_infection(expected: bool) -> Test:
    missing = unknown("clinical.active_infection")

    def test(facts: Person) -> Truth:
        clinical = facts.record.clinical
        infection = None if clinical is None else clinical.active_infection
        if infection is None:
            return missing
        return TRUE if infection is expected else FALSE

    return test


def _liver_above(limit: float) -> Test:
    """Any of ALT, AST or bilirubin above `limit` × ULN; not above only when all three are known."""
    missing = unknown("labs.liver")

    def test(facts: Person) -> Truth:
        labs = facts.record.labs
        if labs is None:
            return missing
        all_known = True
        for value in (labs.alt_uln_ratio, labs.ast_uln_ratio, labs.total_bilirubin_uln_ratio):
            if value is None:
                all_known = False
            elif value > limit:
                return TRUE
        return FALSE if all_known else missing

    return test


def postmenstrual_weeks(facts: Person) -> float | None:
    """Gestational age at birth plus the weeks since birth; None when the gestational age is not recorded."""
    born_at = facts.record.gestational_age_weeks
    return None if born_at is None else born_at + facts.age_days / 7


def _not_yet_term(term_weeks: float) -> Test:
    missing = unknown("gestational_age_weeks")

    def test(facts: Person) -> Truth:
        born_at = facts.record.gestational_age_weeks
        if born_at is None:
            return missing
        weeks = born_at + facts.age_days / 7
        return TRUE if born_at < term_weeks and weeks < term_weeks else FALSE

    return test


# One test builder per condition field, reading the block's bounds once. Fields checked together (the two
# bounds of a range) are built by their first field only: see `_SECOND_BOUNDS`.
_BUILDERS: dict[str, Callable[[Conditions], Test]] = {
    "age_months_below": lambda c: _age(operator.lt, c.age_months_below or 0),
    "age_months_at_most": lambda c: _age(operator.le, c.age_months_at_most or 0),
    "age_months_at_least": lambda c: _age(operator.ge, c.age_months_at_least or 0),
    "age_months_above": lambda c: _age(operator.gt, c.age_months_above or 0),
    "weight_recorded": lambda c: _weight(c.weight_kg_at_least, c.weight_kg_at_most),
    "weight_kg_at_least": lambda c: _weight(c.weight_kg_at_least, c.weight_kg_at_most),
    "weight_kg_at_most": lambda c: _weight(c.weight_kg_at_least, c.weight_kg_at_most),
    "smn2_at_least": lambda c: _smn2_range(c.smn2_at_least, c.smn2_at_most),
    "smn2_at_most": lambda c: _smn2_range(c.smn2_at_least, c.smn2_at_most),
    "sma_type_in": _sma_type_in,
    "ventilation_in": _ventilation_in,
    "had_therapy_in": _had_therapy_in,
    "ongoing_therapy_in": _ongoing_therapy_in,
    "ongoing_therapy_none_of": _ongoing_therapy_none_of,
    "sex_in": _sex_in,
    "anti_aav9_above": lambda c: _anti_aav9_above(c.anti_aav9_above or 0),
    "pregnant": lambda c: _pregnant(bool(c.pregnant)),
    "active_infection": lambda c: _active_infection(bool(c.active_infection)),
    "liver_uln_above": lambda c: _liver_above(c.liver_uln_above or 0),
    "born_before_weeks_not_yet_term": lambda c: _not_yet_term(c.born_before_weeks_not_yet_term or 0),
}
# A field whose check is already made by an earlier field of the same block (a range read as one check).
_SECOND_BOUNDS = {
    "weight_kg_at_least": ("weight_recorded",),
    "weight_kg_at_most": ("weight_recorded", "weight_kg_at_least"),
    "smn2_at_most": ("smn2_at_least",),
}


# --- the tests other parts of an application share (trial criteria) ----------------------------------


def smn2_copies_between(low: int | None, high: int | None) -> Test:
    """SMN2 copies in [low, high] (either bound may be absent); a result of "n or more" is unknown
    unless it decides the answer."""
    return _smn2_range(low, high)


def age_months_between(low: float | None, high: float | None) -> Test:
    """Age in months in [low, high] (either bound may be absent, not both)."""
    if high is None:
        return _age(operator.ge, low or 0)
    at_most = _age(operator.le, high)
    if low is None:
        return at_most
    at_least = _age(operator.ge, low)

    def both(facts: Person) -> Truth:
        return FALSE if at_least(facts) is FALSE else at_most(facts)

    return both


def weight_kg_between(low: float | None, high: float | None) -> Test:
    """The current weight (the record's, else the latest measured) in [low, high]; unknown without one."""
    return _weight(low, high)


def block_test(conditions: Conditions) -> Test:
    """A test that holds when every condition set in the block holds (AND), in declaration order."""
    names = [name for name in type(conditions).model_fields if getattr(conditions, name) is not None]
    names = [name for name in names if not any(first in names for first in _SECOND_BOUNDS.get(name, ()))]
    tests = tuple(_BUILDERS[name](conditions) for name in names)
    if len(tests) == 1:
        return tests[0]

    def every(facts: Person) -> Truth:
        # False at the first false test (whatever follows); else unknown, naming every missing field.
        missing: list[str] | None = None
        for test in tests:
            part = test(facts)
            value = part.value
            if value is False:
                return FALSE
            if value is None:
                if missing is None:
                    missing = list(part.missing)
                else:
                    missing.extend(name for name in part.missing if name not in missing)
        return TRUE if missing is None else Truth(None, tuple(missing))

    return every


def _negated(answer: Truth) -> Truth:
    if answer.value is None:
        return answer
    return FALSE if answer.value else TRUE


def rule_test(rule: EligibilityRule) -> Test:
    """True when the rule's finding applies, False when it does not, unknown when a needed fact is missing."""
    if rule.when is not None:
        return block_test(rule.when)
    alternatives = tuple(block_test(alternative) for alternative in rule.require_any)
    if len(alternatives) == 1:
        only = alternatives[0]
        return lambda facts: _negated(only(facts))

    def none_holds(facts: Person) -> Truth:
        # False at the first alternative that holds; true when none does; else unknown (fields named).
        missing: list[str] | None = None
        for alternative in alternatives:
            part = alternative(facts)
            value = part.value
            if value is True:
                return FALSE
            if value is None:
                if missing is None:
                    missing = list(part.missing)
                else:
                    missing.extend(name for name in part.missing if name not in missing)
        return TRUE if missing is None else Truth(None, tuple(missing))

    return none_holds
