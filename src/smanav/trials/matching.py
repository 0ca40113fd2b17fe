"""Compare one person's facts with one trial: criteria met, not met, and to check by hand.

Pure: no database, no clock. The person's age, SMN2 copies, diagnosis and motor function come from the
clinical core (`derive_facts`, genetics and classification rules), never re-derived here. Every criterion
comes from the trial record (age limits as the registry means them, sex) or the curated layer (quoted with
its review date and source); every other criterion of the record's eligibility text is listed, as written
and in its section, to check by hand. A fact the record does not hold makes a criterion "to check", never
"met".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from smanav.trials.ages import (
    fits_maximum,
    fits_minimum,
    limits_words,
    months_words,
    parse_age_limit,
)
from smanav.trials.eligibility import read_criteria
from smanav_core.ages import age_words
from smanav_core.codes import DiagnosisStatus, Sex
from smanav_core.dates import day_words
from smanav_core.facts import Person
from smanav_core.knowledge.schema.trials import (
    AgeMonths,
    CuratedTrial,
    Diagnosis,
    MotorFunction,
    PriorTherapy,
    Smn2Copies,
    Symptomatic,
    VentilationSupport,
    WeightKg,
)
from smanav_core.rules.therapy_conditions import (
    Truth,
    age_months_between,
    smn2_copies_between,
    weight_kg_between,
)

Outcome = Literal["met", "not_met", "to_check"]


@dataclass(frozen=True, slots=True)
class TrialFacts:
    """What the matcher needs of a trial record (the web layer builds it from the database row)."""

    nct_id: str
    minimum_age: str = ""
    maximum_age: str = ""
    sex: str = ""
    eligibility_criteria: str = ""
    last_update_posted: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    outcome: Outcome
    text: str
    source: str
    quote: str | None = None
    section: str | None = None
    # The criterion as the record writes it, as sanitised HTML (free-text criteria only).
    html: str | None = None

    def as_dict(self) -> dict[str, Any]:
        found = {"text": self.text, "source": self.source, "quote": self.quote, "section": self.section}
        if self.html is not None:
            found["html"] = self.html
        return found


@dataclass
class TrialAssessment:
    nct_id: str
    findings: list[Finding] = field(default_factory=list)
    curated: bool = False
    reviewed_on: dt.date | None = None
    changed_since_review: bool = False

    def of(self, outcome: Outcome) -> list[Finding]:
        return [finding for finding in self.findings if finding.outcome == outcome]

    @property
    def possible(self) -> bool:
        return not self.of("not_met")


# Plain words for the core's codes, so a family reads "non-invasive ventilation during sleep only".
_LABELS = {
    "none": "no breathing support",
    "niv_sleep_only": "non-invasive ventilation during sleep only",
    "niv_under_16h": "non-invasive ventilation for less than 16 hours a day",
    "niv_16h_or_more": "non-invasive ventilation for 16 hours or more a day",
    "tracheostomy": "ventilation through a tracheostomy",
    "onasemnogene_abeparvovec_iv": "onasemnogene abeparvovec (gene therapy into a vein)",
    "onasemnogene_abeparvovec_it": "onasemnogene abeparvovec (gene therapy into the spinal fluid)",
    "other": "another SMA treatment",
    "non_sitter": "not able to sit without support (non-sitter)",
    "sitter": "able to sit but not to walk (sitter)",
    "walker": "able to walk (walker)",
    "confirmed_5q_sma": "confirmed 5q SMA",
    "5q_sma_unlikely": "5q SMA unlikely",
    "not_tested": "not tested",
}


def _words(code: Any) -> str:
    value = str(code.value)
    return _LABELS.get(value, value.replace("_", " "))


def _age_now(facts: Person) -> str:
    return f"the person is {age_words(facts.record.birth_date, facts.as_of)} old on {day_words(facts.as_of)}"


def _range_words(low: float | None, high: float | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"from {low:g} to {high:g} {unit}"
    if low is not None:
        return f"at least {low:g} {unit}"
    return f"at most {high:g} {unit}"


def _outcome(truth: Truth) -> Outcome:
    """A criterion's outcome from the core's three-valued answer: a missing fact is "to check"."""
    if truth.value is None:
        return "to_check"
    return "met" if truth.value else "not_met"


def _record_criteria(facts: Person, trial: TrialFacts) -> list[Finding]:
    source = f"ClinicalTrials.gov record {trial.nct_id}"
    found: list[Finding] = []
    low, high = parse_age_limit(trial.minimum_age), parse_age_limit(trial.maximum_age)
    if low is not None or high is not None:
        limits = limits_words(low, high)
        birth, on = facts.record.birth_date, facts.as_of
        ok = (low is None or fits_minimum(low, birth, on)) and (high is None or fits_maximum(high, birth, on))
        found.append(
            Finding(
                "met" if ok else "not_met",
                f"The trial is for people aged {limits}; {_age_now(facts)}.",
                source,
            )
        )
    wanted_sex = trial.sex.upper()
    if wanted_sex in ("FEMALE", "MALE"):
        sex = facts.record.sex
        if sex is None or sex in (Sex.UNKNOWN, Sex.OTHER):
            found.append(
                Finding(
                    "to_check",
                    f"The trial is for {wanted_sex.lower()} participants only; the record does not say.",
                    source,
                )
            )
        else:
            ok = sex.value == wanted_sex.lower()
            found.append(
                Finding(
                    "met" if ok else "not_met",
                    f"The trial is for {wanted_sex.lower()} participants only.",
                    source,
                )
            )
    return found


def _curated_finding(facts: Person, criterion: Any, source: str) -> Finding:
    def say(outcome: Outcome, text: str) -> Finding:
        return Finding(outcome, text, source, criterion.quote, criterion.section)

    # SMN2 copies, age and weight are judged by the core's own condition tests (those of the therapy
    # rules): true, false, or unknown because the record does not hold the fact.
    if isinstance(criterion, Smn2Copies):
        wanted = _range_words(criterion.min, criterion.max, "SMN2 copies")
        outcome = _outcome(smn2_copies_between(criterion.min, criterion.max)(facts))
        copies = facts.smn2_copies
        if copies is None:
            return say(outcome, f"The trial asks for {wanted}; the record has no SMN2 copy number.")
        if facts.smn2_is_minimum:
            exact = "" if outcome != "to_check" else ", so the exact number is needed"
            return say(outcome, f"The trial asks for {wanted}; the record has {copies} or more{exact}.")
        return say(outcome, f"The trial asks for {wanted}; the record has {copies}.")
    if isinstance(criterion, AgeMonths):
        low, high = criterion.min, criterion.max
        if low is not None and high is not None:
            wanted = f"an age from {months_words(low)} to {months_words(high)}"
        elif low is not None:
            wanted = f"an age of at least {months_words(low)}"
        else:
            wanted = f"an age of at most {months_words(high or 0)}"  # the schema asks for one bound
        outcome = _outcome(age_months_between(low, high)(facts))
        return say(outcome, f"The trial asks for {wanted}; {_age_now(facts)}.")
    if isinstance(criterion, WeightKg):
        wanted = _range_words(criterion.min, criterion.max, "kg")
        outcome = _outcome(weight_kg_between(criterion.min, criterion.max)(facts))
        weight = facts.current_weight()
        if weight is None:
            return say(outcome, f"The trial asks for a weight {wanted}; the record has no weight.")
        when = f" (measured {day_words(weight[1])})" if weight[1] else ""
        return say(outcome, f"The trial asks for a weight {wanted}; the record says {weight[0]:g} kg{when}.")
    if isinstance(criterion, Diagnosis):
        wanted = _words(criterion.required)
        status = facts.diagnosis
        if status is criterion.required:
            return say(
                "met",
                f"The trial asks for a genetically confirmed diagnosis ({wanted}); "
                "the record's genetic result confirms it.",
            )
        if status in (DiagnosisStatus.NOT_TESTED, DiagnosisStatus.INCONCLUSIVE):
            return say(
                "to_check",
                f"The trial asks for a genetically confirmed diagnosis ({wanted}); "
                f"the record's genetic result is {_words(status)}.",
            )
        return say(
            "not_met",
            f"The trial asks for a genetically confirmed diagnosis ({wanted}); "
            f"the record's genetic result is {_words(status)}.",
        )
    if isinstance(criterion, PriorTherapy):
        given = set(facts.treatments)
        names = ", ".join(_words(t) for t in criterion.excluded or criterion.required_any)
        if criterion.excluded:
            hit = [t for t in criterion.excluded if t in given]
            if hit:
                return say(
                    "not_met",
                    f"The trial excludes people who have had {names}; "
                    f"the record shows {', '.join(_words(t) for t in hit)}.",
                )
            if not given:
                return say(
                    "to_check",
                    f"The trial excludes people who have had {names}; "
                    "the record lists no treatments, so check the history.",
                )
            return say(
                "met",
                f"The trial excludes people who have had {names}; none is among the treatments recorded.",
            )
        if any(t in given for t in criterion.required_any):
            return say("met", f"The trial asks for earlier treatment with {names}; the record shows it.")
        return say(
            "to_check", f"The trial asks for earlier treatment with {names}; the record does not show it."
        )
    if isinstance(criterion, MotorFunction):
        wanted = " or ".join(_words(group) for group in criterion.allowed)
        group = facts.functional_group
        if group is None:
            return say(
                "to_check",
                f"The trial is for people who are {wanted} now; "
                "the record does not say what the person can do now.",
            )
        ok = group in criterion.allowed
        return say(
            "met" if ok else "not_met",
            f"The trial is for people who are {wanted} now; the record says {_words(group)}.",
        )
    if isinstance(criterion, VentilationSupport):
        clinical = facts.record.clinical
        ventilation = None if clinical is None else clinical.ventilation
        names = ", ".join(_words(v) for v in criterion.excluded)
        if ventilation is None:
            return say(
                "to_check",
                f"The trial excludes breathing support of this kind: {names}; the record does not say.",
            )
        ok = ventilation not in criterion.excluded
        return say(
            "met" if ok else "not_met",
            f"The trial excludes breathing support of this kind: {names}; "
            f"the record says {_words(ventilation)}.",
        )
    if isinstance(criterion, Symptomatic):
        wanted = (
            "before symptoms start (presymptomatic)" if not criterion.required else "with symptoms of SMA"
        )
        symptomatic = facts.symptomatic
        if symptomatic is None:
            return say(
                "to_check",
                f"The trial is for people {wanted}; the record does not say whether there are symptoms.",
            )
        ok = symptomatic == criterion.required
        return say("met" if ok else "not_met", f"The trial is for people {wanted}.")
    raise TypeError(f"unknown criterion {criterion!r}")  # pragma: no cover - the schema forbids it


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def assess_trial(
    facts: Person,
    trial: TrialFacts,
    curated: CuratedTrial | None,
    source_titles: Mapping[str, str] | None = None,
) -> TrialAssessment:
    """`source_titles` names the bibliography entries a curated review cites (key -> title)."""
    result = TrialAssessment(trial.nct_id)
    result.findings.extend(_record_criteria(facts, trial))
    quotes: list[str] = []
    if curated is not None:
        result.curated = True
        result.reviewed_on = curated.reviewed_on
        result.changed_since_review = (
            curated.record_last_update is not None
            and trial.last_update_posted is not None
            and trial.last_update_posted > curated.record_last_update
        )
        review = f"smanav curated review of {trial.nct_id}, {curated.reviewed_on.isoformat()}"
        titles = source_titles or {}
        for criterion in curated.criterion:
            read = "; ".join(titles.get(key, key) for key in criterion.sources)
            source = f"{review}, read from: {read}" if read else review
            result.findings.append(_curated_finding(facts, criterion, source))
            quotes.append(_folded(criterion.quote))
    record_source = f"ClinicalTrials.gov record {trial.nct_id} (eligibility text)"
    for written in read_criteria(trial.eligibility_criteria):
        folded = _folded(written.text)
        # Left out only when a quote covers the whole criterion: the rest of one the review quoted in part
        # may hold a criterion it did not encode, so it stays to check.
        if any(folded in quote for quote in quotes):
            continue
        section = None if written.section == "unsorted" else written.section
        result.findings.append(
            Finding("to_check", written.text, record_source, written.text, section, written.html)
        )
    return result
