"""The record as FHIR R4: a Bundle another system can read on its own (the page's export, the download
of everything a family entered, and the API's answer).

`record_bundle` writes a `collection` Bundle holding the Patient, the SMA Condition (when the core
confirms 5q SMA), the SMN1 and SMN2 results in the shape of the HL7 Genomics Reporting guide's Variant,
an Observation for each measurement (and for the labs section), a MedicationStatement for each
treatment course, a MedicationAdministration for each recorded dose, a Procedure for each safety test,
and the CarePlan. Every reference points at an entry of the same Bundle (`urn:uuid:` full URLs made
from the record, so that exporting the same record twice gives the same identifiers).

The codes come from `fhir_codes` (each one looked up, see docs/exports.md); where no standard code was
found, the concept is written as text. The whole Bundle is checked against fhir.resources' R4B models
before it leaves (R4B is the R4-compatible release those models ship); the tests also check it against
the official R4 JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import translation
from fhir.resources.R4B.bundle import Bundle

from smanav import vocabulary as labels
from smanav.careplans import fhir_codes as codes
from smanav.careplans.documents import CarePlanDocument
from smanav.patients.models import Assessment, LabTest, Patient, Treatment
from smanav.patients.seam import RECORD_ID_PREFIX
from smanav_core import Evaluation
from smanav_core.codes import DiagnosisStatus, Instrument, MonitoringTest
from smanav_core.codes import TreatmentTherapy as Therapy

# The namespace of the export's identifiers (a UUID of its own, so that no other name space collides).
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://smanav.invalid/fhir/record-export")


class _Ids:
    """Stable `urn:uuid:` identifiers for one record's resources: the same row gives the same id on
    every export, and two installations' patients number 1 differ (the creation time is in the name)."""

    def __init__(self, patient: Patient) -> None:
        self.base = f"{patient.pk}:{patient.created_at.isoformat() if patient.created_at else ''}"

    def id(self, kind: str, key: object = "") -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.base}:{kind}:{key}"))

    def url(self, kind: str, key: object = "") -> str:
        return "urn:uuid:" + self.id(kind, key)


def _concept(text: str, *codings: codes.Coding | None) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    found = [c.as_fhir() for c in codings if c is not None]
    if found:
        concept["coding"] = found
    return concept


def _category(system: str, code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": system, "code": code}]}]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


# --- the care plan ----------------------------------------------------------------------------------


def _activities(document: CarePlanDocument) -> list[dict[str, Any]]:
    activities = []
    for group in document.plan:
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


def _careplan(document: CarePlanDocument, result: Evaluation, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "title": f"SMA care plan for {document.patient.display_name}",
        "description": "Individual SMA care plan from the standards of care, by smanav.",
        "subject": subject,
        "created": document.as_of.isoformat(),
        "activity": _activities(document),
        "note": [
            {"text": f"Knowledge base version {result.knowledge_version}."},
            {"text": result.disclaimer},
        ],
    }


# --- the person and the condition -------------------------------------------------------------------


def _patient(document: CarePlanDocument) -> dict[str, Any]:
    patient = document.patient
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": codes.PATIENT_ID_SYSTEM, "value": f"{RECORD_ID_PREFIX}{patient.pk}"}],
        # The record keeps a name or nickname as the family typed it, not a legal name in parts.
        "name": [{"use": "usual", "text": patient.display_name}],
        "birthDate": patient.birth_date.isoformat(),
    }
    if patient.sex:
        # The contract's sexes are FHIR's administrative genders, word for word.
        resource["gender"] = patient.sex
    return resource


def _condition(
    document: CarePlanDocument, result: Evaluation, subject: dict[str, Any], evidence: list[str]
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
        "category": _category(codes.CONDITION_CATEGORY, "problem-list-item"),
        "code": _concept(
            f"5q spinal muscular atrophy, {type_words.lower()}",
            codes.SMA_TYPE_SNOMED.get(sma_type, codes.SMA_SNOMED),
            codes.SMA_TYPE_ICD10.get(sma_type),
        ),
        "subject": subject,
        "recordedDate": document.as_of.isoformat(),
        "note": [
            {
                "text": "Confirmed from the genetic result, and typed, by smanav (knowledge base version "
                f"{result.knowledge_version}) on {document.as_of.isoformat()}."
            }
        ],
    }
    group = classification.functional_group
    if group is not None:
        words = labels.label(labels.FUNCTIONAL_GROUP_LABELS, group)
        resource["stage"] = [{"summary": {"text": f"What the person can do now: {words.lower()}"}}]
    onset = (document.patient.clinical or {}).get("symptom_onset_age_months")
    if onset is not None:
        resource["onsetAge"] = {"value": _number(onset), "unit": "months", "system": codes.UCUM, "code": "mo"}
    if evidence:
        resource["evidence"] = [{"detail": [{"reference": url} for url in evidence]}]
    return resource


