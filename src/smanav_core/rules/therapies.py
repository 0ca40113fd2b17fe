"""Therapy eligibility by region: a small interpreter over the rules in `therapies.toml`.

Every condition is three-valued: true, false, or unknown because a fact is missing. A rule that needs a
missing fact either asks for it (`needs_information`, naming the field) or is skipped, as its data says.
The status is the most restrictive finding, in the order of `TherapyStatus`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from smanav_core.codes import DiagnosisStatus, Region, SmaType, TherapyId, TherapyStatus
from smanav_core.facts import DAYS_PER_MONTH, PatientFacts
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.base import Statement
from smanav_core.knowledge.schema.therapies import (
    Approval,
    Conditions,
    EligibilityRule,
    IfUnknown,
    NoteKind,
    RegionalStatus,
    Therapy,
)
from smanav_core.rules.reasons import flagged, reason, statement_reason

_CONTRACT = frozenset(item.value for item in TherapyId)
SEVERITY = {status: rank for rank, status in enumerate(TherapyStatus)}
_BY_RANK = tuple(TherapyStatus)
# Enum attribute access is slow on Python 3.11; the hot path reads these plain values instead.
_STATUS_TEXT = tuple(status.value for status in TherapyStatus)
_APPROVAL_STATUS = {
    Approval.APPROVED: TherapyStatus.ELIGIBLE,
    Approval.UNCONFIRMED: TherapyStatus.NEEDS_INFORMATION,
    Approval.NOT_APPROVED: TherapyStatus.NOT_APPROVED_IN_REGION,
}
_NEEDS_INFORMATION = TherapyStatus.NEEDS_INFORMATION
_NOT_ELIGIBLE = TherapyStatus.NOT_ELIGIBLE
_CAUTIONS = TherapyStatus.ELIGIBLE_WITH_CAUTIONS
_ASK = IfUnknown.NEEDS_INFORMATION
# Statuses from this rank on close an option: no eligibility window to report.
_CLOSED = SEVERITY[TherapyStatus.NOT_ELIGIBLE]
LIVER_RATIOS = ("alt_uln_ratio", "ast_uln_ratio", "total_bilirubin_uln_ratio")

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
}


@dataclass(slots=True)
class Truth:
    """Three-valued result of a condition block; `missing` names the record fields that were absent."""

    value: bool | None
    missing: list[str] = field(default_factory=list)


def _all(parts: Iterable[Truth]) -> Truth:
    missing: list[str] = []
    unknown = False
    for part in parts:
        if part.value is False:
            return FALSE
        if part.value is None:
            unknown = True
            missing.extend(name for name in part.missing if name not in missing)
    return Truth(None, missing) if unknown else TRUE


def _any(parts: Iterable[Truth]) -> Truth:
    missing: list[str] = []
    unknown = False
    for part in parts:
        if part.value is True:
            return TRUE
        if part.value is None:
            unknown = True
            missing.extend(name for name in part.missing if name not in missing)
    return Truth(None, missing) if unknown else FALSE


def _unknown(name: str) -> Truth:
    return Truth(None, [name])


# Shared answers for decided conditions (never mutated: only unknown results carry a `missing` list).
TRUE = Truth(True)
FALSE = Truth(False)


def _smn2_range(facts: PatientFacts, low: int | None, high: int | None) -> Truth:
    """Whether the SMN2 copy number lies in [low, high]; "n or more" results can be undecidable."""
    copies = facts.smn2_copies
    if copies is None:
        return _unknown("genetics.smn2_copies")
    if facts.smn2_is_minimum:
        if high is not None and copies > high:
            return Truth(False)
        if high is None and (low is None or copies >= low):
            return Truth(True)
        return _unknown("genetics.smn2_copies")
    return Truth((low is None or copies >= low) and (high is None or copies <= high))


def _b(value: bool) -> Truth:
    return TRUE if value else FALSE


def _weight_check(bound_name: str) -> Callable[[Conditions, PatientFacts], Truth]:
    at_least = bound_name == "weight_kg_at_least"

    def check(conditions: Conditions, facts: PatientFacts) -> Truth:
        weight = facts.current_weight()
        if weight is None:
            return _unknown("weight_kg")
        bound = getattr(conditions, bound_name)
        return _b(weight[0] >= bound if at_least else weight[0] <= bound)

    return check


def _ventilation(conditions: Conditions, facts: PatientFacts) -> Truth:
    clinical = facts.record.clinical
    ventilation = None if clinical is None else clinical.ventilation
    if ventilation is None:
        return _unknown("clinical.ventilation")
    return _b(ventilation in (conditions.ventilation_in or ()))


def _anti_aav9(conditions: Conditions, facts: PatientFacts) -> Truth:
    labs = facts.record.labs
    titre = None if labs is None else labs.anti_aav9_titer
    if titre is None:
        return _unknown("labs.anti_aav9_titer")
    return _b(titre > (conditions.anti_aav9_above or 0))


def _pregnant(conditions: Conditions, facts: PatientFacts) -> Truth:
    pregnant = facts.record.pregnant
    return _unknown("pregnant") if pregnant is None else _b(pregnant is conditions.pregnant)


def _infection(conditions: Conditions, facts: PatientFacts) -> Truth:
    clinical = facts.record.clinical
    infection = None if clinical is None else clinical.active_infection
    if infection is None:
        return _unknown("clinical.active_infection")
    return _b(infection is conditions.active_infection)


def _sma_type(conditions: Conditions, facts: PatientFacts) -> Truth:
    if facts.sma_type is None:
        return _unknown("sma_type")
    return _b(facts.sma_type in (conditions.sma_type_in or ()))


# One check per condition field; a block evaluates only the fields it sets, in declaration order.
_CHECKS: dict[str, Callable[[Conditions, PatientFacts], Truth]] = {
    "age_months_below": lambda c, f: _b(f.age_months < (c.age_months_below or 0)),
    "age_months_at_most": lambda c, f: _b(f.age_months <= (c.age_months_at_most or 0)),
    "age_months_at_least": lambda c, f: _b(f.age_months >= (c.age_months_at_least or 0)),
    "age_months_above": lambda c, f: _b(f.age_months > (c.age_months_above or 0)),
    "weight_recorded": lambda c, f: _unknown("weight_kg") if f.current_weight() is None else TRUE,
    "weight_kg_at_least": _weight_check("weight_kg_at_least"),
    "weight_kg_at_most": _weight_check("weight_kg_at_most"),
    "smn2_at_least": lambda c, f: _smn2_range(f, c.smn2_at_least, c.smn2_at_most),
    "smn2_at_most": lambda c, f: _smn2_range(f, c.smn2_at_least, c.smn2_at_most),
    "sma_type_in": _sma_type,
    "ventilation_in": _ventilation,
    "had_therapy_in": lambda c, f: _b(any(f.has_had(item) for item in c.had_therapy_in or ())),
    "ongoing_therapy_in": lambda c, f: _b(any(item in f.ongoing for item in c.ongoing_therapy_in or ())),
    "anti_aav9_above": _anti_aav9,
    "pregnant": _pregnant,
    "active_infection": _infection,
    "liver_uln_above": lambda c, f: _liver_above(f, c.liver_uln_above or 0),
    "born_before_weeks_not_yet_term": lambda c, f: _not_yet_term(f, c.born_before_weeks_not_yet_term or 0),
}
# id(block) -> (block, its checks); keeping the block alive means its id is never reused by another.
_SET_FIELDS: dict[int, tuple[Conditions, tuple[Callable[[Conditions, PatientFacts], Truth], ...]]] = {}


def _compiled(conditions: Conditions) -> tuple[Callable[[Conditions, PatientFacts], Truth], ...]:
    """The checks of the fields a block sets (the SMN2 bounds share one check), computed once."""
    found = _SET_FIELDS.get(id(conditions))
    if found is not None and found[0] is conditions:
        return found[1]
    names = [name for name in type(conditions).model_fields if getattr(conditions, name) is not None]
    if "smn2_at_least" in names and "smn2_at_most" in names:
        names.remove("smn2_at_most")
    checks = tuple(_CHECKS[name] for name in names)
    _SET_FIELDS[id(conditions)] = (conditions, checks)
    return checks


def _check(conditions: Conditions, facts: PatientFacts) -> Truth:
    """Evaluate every condition that is set in the block (AND)."""
    checks = _compiled(conditions)
    if len(checks) == 1:
        return checks[0](conditions, facts)
    return _all([check(conditions, facts) for check in checks])


def _liver_above(facts: PatientFacts, limit: float) -> Truth:
    labs = facts.record.labs
    values = [None if labs is None else getattr(labs, name) for name in LIVER_RATIOS]
    if any(value is not None and value > limit for value in values):
        return Truth(True)
    if all(value is not None for value in values):
        return Truth(False)
    return _unknown("labs.liver")


def _postmenstrual_weeks(facts: PatientFacts) -> float | None:
    born_at = facts.record.gestational_age_weeks
    return None if born_at is None else born_at + facts.age_days / 7


def _not_yet_term(facts: PatientFacts, term_weeks: float) -> Truth:
    born_at = facts.record.gestational_age_weeks
    weeks = _postmenstrual_weeks(facts)
    if born_at is None or weeks is None:
        return _unknown("gestational_age_weeks")
    return Truth(born_at < term_weeks and weeks < term_weeks)


def _fires(rule: EligibilityRule, facts: PatientFacts) -> Truth:
    """True when the rule's finding applies, False when it does not, None when a needed fact is missing."""
    if rule.when is not None:
        return _check(rule.when, facts)
    satisfied = _any(_check(alternative, facts) for alternative in rule.require_any)
    if satisfied.value is None:
        return satisfied
    return Truth(not satisfied.value)


