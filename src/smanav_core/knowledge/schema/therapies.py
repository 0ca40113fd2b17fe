"""Therapy catalogue, regional approval rows, eligibility rules and monitoring schedules.

Rules are data read by the small interpreter in `smanav_core.rules.therapies`: a rule is either a
`when` block (fires when every condition in it holds) or a `require_any` list of alternatives (fires
when no alternative holds). Conditions are a closed set of typed fields; nothing is ever evaluated from
a string. Each rule states the `layer` it belongs to (label, HTA/payer, trial), so the three stay
distinguishable in the output.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from smanav_core.codes import (
    MonitoringTest,
    Regimen,
    Region,
    Sex,
    SmaType,
    TherapyId,
    TherapyStatus,
    TreatmentTherapy,
    Ventilation,
)
from smanav_core.knowledge.schema.base import Frozen, KnowledgeFile, Statement

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
AGENT_PATTERN = r"^[a-z][a-z0-9_]*$"


class Layer(StrEnum):
    """Which kind of rule this is: what is licensed, what is funded, or what a trial studied."""

    LABEL = "label"
    HTA = "hta"
    TRIAL = "trial"


class Approval(StrEnum):
    APPROVED = "approved"
    NOT_APPROVED = "not_approved"
    UNCONFIRMED = "unconfirmed"


class IfUnknown(StrEnum):
    """What a rule does when a fact it needs is missing."""

    NEEDS_INFORMATION = "needs_information"
    IGNORE = "ignore"


class NoteKind(StrEnum):
    PRE_TREATMENT_TEST = "pre_treatment_test"
    WARNING = "warning"
    CONTRAINDICATION = "contraindication"
    REGIMEN_OPTION = "regimen_option"


class MonitoringKind(StrEnum):
    DOSE = "dose"
    TEST = "test"
    ADVICE = "advice"


class Therapy(Statement):
    """One agent of the catalogue; `text` says in plain words what it is."""

    therapy: str = Field(pattern=AGENT_PATTERN)
    name: str
    route: str

    @property
    def product(self) -> str | None:
        """The product (brand) name, which the catalogue's `name` gives first: "Spinraza" in "Spinraza
        (nusinersen)". None for an agent without one yet ("Salanersen")."""
        head, bracket, _ = self.name.partition(" (")
        return head if bracket else None


def product_names(therapies: tuple[Therapy, ...]) -> dict[str, str]:
    """Therapy id -> product name, for the agents of the catalogue that have one: the one place every
    page and report takes a product name from."""
    return {item.therapy: item.product for item in therapies if item.product is not None}


class RegionalStatus(Statement):
    """Approval (or, for the UK, NICE recommendation) of one therapy in one or more regions.

    `text` is the reason shown for the approval; `indication` and `regimen` are shown only where the
    wording was read (`regimen` stays empty where the dose is not confirmed for the region).
    """

    therapy: str = Field(pattern=AGENT_PATTERN)
    regions: tuple[Region, ...] = Field(min_length=1)
    layer: Layer
    approval: Approval
    code: str = Field(pattern=CODE_PATTERN)
    indication: str | None = None
    indication_confirmed: bool = True
    regimen: str | None = None


