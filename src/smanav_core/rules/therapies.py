"""Therapy eligibility by region: the rules in `therapies.toml`, applied to one person.

Each rule's conditions are read by `rules.therapy_conditions` (true, false, or unknown because a fact is
missing). A rule that needs a missing fact either asks for it (`needs_information`, naming the field) or
is skipped, as its data says. The status is the most restrictive finding, in the order of `TherapyStatus`.

Everything that does not depend on the person (which rules and notes apply to a therapy in a region, the
reasons whose text quotes no value of the person, the fixed output fields) is prepared once per knowledge
base, so an evaluation only runs the tests and copies the prepared parts.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from smanav_core.ages import age_words
from smanav_core.codes import DiagnosisStatus, Region, SmaType, TherapyId, TherapyStatus
from smanav_core.evaluation import Note, Reason, TherapyAssessment
from smanav_core.facts import DAYS_PER_MONTH, PatientFacts
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.base import Statement
from smanav_core.knowledge.schema.therapies import (
    Approval,
    EligibilityRule,
    IfUnknown,
    NoteKind,
    RegionalStatus,
    Therapy,
)
from smanav_core.rules.reasons import flagged
from smanav_core.rules.therapy_conditions import Test, block_test, postmenstrual_weeks, rule_test

_CONTRACT = frozenset(item.value for item in TherapyId)
SEVERITY = {status: rank for rank, status in enumerate(TherapyStatus)}
# The hot path works with ranks: the status of each rank.
_STATUS = tuple(TherapyStatus)
_APPROVAL_STATUS = {
    Approval.APPROVED: TherapyStatus.ELIGIBLE,
    Approval.UNCONFIRMED: TherapyStatus.NEEDS_INFORMATION,
    Approval.NOT_APPROVED: TherapyStatus.NOT_APPROVED_IN_REGION,
}
_NEEDS_INFORMATION = SEVERITY[TherapyStatus.NEEDS_INFORMATION]
_NOT_ELIGIBLE = SEVERITY[TherapyStatus.NOT_ELIGIBLE]
_CAUTIONS = SEVERITY[TherapyStatus.ELIGIBLE_WITH_CAUTIONS]
_RANK_OF = operator.itemgetter(0)
# Statuses from this rank on close an option: no eligibility window to report.
_CLOSED = _NOT_ELIGIBLE

# Record field -> (reason code suffix, words for a family).
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "weight_kg": ("weight_kg", "the current weight"),
    "genetics.smn2_copies": ("smn2_copies", "the number of SMN2 copies"),
    "sma_type": ("sma_type", "the SMA type (whether there are symptoms, and when they began)"),
    "clinical.ventilation": ("ventilation", "what breathing support is used"),
    "labs.anti_aav9_titer": ("anti_aav9_titer", "the anti-AAV9 antibody result"),
    "pregnant": ("pregnant", "whether there is a pregnancy"),
    "clinical.active_infection": ("active_infection", "whether there is an infection now"),
    "labs.liver": ("liver_tests", "the liver tests (ALT, AST, bilirubin)"),
    "gestational_age_weeks": ("gestational_age_weeks", "the gestational age at birth"),
    "sex": ("sex", "the sex recorded"),
}

NOTE_FIELDS = (
    ("pre_treatment_tests", NoteKind.PRE_TREATMENT_TEST),
    ("warnings", NoteKind.WARNING),
    ("contraindications", NoteKind.CONTRAINDICATION),
    ("regimen_options", NoteKind.REGIMEN_OPTION),
)


def _age_words(facts: PatientFacts) -> str:
    return age_words(facts.record.birth_date, facts.as_of)


def _weight_words(facts: PatientFacts) -> str:
    weight = facts.current_weight()
    return "unknown" if weight is None else f"{weight[0]:g}"


def _smn2_words(facts: PatientFacts) -> str:
    copies = facts.smn2_copies
    if copies is None:
        return "an unknown number of"
    return f"{copies} or more" if facts.smn2_is_minimum else str(copies)


def _sma_type_words(facts: PatientFacts) -> str:
    if facts.sma_type is None:
        return "an SMA type that is not known"
    if facts.sma_type is SmaType.PRESYMPTOMATIC:
        return "SMA without symptoms yet"
    return f"type {facts.sma_type.value}"


def _titre_words(facts: PatientFacts) -> str:
    labs = facts.record.labs
    titre = None if labs is None else labs.anti_aav9_titer
    if titre is None:
        return "not recorded"
    return "negative" if titre == 0 else f"1:{titre:g}"


def _gestational_age_words(facts: PatientFacts) -> str:
    born_at = facts.record.gestational_age_weeks
    return "unknown" if born_at is None else f"{born_at:g}"


def _postmenstrual_words(facts: PatientFacts) -> str:
    weeks = postmenstrual_weeks(facts)
    return "unknown" if weeks is None else f"{weeks:.0f}"


# The values statement texts may quote, each written for a reader.
DESCRIBE: dict[str, Callable[[PatientFacts], str]] = {
    "age": _age_words,
    "weight_kg": _weight_words,
    "smn2": _smn2_words,
    "sma_type": _sma_type_words,
    "titre": _titre_words,
    "gestational_age": _gestational_age_words,
    "postmenstrual_weeks": _postmenstrual_words,
}


class _Values(dict[str, str]):
    """The person's values for `str.format_map`, each written out when a text first quotes it (most
    evaluations quote one or two). A name that is not in `DESCRIBE` raises `KeyError`, as a plain dict
    would."""

    __slots__ = ("facts",)

    def __init__(self, facts: PatientFacts) -> None:
        super().__init__()
        self.facts = facts

    def __missing__(self, name: str) -> str:
        value = self[name] = DESCRIBE[name](self.facts)
        return value


@dataclass(frozen=True, slots=True)
class _Reason:
    """A reason from a statement, made once when the statement quotes no value of the person."""

    statement: Statement
    code: str
    fixed: Reason | None

    @classmethod
    def of(cls, statement: Statement, code: str) -> _Reason:
        quotes_values = "{" in statement.text or "}" in statement.text
        fixed = None if quotes_values else Reason(code, flagged(statement, statement.text), statement.sources)
        return cls(statement, code, fixed)

    def build(self, values: Mapping[str, str]) -> Reason:
        if self.fixed is not None:
            return self.fixed
        statement = self.statement
        return Reason(self.code, flagged(statement, statement.text.format_map(values)), statement.sources)


@dataclass(frozen=True, slots=True)
class _Rule:
    """An eligibility rule with its test, its rank and its reasons, prepared once."""

    id: str
    test: Test
    rank: int
    asks: bool
    fired: _Reason
    # Missing record field -> the reason that asks for it (only for rules that ask).
    missing: Mapping[str, Reason]

    @classmethod
    def of(cls, rule: EligibilityRule) -> _Rule:
        asks = rule.if_unknown is IfUnknown.NEEDS_INFORMATION
        missing = {
            name: Reason(
                f"missing_{code}",
                flagged(rule, f"{rule.unknown_text} Missing: {words} ({name})."),
                rule.sources,
            )
            for name, (code, words) in FIELD_NAMES.items()
            if asks
        }
        return cls(
            id=rule.id,
            test=rule_test(rule),
            rank=SEVERITY[rule.outcome],
            asks=asks,
            fired=_Reason.of(rule, rule.code),
            missing=missing,
        )


class _Findings:
    """Reasons for one therapy with their ranks, collected before the status is decided.

    The first finding is always the regional approval.
    """

    __slots__ = ("codes", "reasons", "rule_ids", "worst")

    def __init__(self, rank: int, approval: Reason, rule_id: str) -> None:
        self.reasons: list[tuple[int, Reason]] = [(rank, approval)]
        self.rule_ids: list[str] = [rule_id]
        self.codes: set[str] = {approval.code}
        self.worst = rank

    def add(self, rank: int, finding: Reason, rule_id: str) -> None:
        if finding.code in self.codes:
            return
        self.codes.add(finding.code)
        self.reasons.append((rank, finding))
        if rank > self.worst:
            self.worst = rank
        if rule_id not in self.rule_ids:
            self.rule_ids.append(rule_id)


# A note prepared for output, with the test of its `when` conditions (or None).
_Note = tuple[Note, Test | None]


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything about one therapy in one region that does not depend on the person."""

    therapy: str
    row_id: str
    approval: _Reason
    approval_rank: int
    approved: bool
    indication_confirmed: bool
    rules: tuple[_Rule, ...]
    # What the therapy is (the same for every person): name, route, description, layer, indication,
    # regimen.
    about: tuple[str, str, str, str, str | None, str | None]
    # The notes of each kind, in `NOTE_FIELDS` order (their texts take no values), as shown when no
    # test leaves one out.
    notes: tuple[tuple[Note, ...], ...]
    # The kinds (their place in `notes`) with a note that has a test, each with its notes and tests (a
    # note is left out for a person its conditions are known not to fit). Most plans have none.
    tested: tuple[tuple[int, tuple[_Note, ...]], ...]
    # A `not_eligible` age rule closes this option at `age_months` (after `from_birth`); its sources.
    window: tuple[float, dt.timedelta, tuple[str, ...]] | None
    # For a therapy not approved in the region, whose approval text quotes nothing of the person: the
    # whole assessment, the same for everyone.
    unapproved: TherapyAssessment | None