def _describe(facts: PatientFacts) -> dict[str, str]:
    """Values that statement texts may quote, already written for a reader."""
    age = facts.age_months
    weight = facts.current_weight()
    copies = facts.smn2_copies
    labs = facts.record.labs
    titre = None if labs is None else labs.anti_aav9_titer
    weeks = _postmenstrual_weeks(facts)
    born_at = facts.record.gestational_age_weeks
    if facts.sma_type is None:
        sma_type = "an SMA type that is not known"
    elif facts.sma_type is SmaType.PRESYMPTOMATIC:
        sma_type = "SMA without symptoms yet"
    else:
        sma_type = f"type {facts.sma_type.value}"
    return {
        "age": f"{age:.1f} months" if age < 36 else f"{facts.age_years:.1f} years",
        "weight_kg": "unknown" if weight is None else f"{weight[0]:g}",
        "smn2": "an unknown number of"
        if copies is None
        else (f"{copies} or more" if facts.smn2_is_minimum else str(copies)),
        "sma_type": sma_type,
        "titre": "not recorded" if titre is None else ("negative" if titre == 0 else f"1:{titre:g}"),
        "gestational_age": "unknown" if born_at is None else f"{born_at:g}",
        "postmenstrual_weeks": "unknown" if weeks is None else f"{weeks:.0f}",
    }


