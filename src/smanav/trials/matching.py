"""Compare one person's facts with one trial: criteria met, not met, and to check by hand.

Pure: no database, no clock. The person's age, SMN2 copies, diagnosis and motor function come from the
clinical core (`derive_facts`, genetics and classification rules), never re-derived here. Every criterion
comes from the trial record (age limits, sex) or the curated layer (quoted with its review date); every
other line of the record's eligibility text is listed, as written, to check by hand. A fact the record
does not hold makes a criterion "to check", never "met".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from smanav.trials.curation import (
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
from smanav_core.ages import age_words
from smanav_core.codes import DiagnosisStatus, Sex
from smanav_core.facts import DAYS_PER_MONTH, PatientFacts

Outcome = Literal["met", "not_met", "to_check"]
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_MONTHS_PER = {
    "year": 12.0,
    "month": 1.0,
    "week": 7 / DAYS_PER_MONTH,
    "day": 1 / DAYS_PER_MONTH,
    "hour": 1 / 24 / DAYS_PER_MONTH,
    "minute": 1 / 1440 / DAYS_PER_MONTH,
}
_BULLET = re.compile(r"^\s*(?:[*\-•]|\d+[.)])\s*")


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

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "source": self.source, "quote": self.quote, "section": self.section}


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


def age_text_months(text: str) -> float | None:
    """ClinicalTrials.gov age limits ("6 Months", "18 Years") in months; None for "N/A" or nothing."""
    found = _AGE.match(text or "")
    if not found:
        return None
    return float(found.group(1)) * _MONTHS_PER[found.group(2).lower()]


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


def _range_words(low: float | None, high: float | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"from {low:g} to {high:g} {unit}"
    if low is not None:
        return f"at least {low:g} {unit}"
    return f"at most {high:g} {unit}"


def _in_range(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _record_criteria(facts: PatientFacts, trial: TrialFacts) -> list[Finding]:
    source = f"ClinicalTrials.gov record {trial.nct_id}"
    found: list[Finding] = []
    low, high = age_text_months(trial.minimum_age), age_text_months(trial.maximum_age)
    if low is not None or high is not None:
        limits = " and ".join(
            part
            for part in (
                f"at least {trial.minimum_age}" if low is not None else "",
                f"at most {trial.maximum_age}" if high is not None else "",
            )
            if part
        )
        age = f"{age_words(facts.record.birth_date, facts.as_of)} old on {facts.as_of.isoformat()}"
        ok = _in_range(facts.age_months, low, high)
        found.append(Finding("met" if ok else "not_met", f"Age {limits}: the person is {age}.", source))
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


def _curated_finding(facts: PatientFacts, criterion: Any, source: str) -> Finding:
    def say(outcome: Outcome, text: str) -> Finding:
        return Finding(outcome, text, source, criterion.quote, criterion.section)

    if isinstance(criterion, Smn2Copies):
        wanted = _range_words(criterion.min, criterion.max, "SMN2 copies")
        copies = facts.smn2_copies
        if copies is None:
            return say("to_check", f"The trial asks for {wanted}; the record has no SMN2 copy number.")
        if facts.smn2_is_minimum:
            if criterion.max is not None and copies > criterion.max:
                return say("not_met", f"The trial asks for {wanted}; the record has {copies} or more.")
            return say(
                "to_check",
                f"The trial asks for {wanted}; the record has {copies} or more, "
                "so the exact number is needed.",
            )
        ok = _in_range(copies, criterion.min, criterion.max)
        return say("met" if ok else "not_met", f"The trial asks for {wanted}; the record has {copies}.")
    if isinstance(criterion, AgeMonths):
        wanted = _range_words(criterion.min, criterion.max, "months of age")
        ok = _in_range(facts.age_months, criterion.min, criterion.max)
        return say(
            "met" if ok else "not_met",
            f"The trial asks for {wanted}; the person is "
            f"{age_words(facts.record.birth_date, facts.as_of)} old on {facts.as_of.isoformat()}.",
        )
    if isinstance(criterion, WeightKg):
        wanted = _range_words(criterion.min, criterion.max, "kg")
        weight = facts.current_weight()
        if weight is None:
            return say("to_check", f"The trial asks for a weight {wanted}; the record has no weight.")
        when = f" (measured {weight[1].isoformat()})" if weight[1] else ""
        ok = _in_range(weight[0], criterion.min, criterion.max)
        return say(
            "met" if ok else "not_met",
            f"The trial asks for a weight {wanted}; the record says {weight[0]:g} kg{when}.",
        )
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


def free_text_lines(criteria: str) -> list[tuple[str, str]]:
    """(section, line as written) for each criterion line of the record's eligibility text."""
    section = "inclusion"
    lines: list[tuple[str, str]] = []
    for raw in criteria.splitlines():
        text = raw.strip()
        if not text:
            continue
        lowered = text.casefold().rstrip(":")
        if lowered.startswith("inclusion criteria"):
            section = "inclusion"
            continue
        if lowered.startswith("exclusion criteria"):
            section = "exclusion"
            continue
        lines.append((section, _BULLET.sub("", text, count=1)))
    return lines


def assess_trial(facts: PatientFacts, trial: TrialFacts, curated: CuratedTrial | None) -> TrialAssessment:
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
        source = f"smanav curated review of {trial.nct_id}, {curated.reviewed_on.isoformat()}"
        for criterion in curated.criterion:
            result.findings.append(_curated_finding(facts, criterion, source))
            quotes.append(criterion.quote.casefold())
    record_source = f"ClinicalTrials.gov record {trial.nct_id} (eligibility text)"
    for section, line in free_text_lines(trial.eligibility_criteria):
        folded = line.casefold()
        # Left out only when a quote covers the whole line: the rest of a line the review quoted in part
        # may hold a criterion it did not encode, so such a line stays to check.
        if any(folded in quote for quote in quotes):
            continue
        result.findings.append(Finding("to_check", line, record_source, line, section))
    return result