class Conditions(Frozen):
    """Facts about the person; every field that is set must hold (AND). Bounds are as named."""

    age_months_below: float | None = Field(default=None, gt=0)
    age_months_at_most: float | None = Field(default=None, ge=0)
    age_months_at_least: float | None = Field(default=None, ge=0)
    age_months_above: float | None = Field(default=None, ge=0)
    weight_recorded: Literal[True] | None = Field(default=None, description="a weight is on record")
    weight_kg_at_least: float | None = Field(default=None, gt=0)
    weight_kg_at_most: float | None = Field(default=None, gt=0)
    smn2_at_least: int | None = Field(default=None, ge=0, le=8)
    smn2_at_most: int | None = Field(default=None, ge=0, le=8)
    sma_type_in: tuple[SmaType, ...] | None = None
    ventilation_in: tuple[Ventilation, ...] | None = None
    had_therapy_in: tuple[TreatmentTherapy, ...] | None = None
    ongoing_therapy_in: tuple[TreatmentTherapy, ...] | None = None
    ongoing_therapy_none_of: tuple[TreatmentTherapy, ...] | None = Field(
        default=None, description="none of these treatments is recorded as ongoing"
    )
    sex_in: tuple[Sex, ...] | None = Field(
        default=None, description="the recorded sex is one of these (unknown when not recorded)"
    )
    anti_aav9_above: float | None = Field(default=None, ge=0)
    pregnant: bool | None = None
    active_infection: bool | None = None
    liver_uln_above: float | None = Field(default=None, gt=0, description="ALT, AST or total bilirubin / ULN")
    born_before_weeks_not_yet_term: float | None = Field(
        default=None, gt=22, le=44, description="born before this gestational week and not yet reached it"
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Conditions:
        if not self.model_fields_set:
            raise ValueError("a condition block needs at least one condition")
        return self


class EligibilityRule(Statement):
    """A regional rule for one therapy. `text` is the reason when it fires (may use {age}, {weight_kg},
    {smn2}, {sma_type}, {titre}); `unknown_text` is said when a needed fact is missing."""

    therapy: str = Field(pattern=AGENT_PATTERN)
    regions: tuple[Region, ...] = Field(min_length=1)
    layer: Layer
    code: str = Field(pattern=CODE_PATTERN)
    outcome: TherapyStatus
    when: Conditions | None = None
    require_any: tuple[Conditions, ...] = ()
    if_unknown: IfUnknown = IfUnknown.IGNORE
    unknown_text: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> EligibilityRule:
        if (self.when is None) == (not self.require_any):
            raise ValueError("a rule has exactly one of `when` or `require_any`")
        if self.outcome in (TherapyStatus.ELIGIBLE, TherapyStatus.NOT_APPROVED_IN_REGION):
            raise ValueError("a rule's outcome is not_eligible, needs_information or eligible_with_cautions")
        if self.if_unknown is IfUnknown.NEEDS_INFORMATION and not self.unknown_text:
            raise ValueError("a rule that asks for missing information needs an `unknown_text`")
        return self


class TherapyNote(Statement):
    """Pre-treatment test, warning or contraindication shown with a therapy (does not change status).

    `when` limits the note to the people it applies to (the same typed conditions as a rule's `when`):
    the note is left out only when the conditions are known not to hold; when a fact they need is missing,
    the note is shown, because leaving out a warning that may apply is the worse mistake.
    """

    therapy: str = Field(pattern=AGENT_PATTERN)
    regions: tuple[Region, ...] = Field(min_length=1)
    kind: NoteKind
    when: Conditions | None = None


class RegimenEntry(Statement):
    """A labelled regimen of a therapy that has several: its name and what it is (`text`)."""

    regimen: Regimen
    name: str = Field(min_length=2)


class MonitoringSchedule(Statement):
    """A dose or safety-test schedule of a treatment course.

    Doses (`kind = "dose"`): `offsets_days` are the days of the loading doses counted from the first
    (so the first is 0), and `repeat_every_months` the maintenance interval after the last of them. When
    the course's doses are recorded, the next dose is counted from the last one given (the gap to the next
    loading dose, or the maintenance interval); otherwise from the course's start date.
    Tests (`kind = "test"`): `tests` are what counts as done. `before_each_dose` tests fall due with each
    dose of the same course and are done once recorded after the last dose. Other test schedules follow
    `offsets_days` counted from the start (a one-time gene therapy), `window_days` limits the follow-up,
    and the next test is due the gap of the schedule after the latest recorded one (or `max_gap_days`
    after it where the exact dates depend on things the record does not hold).
    Which courses a schedule is for: `regimens` (empty: any, also unrecorded), `switching` (True: only a
    course that follows an earlier course of the same therapy on another regimen; False: only a first
    course; unset: either), `sma_types` (empty: any type, including unknown).
    """

    therapy: TreatmentTherapy
    regions: tuple[Region, ...] = Field(min_length=1)
    sma_types: tuple[SmaType, ...] = Field(default=(), description="empty = any type, including unknown")
    regimens: tuple[Regimen, ...] = ()
    switching: bool | None = None
    kind: MonitoringKind
    offsets_days: tuple[int, ...] = ()
    repeat_every_months: int | None = Field(default=None, ge=1, le=24)
    window_days: int | None = Field(default=None, ge=1)
    max_gap_days: int | None = Field(default=None, ge=1)
    tests: tuple[MonitoringTest, ...] = ()
    before_each_dose: bool = False
    interval_months: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> MonitoringSchedule:
        if list(self.offsets_days) != sorted(set(self.offsets_days)):
            raise ValueError("offsets_days must be increasing")
        if any(offset < 0 for offset in self.offsets_days):
            raise ValueError("offsets_days must not be negative")
        if self.kind is MonitoringKind.DOSE and (self.offsets_days[:1] != (0,) or self.tests):
            raise ValueError("a dose schedule starts with the first dose (offset 0) and names no tests")
        if self.kind is MonitoringKind.TEST and not self.tests:
            raise ValueError("a test schedule names the tests that count as done")
        if self.before_each_dose and (self.kind is not MonitoringKind.TEST or self.offsets_days):
            raise ValueError("before_each_dose is for a test schedule that takes its dates from the doses")
        if any(regimen.therapy is not self.therapy for regimen in self.regimens):
            raise ValueError("a schedule's regimens must be regimens of its therapy")
        return self


class TherapiesFile(KnowledgeFile):
    therapy: tuple[Therapy, ...] = ()
    regional_status: tuple[RegionalStatus, ...] = ()
    rule: tuple[EligibilityRule, ...] = ()
    note: tuple[TherapyNote, ...] = ()
    regimen: tuple[RegimenEntry, ...] = ()
    monitoring: tuple[MonitoringSchedule, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> TherapiesFile:
        known = {item.therapy for item in self.therapy}
        problems: list[str] = []
        # The contract's therapies come first, in contract order; other agents follow.
        leading = tuple(item.therapy for item in self.therapy[: len(TherapyId)])
        if self.therapy and leading != tuple(item.value for item in TherapyId):
            problems.append("the catalogue must start with the contract's therapy ids, in contract order")
        seen: set[tuple[str, Region]] = set()
        for row in self.regional_status:
            for region in row.regions:
                if (row.therapy, region) in seen:
                    problems.append(f"{row.id}: {row.therapy} already has a status in {region.value}")
                seen.add((row.therapy, region))
        if self.therapy:
            for therapy in known:
                for region in Region:
                    if (therapy, region) not in seen:
                        problems.append(f"{therapy} has no regional_status for {region.value}")
        linked = [(item.id, item.therapy) for item in self.regional_status]
        linked += [(item.id, item.therapy) for item in self.rule]
        linked += [(item.id, item.therapy) for item in self.note]
        for entry_id, therapy_name in linked:
            if therapy_name not in known:
                problems.append(f"{entry_id}: unknown therapy {therapy_name}")
        described = {entry.regimen for entry in self.regimen}
        for regimen in Regimen:
            if self.therapy and regimen not in described:
                problems.append(f"regimen {regimen.value} has no [[regimen]] entry")
        if problems:
            raise ValueError("; ".join(problems))
        return self
