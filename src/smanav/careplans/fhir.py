"""The record as FHIR R4: a Bundle another system can read on its own (the page's export, the download
of everything a family entered, and the API's answer).

`record_bundle` writes a `collection` Bundle holding the Patient, the SMA Condition (when the core
confirms 5q SMA), the SMN1 and SMN2 results in the shape of the HL7 Genomics Reporting guide's Variant,
an Observation for each measurement (and for the labs section), a MedicationStatement for each
treatment course, a MedicationAdministration for each recorded dose, a Procedure for each safety test,
and the CarePlan. Every reference points at an entry of the same Bundle (`urn:uuid:` full URLs made
from the record, so that exporting the same record twice gives the same identifiers).

The resources are built by `smanav.fhir.resources` and the codes come from `smanav.fhir.codes` (each
one looked up, see docs/exports.md); where no standard code was found, the concept is written as text.
The whole Bundle is checked against fhir.resources' R4B models before it leaves (R4B is the
R4-compatible release those models ship); the tests also check it against the official R4 JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import translation
from fhir.resources.R4B.bundle import Bundle

from smanav.careplans.documents import CarePlanDocument
from smanav.fhir import codes
from smanav.fhir import resources as build
from smanav.patients.models import LabTest, Patient
from smanav.patients.seam import RECORD_ID_PREFIX
from smanav_core.codes import MonitoringTest

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
        quantity: dict[str, Any] = {"value": build.number(value), "unit": unit}
        if ucum:
            quantity |= {"system": codes.UCUM, "code": ucum}
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": build.category(codes.OBSERVATION_CATEGORY, "laboratory"),
            "code": {"text": words},
            "subject": subject,
            "valueQuantity": quantity,
        }
        if labs.get("date"):
            resource["effectiveDateTime"] = str(labs["date"])
        found.append((key, resource))
    return found


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
    identifier = {"system": codes.PATIENT_ID_SYSTEM, "value": f"{RECORD_ID_PREFIX}{document.patient.pk}"}
    entries.append((patient_url, build.patient(document.patient, identifiers=[identifier])))

    genetic: list[tuple[str, dict[str, Any]]] = []
    genetics = document.patient.genetics or {}
    for gene, field in (("SMN1", "smn1_copies"), ("SMN2", "smn2_copies")):
        if genetics.get(field) is not None:
            genetic.append(
                (ids.url("Observation", gene), build.copy_number(gene, genetics[field], genetics, subject))
            )

    result = document.result
    condition_url = None
    if result is not None:
        condition = build.condition(
            as_of=document.as_of,
            result=result,
            onset_months=(document.patient.clinical or {}).get("symptom_onset_age_months"),
            subject=subject,
            evidence=[url for url, _ in genetic],
        )
        if condition is not None:
            condition_url = ids.url("Condition")
            entries.append((condition_url, condition))
    entries.extend(genetic)
    entries.extend(
        (ids.url("Observation", f"assessment-{a.pk}"), build.measurement(a, subject))
        for a in document.assessments
    )
    entries.extend(
        (ids.url("Observation", f"labs-{key}"), resource)
        for key, resource in _labs(document.patient.labs or {}, subject)
    )
    for course in document.treatments:
        statement_url = ids.url("MedicationStatement", course.pk)
        entries.append((statement_url, build.statement(course, subject, condition_url)))
        entries.extend(
            (
                ids.url("MedicationAdministration", dose.pk),
                build.administration(course, dose, subject, statement_url),
            )
            for dose in course.doses.all()
        )
    entries.extend((ids.url("Procedure", t.pk), _safety_test(t, subject)) for t in document.lab_tests)
    if result is not None:
        plan = build.careplan(
            display_name=document.patient.display_name,
            as_of=document.as_of,
            result=result,
            plan=document.plan,
            subject=subject,
        )
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