def _age_limit(rules: tuple[EligibilityRule, ...]) -> tuple[float, tuple[str, ...]] | None:
    """The earliest age at which a rule makes the therapy `not_eligible` unless the person is younger.

    Only rules whose every alternative carries an upper age bound count (a closing eligibility window).
    """
    found: tuple[float, tuple[str, ...]] | None = None
    for rule in rules:
        if rule.outcome is not TherapyStatus.NOT_ELIGIBLE or not rule.require_any:
            continue
        bounds = [alt.age_months_below or alt.age_months_at_most for alt in rule.require_any]
        if any(bound is None for bound in bounds):
            continue
        limit = max(bound for bound in bounds if bound is not None)
        if found is None or limit < found[0]:
            found = (limit, rule.sources)
    return found


def _plan(kb: Knowledge, therapy: Therapy, region: Region) -> _Plan:
    file = kb.therapies
    row: RegionalStatus = next(
        item for item in file.regional_status if item.therapy == therapy.therapy and region in item.regions
    )
    rules = tuple(rule for rule in file.rule if rule.therapy == therapy.therapy and region in rule.regions)
    notes = tuple(
        tuple(
            (
                Note(note.id.rsplit(".", 1)[-1], flagged(note, note.text), note.sources),
                None if note.when is None else block_test(note.when),
            )
            for note in file.note
            if note.therapy == therapy.therapy and region in note.regions and note.kind is kind
        )
        for _, kind in NOTE_FIELDS
    )
    tested = tuple(
        (place, kind) for place, kind in enumerate(notes) if any(test is not None for _, test in kind)
    )
    limit = _age_limit(rules)
    approved = row.approval is not Approval.NOT_APPROVED
    about = (therapy.name, therapy.route, therapy.text, row.layer.value, row.indication, row.regimen)
    approval = _Reason.of(row, row.code)
    rank = SEVERITY[_APPROVAL_STATUS[row.approval]]
    unapproved = None
    if not approved and approval.fixed is not None:
        unapproved = TherapyAssessment(therapy.therapy, _STATUS[rank], (approval.fixed,), *about, (row.id,))
    return _Plan(
        therapy=therapy.therapy,
        row_id=row.id,
        approval=approval,
        approval_rank=rank,
        approved=approved,
        indication_confirmed=row.indication_confirmed,
        rules=tuple(_Rule.of(rule) for rule in rules),
        about=about,
        notes=tuple(tuple(note for note, _ in kind) for kind in notes),
        tested=tested,
        window=None
        if limit is None
        else (limit[0], dt.timedelta(days=int(limit[0] * DAYS_PER_MONTH)), limit[1]),
        unapproved=unapproved,
    )


