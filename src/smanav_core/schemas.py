"""The output documents of the contract as pydantic models, and the four published JSON Schemas.

The input models (`PatientRecord`, `TriageAnswers`) live in `record.py`; the output models here pin
every field and enumeration the contract names and allow the extra fields the rules add (the contract
permits extra output fields, never fewer). `json_schemas()` is what `smanav schemas` writes to
`schemas/<name>.json` and what the API serves; a test fails when the committed files drift.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smanav_core.codes import (
    AlertCode,
    CareDomain,
    DeclineReference,
    DiagnosisStatus,
    FunctionalGroup,
    Instrument,
    Region,
    Severity,
    SmaType,
    TherapyId,
    TherapyStatus,
    TriagePattern,
    TriageRecommendation,
    TriageUrgency,
    UrgencyLevel,
)
from smanav_core.knowledge.loader import load_knowledge
from smanav_core.record import PatientRecord, TriageAnswers
from smanav_core.validation import instrument_ranges

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Output(BaseModel):
    # Extra fields are allowed (the rules may explain more), contract fields are pinned.
    model_config = ConfigDict(extra="allow", frozen=True)


SourceIds = list[str]


class Reason(_Output):
    """Why a status or level was given: a stable code, a plain-English sentence and its sources."""

    code: str = Field(min_length=1)
    text: str = Field(min_length=1)
    sources: SourceIds = Field(description="Ids of entries in the knowledge base's bibliography.")


class DiagnosisOut(_Output):
    status: DiagnosisStatus
    summary: str
    next_steps: list[str]
    predicted_type_distribution: dict[str, float] | None = Field(
        description="Share of each SMA type (keys '0'-'4') seen with this SMN2 copy number, or null."
    )
    sources: SourceIds


class ClassificationOut(_Output):
    sma_type: SmaType | None = Field(description="null: not confirmed, or not enough information.")
    functional_group: FunctionalGroup | None


class UrgencyOut(_Output):
    level: UrgencyLevel = Field(description="urgent: act within days; prompt: weeks; routine.")
    reasons: list[Reason]


class TherapyOut(_Output):
    therapy: str = Field(
        min_length=1, description="A therapy id (the first four entries) or another agent's id."
    )
    status: TherapyStatus
    reasons: list[Reason] = Field(description="At least one unless the status is eligible.")

    @model_validator(mode="after")
    def _explained(self) -> TherapyOut:
        if self.status is not TherapyStatus.ELIGIBLE and not self.reasons:
            raise ValueError(f"status {self.status.value} needs at least one reason")
        return self


class CarePlanItem(_Output):
    id: str = Field(min_length=1)
    domain: CareDomain
    title: str = Field(min_length=1)
    detail: str
    interval_months: float | None = Field(
        default=None,
        gt=0,
        description="Longest gap the source allows between two occurrences; absent if one-off.",
    )
    sources: SourceIds


class MeasuredOut(_Output):
    """One recorded value of the alert's instrument."""

    value: float
    date: dt.date


class ComparedOut(MeasuredOut):
    reference: DeclineReference = Field(description="why this earlier value was the one compared with")


class AlertOut(_Output):
    code: AlertCode
    severity: Severity
    instrument: Instrument | None = None
    text: str = Field(min_length=1)
    sources: SourceIds
    # A fall (motor_decline, measure_trend): what was compared with what.
    latest: MeasuredOut | None = None
    compared_with: ComparedOut | None = None
    fall: float | None = Field(default=None, description="compared_with.value minus latest.value")
    window_months: int | None = Field(default=None, description="the look-back window of the threshold")


class Evaluation(_Output):
    """The document `smanav evaluate` prints and `POST /api/v1/evaluate` answers."""

    schema_: Literal["smanav.evaluation/1"] = Field(alias="schema")
    id: str | None
    as_of: dt.date
    region: Region
    knowledge_version: str = Field(min_length=1)
    knowledge_reviewed_on: dt.date | None = Field(
        default=None, description="When the knowledge base was last reviewed (its newest review date)."
    )
    age_months: float = Field(ge=0)
    age_days: int | None = Field(
        default=None, ge=0, description="Extra field: the exact age in days on as_of (for ages in words)."
    )
    diagnosis: DiagnosisOut
    classification: ClassificationOut
    urgency: UrgencyOut
    therapies: list[TherapyOut] = Field(
        min_length=len(TherapyId),
        description="One per therapy id, in contract order; then other agents with their status, if listed.",
    )
    care_plan: list[CarePlanItem]
    alerts: list[AlertOut]
    disclaimer: str = Field(min_length=1)

    @model_validator(mode="after")
    def _therapy_order(self) -> Evaluation:
        contract = [therapy.value for therapy in TherapyId]
        if [item.therapy for item in self.therapies[: len(contract)]] != contract:
            raise ValueError("therapies must start with " + ", ".join(contract) + " in that order")
        for item in self.therapies[len(contract) :]:
            if item.therapy in contract:
                raise ValueError(
                    f"therapy {item.therapy}: after the four therapy ids, only other agents may be listed"
                )
        return self