# --- observations -----------------------------------------------------------------------------------


def _copy_number(gene: str, copies: int, genetics: dict[str, Any], subject: dict[str, Any]) -> dict[str, Any]:
    """One gene's exon-7 copy number, as the Genomics Reporting guide's SMN1/SMN2 example writes it."""
    quantity: dict[str, Any] = {"value": copies, "system": codes.UCUM, "code": "1"}
    if gene == "SMN2" and genetics.get("smn2_copies_is_minimum"):
        quantity["comparator"] = ">="
    components: list[dict[str, Any]] = [
        {
            "code": _concept("Gene studied", codes.GENE_STUDIED),
            "valueCodeableConcept": _concept(gene, codes.GENES[gene]),
        },
        {
            "code": _concept("Kind of DNA change", codes.CODING_CHANGE_TYPE),
            "valueCodeableConcept": _concept("Copy number variation", codes.COPY_NUMBER_VARIATION),
        },
        {
            "code": _concept("Genomic source", codes.GENOMIC_SOURCE_CLASS),
            "valueCodeableConcept": _concept("Germline", codes.GERMLINE),
        },
        {"code": _concept("Copy number", codes.COPY_NUMBER), "valueQuantity": quantity},
    ]
    variant = genetics.get("smn1_intragenic_variant") if gene == "SMN1" else None
    if variant:
        components.append(
            {
                "code": _concept("Change in the coding DNA (HGVS)", codes.CODING_HGVS),
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
        "code": _concept(f"{gene} copy number (exon 7)", codes.VARIANT_ASSESSMENT),
        "subject": subject,
        "valueCodeableConcept": _concept("Present", codes.VARIANT_PRESENT),
        "component": components,
    }
    method = genetics.get("method")
    if method:
        resource["method"] = {"text": labels.label(labels.METHOD_LABELS, method)}
    modifiers = genetics.get("smn2_modifiers") if gene == "SMN2" else None
    if modifiers:
        resource["note"] = [{"text": "Modifier variants reported: " + ", ".join(map(str, modifiers)) + "."}]
    return resource


def _measurement(assessment: Assessment, subject: dict[str, Any]) -> dict[str, Any]:
    measure = codes.MEASURES[Instrument(assessment.instrument)]
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": _category(codes.OBSERVATION_CATEGORY, measure.category),
        "code": _concept(measure.text, measure.loinc),
        "subject": subject,
        "effectiveDateTime": assessment.date.isoformat(),
        "valueQuantity": {
            "value": _number(assessment.value),
            "unit": measure.unit,
            "system": codes.UCUM,
            "code": measure.unit_code,
        },
    }


# The labs section of the record: (field, words, unit, UCUM code or None for a unit UCUM does not have).
_LABS = (
    ("anti_aav9_titer", "Anti-AAV9 antibody titre (reciprocal; 0 means negative)", "reciprocal titre", None),
    ("alt_uln_ratio", "ALT as a multiple of the upper limit of normal", "times the upper limit", None),
    ("ast_uln_ratio", "AST as a multiple of the upper limit of normal", "times the upper limit", None),
    (
        "total_bilirubin_uln_ratio",
        "Total bilirubin as a multiple of the upper limit of normal",
        "times the upper limit",
        None,
    ),
    ("platelets_10e9_per_l", "Platelet count", "10^9/L", "10*9/L"),
)


def _labs(labs: dict[str, Any], subject: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for key, words, unit, ucum in _LABS:
        value = labs.get(key)
        if value is None:
            continue
        quantity: dict[str, Any] = {"value": _number(value), "unit": unit}
        if ucum:
            quantity |= {"system": codes.UCUM, "code": ucum}
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": _category(codes.OBSERVATION_CATEGORY, "laboratory"),
            "code": {"text": words},
            "subject": subject,
            "valueQuantity": quantity,
        }
        if labs.get("date"):
            resource["effectiveDateTime"] = str(labs["date"])
        found.append((key, resource))
    return found


# --- treatments, doses, safety tests ----------------------------------------------------------------


def _medication(course: Treatment) -> dict[str, Any]:
    therapy = Therapy(course.therapy)
    return _concept(codes.THERAPY_TEXT[therapy], codes.THERAPY_ATC.get(therapy))