@dataclass(frozen=True, slots=True)
class _TherapyIndex:
    """The plans of every region in catalogue order, and the reasons about the diagnosis."""

    every_agent: Mapping[Region, tuple[_Plan, ...]]
    contract_only: Mapping[Region, tuple[_Plan, ...]]
    indication_unconfirmed: _Reason
    not_sma: _Reason
    needs_confirmation: _Reason


def _therapy_index(kb: Knowledge) -> _TherapyIndex:
    every_agent = {
        region: tuple(_plan(kb, therapy, region) for therapy in kb.therapies.therapy) for region in Region
    }
    return _TherapyIndex(
        every_agent=every_agent,
        contract_only={
            region: tuple(plan for plan in plans if plan.therapy in _CONTRACT)
            for region, plans in every_agent.items()
        },
        indication_unconfirmed=_Reason.of(
            kb.statement("therapy.indication_unconfirmed"), "indication_unconfirmed"
        ),
        not_sma=_Reason.of(kb.statement("therapy.diagnosis.not_sma"), "not_5q_sma"),
        needs_confirmation=_Reason.of(
            kb.statement("therapy.diagnosis.needs_confirmation"), "genetic_confirmation_needed"
        ),
    )


def _apply_rules(
    found: _Findings, rules: tuple[_Rule, ...], facts: PatientFacts, values: Mapping[str, str]
) -> None:
    for rule in rules:
        fired = rule.test(facts)
        if fired.value is True:
            found.add(rule.rank, rule.fired.build(values), rule.id)
        elif fired.value is None and rule.asks:
            for name in fired.missing:
                found.add(_NEEDS_INFORMATION, rule.missing[name], rule.id)