class EmergencyNumberOut(_Output):
    region: Region
    number: str = Field(pattern=r"^[0-9]{3}$", description="The number to dial, e.g. 999.")
    text: str = Field(min_length=1)
    sources: SourceIds


class TriageResult(_Output):
    """The document `smanav triage` prints and `POST /api/v1/triage` answers."""

    schema_: Literal["smanav.triage/1"] = Field(alias="schema")
    as_of: dt.date | None = None
    region: Region | None = Field(default=None, description="Extra field: the answers' region, echoed.")
    emergency_numbers: list[EmergencyNumberOut] | None = Field(
        default=None,
        description=(
            "Extra field, present when the recommendation is seek_emergency_care: the number of the "
            "answers' region, or every region's number when the answers give none."
        ),
    )
    pattern: TriagePattern
    recommendation: TriageRecommendation
    urgency: TriageUrgency
    reasons: list[Reason]
    next_steps: list[str]
    disclaimer: str = Field(min_length=1)


# --- JSON Schemas ------------------------------------------------------------------------------------

_NOT_ELIGIBLE_NEEDS_REASON = {
    "if": {"properties": {"status": {"not": {"const": TherapyStatus.ELIGIBLE.value}}}},
    "then": {"properties": {"reasons": {"minItems": 1}}},
}


def _instrument_ranges() -> list[dict[str, Any]]:
    rules = []
    for instrument, (low, high, low_exclusive) in instrument_ranges(load_knowledge()).items():
        bounds: dict[str, Any] = {"maximum": high}
        bounds["exclusiveMinimum" if low_exclusive else "minimum"] = low
        rules.append(
            {
                "if": {"properties": {"instrument": {"const": instrument.value}}, "required": ["instrument"]},
                "then": {"properties": {"value": bounds}},
            }
        )
    return rules


def _finish(schema: dict[str, Any], *, name: str, title: str) -> dict[str, Any]:
    schema = {"$schema": JSON_SCHEMA_DIALECT, "$id": f"smanav.{name}", **schema}
    schema["title"] = title
    return schema


def json_schemas() -> dict[str, dict[str, Any]]:
    """The four documents of the contract by name: patient-record, evaluation, triage-answers, triage-result.

    Cross-field rules that JSON Schema can express (each instrument's value range, a reason for every
    non-eligible therapy, the therapy order) are added to what pydantic generates; rules that need the
    evaluation date (no date after `as_of`) are only checked by the engine.
    """
    record = copy.deepcopy(PatientRecord.model_json_schema(mode="validation"))
    record["$defs"]["Assessment"]["allOf"] = _instrument_ranges()

    evaluation = copy.deepcopy(Evaluation.model_json_schema(mode="serialization", by_alias=True))
    evaluation["$defs"]["TherapyOut"]["allOf"] = [_NOT_ELIGIBLE_NEEDS_REASON]
    contract_ids = [therapy.value for therapy in TherapyId]
    evaluation["$defs"]["TherapyId"] = {"enum": contract_ids, "title": "TherapyId", "type": "string"}
    therapies = evaluation["properties"]["therapies"]
    therapies["prefixItems"] = [
        {"$ref": "#/$defs/TherapyOut", "properties": {"therapy": {"const": therapy}}}
        for therapy in contract_ids
    ]
    # After the four contract ids: other agents (e.g. apitegromab) with their status, if listed.
    therapies["items"] = {
        "$ref": "#/$defs/TherapyOut",
        "properties": {"therapy": {"not": {"$ref": "#/$defs/TherapyId"}}},
    }

    answers = copy.deepcopy(TriageAnswers.model_json_schema(mode="validation"))
    result = copy.deepcopy(TriageResult.model_json_schema(mode="serialization", by_alias=True))
    return {
        "patient-record": _finish(
            record, name="patient-record/1", title="smanav patient record (input), version 1"
        ),
        "evaluation": _finish(evaluation, name="evaluation/1", title="smanav evaluation (output), version 1"),
        "triage-answers": _finish(
            answers, name="triage-answers/1", title="smanav triage answers (input), version 1"
        ),
        "triage-result": _finish(result, name="triage/1", title="smanav triage result (output), version 1"),
    }


def schema_text(schema: dict[str, Any]) -> str:
    """The committed form of a schema: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