@dataclass(slots=True)
class Assessment:
    """Findings for one therapy, collected before the status is decided."""

    therapy: Therapy
    status_row: RegionalStatus
    findings: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    worst: int = 0

    def add(self, status: TherapyStatus, finding: dict[str, Any], rule_id: str) -> None:
        if finding["code"] in self.codes:
            return
        self.codes.add(finding["code"])
        rank = SEVERITY[status]
        self.findings.append((rank, finding))
        if rank > self.worst:
            self.worst = rank
        if rule_id not in self.rule_ids:
            self.rule_ids.append(rule_id)

    @property
    def status(self) -> TherapyStatus:
        return _BY_RANK[self.worst]


def _statement_reason(statement: Statement, code: str, values: dict[str, str]) -> dict[str, Any]:
    return statement_reason(statement, code=code, values=values)


def _missing_reason(rule: EligibilityRule, field_name: str) -> dict[str, Any]:
    code, words = FIELD_NAMES[field_name]
    text = flagged(rule, f"{rule.unknown_text} Missing: {words} ({field_name}).")
    return {"code": f"missing_{code}", "text": text, "sources": list(rule.sources)}


def _apply_rule(
    result: Assessment, rule: EligibilityRule, facts: PatientFacts, values: dict[str, str]
) -> None:
    fired = _fires(rule, facts)
    if fired.value is True:
        result.add(rule.outcome, _statement_reason(rule, rule.code, values), rule.id)
    elif fired.value is None and rule.if_unknown is _ASK:
        for name in fired.missing:
            result.add(_NEEDS_INFORMATION, _missing_reason(rule, name), rule.id)