def _assess_one(
    plan: _Plan, index: _TherapyIndex, facts: PatientFacts, values: Mapping[str, str]
) -> TherapyAssessment:
    if not plan.approved:
        # Not approved in the region: nothing about the person is assessed, no notes are shown.
        if plan.unapproved is not None:
            return plan.unapproved
        approval = plan.approval.build(values)
        return TherapyAssessment(
            plan.therapy, _STATUS[plan.approval_rank], (approval,), *plan.about, (plan.row_id,)
        )
    found = _Findings(plan.approval_rank, plan.approval.build(values), plan.row_id)
    if not plan.indication_confirmed:
        reason = index.indication_unconfirmed
        found.add(_CAUTIONS, reason.build(values), reason.statement.id)
    diagnosis = facts.diagnosis
    if diagnosis is DiagnosisStatus.CARRIER or diagnosis is DiagnosisStatus.SMA_UNLIKELY:
        found.add(_NOT_ELIGIBLE, index.not_sma.build(values), index.not_sma.statement.id)
    elif diagnosis is not DiagnosisStatus.CONFIRMED_5Q_SMA:
        reason = index.needs_confirmation
        found.add(_NEEDS_INFORMATION, reason.build(values), reason.statement.id)
    else:
        _apply_rules(found, plan.rules, facts, values)
    reasons = found.reasons
    if len(reasons) > 1:
        # Most restrictive first; a reversed sort is still stable, so equal ranks keep their order.
        reasons.sort(key=_RANK_OF, reverse=True)
    closes_on = None
    window_sources: tuple[str, ...] = ()
    window = plan.window
    if window is not None and found.worst < _CLOSED and facts.age_months < window[0]:
        closes_on = facts.record.birth_date + window[1]
        window_sources = window[2]
    # Each note is shown unless it is known not to apply to this person (a missing fact keeps it).
    notes = plan.notes
    if plan.tested:
        shown = list(notes)
        for place, candidates in plan.tested:
            shown[place] = _applying(candidates, facts)
        notes = tuple(shown)
    tests, warnings, contraindications, regimens = notes
    return TherapyAssessment(
        plan.therapy,
        _STATUS[found.worst],
        tuple([reason for _, reason in reasons]),
        *plan.about,
        tuple(found.rule_ids),
        closes_on,
        window_sources,
        tests,
        warnings,
        contraindications,
        regimens,
    )


def _applying(notes: tuple[_Note, ...], facts: PatientFacts) -> tuple[Note, ...]:
    """The notes that may apply to the person: those whose test is not known to fail."""
    return tuple(note for note, test in notes if test is None or test(facts).value is not False)


def assess_therapies(
    facts: PatientFacts, kb: Knowledge, *, include_unapproved_agents: bool = False
) -> list[TherapyAssessment]:
    """One entry per contract therapy id, always, in contract order; with `include_unapproved_agents`
    the catalogue's other agents follow (agents outside the contract's four, approved in few regions or
    none). Each entry has `therapy`, `status`, `reasons` (most restrictive first) and extra fields
    (name, route, layer, regimen, notes, rules).

    The published evaluation schema lists the four contract ids first; other agents follow with their
    status in the region (e.g. apitegromab: assessed in the US, not approved elsewhere).
    """
    index = kb.prepared(_therapy_index)
    plans = (index.every_agent if include_unapproved_agents else index.contract_only)[facts.region]
    values = _Values(facts)
    return [_assess_one(plan, index, facts, values) for plan in plans]