def _statement(course: Treatment, subject: dict[str, Any], condition: str | None) -> dict[str, Any]:
    period = {"start": course.start_date.isoformat()}
    if course.end_date:
        period["end"] = course.end_date.isoformat()
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": "completed" if course.end_date else "active",
        "medicationCodeableConcept": _medication(course),
        "subject": subject,
        "effectivePeriod": period,
    }
    if course.recorded_at:
        resource["dateAsserted"] = course.recorded_at.isoformat()
    if course.regimen:
        resource["dosage"] = [{"text": labels.label(labels.REGIMEN_LABELS, course.regimen)}]
    if condition:
        resource["reasonReference"] = [{"reference": condition}]
    return resource


def _administration(course: Treatment, dose: Any, subject: dict[str, Any], statement: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "medicationCodeableConcept": _medication(course),
        "subject": subject,
        "effectiveDateTime": dose.date.isoformat(),
        "supportingInformation": [{"reference": statement}],
    }
    if dose.amount_mg is not None:
        resource["dosage"] = {
            "dose": {"value": _number(dose.amount_mg), "unit": "mg", "system": codes.UCUM, "code": "mg"}
        }
    if dose.given_by:
        resource["note"] = [{"text": f"Given by: {dose.given_by}"}]
    return resource


def _safety_test(test: LabTest, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "status": "completed",
        "category": {"text": "Safety test asked for by a treatment's label"},
        "code": {"text": codes.SAFETY_TEST_TEXT[MonitoringTest(test.test)]},
        "subject": subject,
        "performedDateTime": test.date.isoformat(),
        "note": [{"text": "Done on this date; the result is kept by the clinic, not by smanav."}],
    }


# --- the bundle -------------------------------------------------------------------------------------


def record_bundle(document: CarePlanDocument, *, generated_at: dt.datetime) -> dict[str, Any]:
    """The whole record as a FHIR R4 `collection` Bundle (see the module's docstring). The Condition and
    the CarePlan need the core's evaluation; without one (no region yet, say) they are left out and
    everything the family entered is still there."""
    with translation.override("en"):
        bundle = _bundle(document, generated_at=generated_at)
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)


def _bundle(document: CarePlanDocument, *, generated_at: dt.datetime) -> dict[str, Any]:
    ids = _Ids(document.patient)
    entries: list[tuple[str, dict[str, Any]]] = []
    patient_url = ids.url("Patient")
    subject = {"reference": patient_url, "display": document.patient.display_name}
    entries.append((patient_url, _patient(document)))

    genetic: list[tuple[str, dict[str, Any]]] = []
    genetics = document.patient.genetics or {}
    for gene, field in (("SMN1", "smn1_copies"), ("SMN2", "smn2_copies")):
        if genetics.get(field) is not None:
            genetic.append(
                (ids.url("Observation", gene), _copy_number(gene, genetics[field], genetics, subject))
            )

    result = document.result
    condition_url = None
    if result is not None:
        condition = _condition(document, result, subject, [url for url, _ in genetic])
        if condition is not None:
            condition_url = ids.url("Condition")
            entries.append((condition_url, condition))
    entries.extend(genetic)
    entries.extend(
        (ids.url("Observation", f"assessment-{a.pk}"), _measurement(a, subject)) for a in document.assessments
    )
    entries.extend(
        (ids.url("Observation", f"labs-{key}"), resource)
        for key, resource in _labs(document.patient.labs or {}, subject)
    )
    for course in document.treatments:
        statement_url = ids.url("MedicationStatement", course.pk)
        entries.append((statement_url, _statement(course, subject, condition_url)))
        entries.extend(
            (
                ids.url("MedicationAdministration", dose.pk),
                _administration(course, dose, subject, statement_url),
            )
            for dose in course.doses.all()
        )
    entries.extend((ids.url("Procedure", t.pk), _safety_test(t, subject)) for t in document.lab_tests)
    if result is not None:
        plan = _careplan(document, result, subject)
        if condition_url:
            plan["addresses"] = [{"reference": condition_url}]
        entries.append((ids.url("CarePlan"), plan))

    for url, resource in entries:
        resource["id"] = url.removeprefix("urn:uuid:")
    return {
        "resourceType": "Bundle",
        "id": ids.id("Bundle", generated_at.isoformat()),
        "identifier": {
            "system": codes.PATIENT_ID_SYSTEM,
            "value": f"{RECORD_ID_PREFIX}{document.patient.pk}",
        },
        "type": "collection",
        "timestamp": generated_at.isoformat(),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