NOTE_FIELDS = (
    ("pre_treatment_tests", NoteKind.PRE_TREATMENT_TEST),
    ("warnings", NoteKind.WARNING),
    ("contraindications", NoteKind.CONTRAINDICATION),
    ("regimen_options", NoteKind.REGIMEN_OPTION),
)


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything about one therapy in one region, gathered once per knowledge version."""

    row: RegionalStatus
    rules: tuple[EligibilityRule, ...]
    # Output field -> the notes' reasons, ready to copy (their texts take no values).
    notes: tuple[tuple[str, tuple[dict[str, Any], ...]], ...]
    layer: str
    approval_status: TherapyStatus
    approved: bool
    # The approval reason when its text quotes no value of the person (else None: format per call).
    approval_reason: dict[str, Any] | None
    # Age in months from which a `not_eligible` age rule closes this option, and that rule's sources.
    age_limit: tuple[float, tuple[str, ...]] | None


_PLANS: dict[str, dict[tuple[str, Region], _Plan]] = {}


def _age_limit(rules: tuple[EligibilityRule, ...]) -> tuple[float, tuple[str, ...]] | None:
    """The earliest age at which a rule makes the therapy `not_eligible` unless the person is younger.

    Only rules whose every alternative carries an upper age bound count (a closing eligibility window).
    """
    found: tuple[float, tuple[str, ...]] | None = None
    for rule in rules:
        if rule.outcome is not _NOT_ELIGIBLE or not rule.require_any:
            continue
        bounds = [alt.age_months_below or alt.age_months_at_most for alt in rule.require_any]
        if any(bound is None for bound in bounds):
            continue
        limit = max(bound for bound in bounds if bound is not None)
        if found is None or limit < found[0]:
            found = (limit, rule.sources)
    return found


def _plans(kb: Knowledge) -> dict[tuple[str, Region], _Plan]:
    """Index the therapy file by (therapy, region) so an evaluation never scans whole tables."""
    cached = _PLANS.get(kb.version)
    if cached is not None:
        return cached
    file = kb.therapies
    plans: dict[tuple[str, Region], _Plan] = {}
    for therapy in file.therapy:
        for region in Region:
            row = next(
                item
                for item in file.regional_status
                if item.therapy == therapy.therapy and region in item.regions
            )
            rules = tuple(
                rule for rule in file.rule if rule.therapy == therapy.therapy and region in rule.regions
            )
            notes = tuple(
                (
                    name,
                    tuple(
                        reason(kb, note.id, code=note.id.rsplit(".", 1)[-1])
                        for note in file.note
                        if note.therapy == therapy.therapy and region in note.regions and note.kind is kind
                    ),
                )
                for name, kind in NOTE_FIELDS
            )
            plans[(therapy.therapy, region)] = _Plan(
                row=row,
                rules=rules,
                notes=notes,
                layer=row.layer.value,
                approval_status=_APPROVAL_STATUS[row.approval],
                approved=row.approval is not Approval.NOT_APPROVED,
                approval_reason=None if "{" in row.text else _statement_reason(row, row.code, {}),
                age_limit=_age_limit(rules),
            )
    _PLANS[kb.version] = plans
    return plans


def _assess_one(
    therapy: Therapy, plan: _Plan, facts: PatientFacts, kb: Knowledge, values: dict[str, str]
) -> dict[str, Any]:
    row = plan.row
    result = Assessment(therapy, row)
    static = plan.approval_reason
    approval = (
        _statement_reason(row, row.code, values)
        if static is None
        else {"code": static["code"], "text": static["text"], "sources": list(static["sources"])}
    )
    result.add(plan.approval_status, approval, row.id)
    if plan.approved:
        if not row.indication_confirmed:
            statement = kb.statement("therapy.indication_unconfirmed")
            result.add(
                _CAUTIONS, _statement_reason(statement, "indication_unconfirmed", values), statement.id
            )
        diagnosis = facts.diagnosis
        if diagnosis is DiagnosisStatus.CARRIER or diagnosis is DiagnosisStatus.SMA_UNLIKELY:
            statement = kb.statement("therapy.diagnosis.not_sma")
            result.add(_NOT_ELIGIBLE, _statement_reason(statement, "not_5q_sma", values), statement.id)
        elif diagnosis is not DiagnosisStatus.CONFIRMED_5Q_SMA:
            statement = kb.statement("therapy.diagnosis.needs_confirmation")
            result.add(
                _NEEDS_INFORMATION,
                _statement_reason(statement, "genetic_confirmation_needed", values),
                statement.id,
            )
        else:
            for rule in plan.rules:
                _apply_rule(result, rule, facts, values)
    findings = result.findings
    if len(findings) > 1:
        findings.sort(key=_by_severity_descending)
    entry: dict[str, Any] = {
        "therapy": therapy.therapy,
        "status": _STATUS_TEXT[result.worst],
        "reasons": [finding for _, finding in findings],
        "name": therapy.name,
        "route": therapy.route,
        "description": therapy.text,
        "layer": plan.layer,
        "indication": row.indication,
        "regimen": row.regimen,
        "rules": result.rule_ids,
    }
    if plan.age_limit is not None and result.worst < _CLOSED and facts.age_months < plan.age_limit[0]:
        closes_on = facts.record.birth_date + dt.timedelta(days=int(plan.age_limit[0] * DAYS_PER_MONTH))
        entry["window_closes_on"] = closes_on.isoformat()
        entry["window_sources"] = list(plan.age_limit[1])
    if plan.approved:
        for name, notes in plan.notes:
            entry[name] = [
                {"code": n["code"], "text": n["text"], "sources": list(n["sources"])} for n in notes
            ]
    return entry


def _by_severity_descending(item: tuple[int, dict[str, Any]]) -> int:
    return -item[0]


def assess_therapies(
    facts: PatientFacts, kb: Knowledge, *, include_unapproved_agents: bool = False
) -> list[dict[str, Any]]:
    """One entry per contract therapy id, always, in contract order; with `include_unapproved_agents`
    the catalogue's other agents (not approved anywhere) follow. Each entry has `therapy`, `status`,
    `reasons` (most restrictive first) and extra fields (name, route, layer, regimen, notes, rules).

    The published evaluation schema lists the four contract ids first and admits other agents after them
    only with the status `not_approved_in_region`.
    """
    plans = _plans(kb)
    values = _describe(facts)
    return [
        _assess_one(therapy, plans[(therapy.therapy, facts.region)], facts, kb, values)
        for therapy in kb.therapies.therapy
        if include_unapproved_agents or therapy.therapy in _CONTRACT
    ]
