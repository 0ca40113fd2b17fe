"""FHIR R4 resources of one record, as plain JSON-ready dictionaries, shared by the record's own Bundle
(`careplans.fhir`) and the registry's bulk NDJSON export (`registry.fhir_export`).

Each builder takes the rows (or the core's answer) and a `subject` reference and answers one resource
without an `id`: the caller names it, as a `urn:uuid:` in a Bundle or a `Type/id` in NDJSON. The codes
come from `fhir.codes` (each one looked up, see docs/exports.md); where no standard code was found the
concept is written as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from smanav import vocabulary as labels
from smanav.fhir import codes
from smanav.patients.models import Assessment, Dose, Patient, Treatment
from smanav.patients.plan import PlanDomain
from smanav_core import Evaluation
from smanav_core.codes import DiagnosisStatus, Instrument
from smanav_core.codes import TreatmentTherapy as Therapy


def concept(text: str, *codings: codes.Coding | None) -> dict[str, Any]:
    found: dict[str, Any] = {"text": text}
    codings_found = [c.as_fhir() for c in codings if c is not None]
    if codings_found:
        found["coding"] = codings_found
    return found


def category(system: str, code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": system, "code": code}]}]


def number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def patient(row: Patient, *, identifiers: Sequence[dict[str, str]]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": list(identifiers),
        # The record keeps a name or nickname as the family typed it, not a legal name in parts.
        "name": [{"use": "usual", "text": row.display_name}],
        "birthDate": row.birth_date.isoformat(),
    }
    if row.sex:
        # The contract's sexes are FHIR's administrative genders, word for word.
        resource["gender"] = row.sex
    return resource


# --- the care plan and the condition (both need the core's evaluation) ------------------------------


def _activities(plan: Sequence[PlanDomain]) -> list[dict[str, Any]]:
    activities = []
    for group in plan:
        for entry in group.items:
            item = entry.item
            detail: dict[str, Any] = {
                "kind": "ServiceRequest",
                "code": {
                    "coding": [
                        {
                            "system": codes.CARE_PLAN_ITEM_SYSTEM,
                            "code": item.id,
                            "display": item.title,
                        }
                    ],
                    "text": item.title,
                },
                "status": "scheduled" if entry.due_on else "not-started",
                "description": item.detail or item.title,
                "reasonCode": [
                    {
                        "coding": [{"system": codes.CARE_DOMAIN_SYSTEM, "code": group.domain}],
                        "text": labels.label(labels.DOMAIN_LABELS, group.domain),
                    }
                ],
            }
            if entry.due_on:
                detail["scheduledString"] = f"due {entry.due_on.isoformat()}"
            elif item.interval_months:
                detail["scheduledString"] = f"at least every {item.interval_months:g} months"
            activities.append({"detail": detail})
    return activities


def careplan(
    *,
    display_name: str,
    as_of: dt.date,
    result: Evaluation,
    plan: Sequence[PlanDomain],
    subject: dict[str, Any],
) -> dict[str, Any]:
    return {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "title": f"SMA care plan for {display_name}",
        "description": "Individual SMA care plan from the standards of care, by smanav.",
        "subject": subject,
        "created": as_of.isoformat(),
        "activity": _activities(plan),
        "note": [
            {"text": f"Knowledge base version {result.knowledge_version}."},
            {"text": result.disclaimer},
        ],
    }


def condition(
    *,
    as_of: dt.date,
    result: Evaluation,
    onset_months: float | None,
    subject: dict[str, Any],
    evidence: list[str],
) -> dict[str, Any] | None:
    """5q SMA, when the core confirms it from the genetic result; its type as the core classifies it."""
    if result.diagnosis.status is not DiagnosisStatus.CONFIRMED_5Q_SMA:
        return None
    classification = result.classification
    sma_type = classification.sma_type
    type_words = labels.label(labels.SMA_TYPE_LABELS, sma_type) if sma_type else "type not known"
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": codes.CONDITION_CLINICAL, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": codes.CONDITION_VERIFICATION, "code": "confirmed"}]},
        "category": category(codes.CONDITION_CATEGORY, "problem-list-item"),
        "code": concept(
            f"5q spinal muscular atrophy, {type_words.lower()}",
            codes.SMA_TYPE_SNOMED.get(sma_type, codes.SMA_SNOMED),
            codes.SMA_TYPE_ICD10.get(sma_type),
        ),
        "subject": subject,
        "recordedDate": as_of.isoformat(),
        "note": [
            {
                "text": "Confirmed from the genetic result, and typed, by smanav (knowledge base version "
                f"{result.knowledge_version}) on {as_of.isoformat()}."
            }
        ],
    }
    group = classification.functional_group
    if group is not None:
        words = labels.label(labels.FUNCTIONAL_GROUP_LABELS, group)
        resource["stage"] = [{"summary": {"text": f"What the person can do now: {words.lower()}"}}]
    if onset_months is not None:
        resource["onsetAge"] = {
            "value": number(onset_months),
            "unit": "months",
            "system": codes.UCUM,
            "code": "mo",
        }
    if evidence:
        resource["evidence"] = [{"detail": [{"reference": url} for url in evidence]}]
    return resource


# --- observations -----------------------------------------------------------------------------------


def copy_number(
    gene: str, copies: int, genetics: dict[str, Any], subject: dict[str, Any], *, method_code: bool = False
) -> dict[str, Any]:
    """One gene's exon-7 copy number, as the Genomics Reporting guide's SMN1/SMN2 example writes it.
    `method_code` adds smanav's own code of the method beside its words (the bulk export, so that an
    import reads it back)."""
    quantity: dict[str, Any] = {"value": copies, "system": codes.UCUM, "code": "1"}
    if gene == "SMN2" and genetics.get("smn2_copies_is_minimum"):
        quantity["comparator"] = ">="
    components: list[dict[str, Any]] = [
        {
            "code": concept("Gene studied", codes.GENE_STUDIED),
            "valueCodeableConcept": concept(gene, codes.GENES[gene]),
        },
        {
            "code": concept("Kind of DNA change", codes.CODING_CHANGE_TYPE),
            "valueCodeableConcept": concept("Copy number variation", codes.COPY_NUMBER_VARIATION),
        },
        {
            "code": concept("Genomic source", codes.GENOMIC_SOURCE_CLASS),
            "valueCodeableConcept": concept("Germline", codes.GERMLINE),
        },
        {"code": concept("Copy number", codes.COPY_NUMBER), "valueQuantity": quantity},
    ]
    variant = genetics.get("smn1_intragenic_variant") if gene == "SMN1" else None
    if variant:
        components.append(
            {
                "code": concept("Change in the coding DNA (HGVS)", codes.CODING_HGVS),
                "valueCodeableConcept": {"text": variant},
            }
        )
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "laboratory"}]},
            {"coding": [codes.GENETICS_SERVICE.as_fhir()]},
        ],
        "code": concept(f"{gene} copy number (exon 7)", codes.VARIANT_ASSESSMENT),
        "subject": subject,
        "valueCodeableConcept": concept("Present", codes.VARIANT_PRESENT),
        "component": components,
    }
    method = genetics.get("method")
    if method:
        resource["method"] = {"text": labels.label(labels.METHOD_LABELS, method)}
        if method_code:
            resource["method"]["coding"] = [{"system": codes.GENETIC_METHOD_SYSTEM, "code": method}]
    modifiers = genetics.get("smn2_modifiers") if gene == "SMN2" else None
    if modifiers:
        resource["note"] = [{"text": "Modifier variants reported: " + ", ".join(map(str, modifiers)) + "."}]
    return resource


def measurement(
    assessment: Assessment, subject: dict[str, Any], *, own_codes: bool = False
) -> dict[str, Any]:
    """One measurement; `own_codes` adds smanav's code of the instrument beside LOINC's (the bulk export,
    so that an import reads back the scales LOINC has no code for)."""
    measure = codes.MEASURES[Instrument(assessment.instrument)]
    own = codes.instrument_coding(assessment.instrument) if own_codes else None
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": category(codes.OBSERVATION_CATEGORY, measure.category),
        "code": concept(measure.text, measure.loinc, own),
        "subject": subject,
        "effectiveDateTime": assessment.date.isoformat(),
        "valueQuantity": {
            "value": number(assessment.value),
            "unit": measure.unit,
            "system": codes.UCUM,
            "code": measure.unit_code,
        },
    }


# --- treatments and doses ---------------------------------------------------------------------------


def medication(course: Treatment, *, own_codes: bool = False) -> dict[str, Any]:
    therapy = Therapy(course.therapy)
    own = codes.therapy_coding(therapy) if own_codes else None
    return concept(codes.THERAPY_TEXT[therapy], codes.THERAPY_ATC.get(therapy), own)


def statement(
    course: Treatment, subject: dict[str, Any], reason: str | None, *, own_codes: bool = False
) -> dict[str, Any]:
    period = {"start": course.start_date.isoformat()}
    if course.end_date:
        period["end"] = course.end_date.isoformat()
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": "completed" if course.end_date else "active",
        "medicationCodeableConcept": medication(course, own_codes=own_codes),
        "subject": subject,
        "effectivePeriod": period,
    }
    if course.recorded_at:
        resource["dateAsserted"] = course.recorded_at.isoformat()
    if course.regimen:
        resource["dosage"] = [{"text": labels.label(labels.REGIMEN_LABELS, course.regimen)}]
        if own_codes:
            resource["extension"] = [{"url": codes.REGIMEN_EXTENSION, "valueCode": course.regimen}]
    if reason:
        resource["reasonReference"] = [{"reference": reason}]
    return resource


def administration(
    course: Treatment, dose: Dose, subject: dict[str, Any], part_of: str, *, own_codes: bool = False
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "medicationCodeableConcept": medication(course, own_codes=own_codes),
        "subject": subject,
        "effectiveDateTime": dose.date.isoformat(),
        "supportingInformation": [{"reference": part_of}],
    }
    if dose.amount_mg is not None:
        resource["dosage"] = {
            "dose": {"value": number(dose.amount_mg), "unit": "mg", "system": codes.UCUM, "code": "mg"}
        }
    if dose.given_by:
        resource["note"] = [{"text": f"Given by: {dose.given_by}"}]
    return resource
