"""The care plan as a FHIR R4 CarePlan (validated with fhir.resources' R4B models, the R4-compatible
release). Each care-plan item becomes an activity whose detail names the domain, the item, its
interval and its next due date; the knowledge version and the disclaimer travel as notes."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.careplan import CarePlan

from smanav import vocabulary as labels
from smanav.careplans.documents import CarePlanDocument

SMANAV_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/care-plan-item"
DOMAIN_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/care-domain"


def careplan_fhir(document: CarePlanDocument) -> dict[str, Any]:
    """A CarePlan resource as a JSON-ready dict. Raises ValueError if the core gave no evaluation."""
    result = document.result
    if result is None:
        raise ValueError(
            "the record cannot be evaluated: " + "; ".join(m for _, m in document.evaluation.problems)
        )
    activities = []
    for group in document.plan:
        for entry in group.items:
            item = entry.item
            detail: dict[str, Any] = {
                "kind": "ServiceRequest",
                "code": {
                    "coding": [{"system": SMANAV_SYSTEM, "code": item.id, "display": item.title}],
                    "text": item.title,
                },
                "status": "scheduled" if entry.due_on else "not-started",
                "description": item.detail or item.title,
                "reasonCode": [
                    {
                        "coding": [{"system": DOMAIN_SYSTEM, "code": group.domain}],
                        "text": labels.label(labels.DOMAIN_LABELS, group.domain),
                    }
                ],
            }
            if entry.due_on:
                detail["scheduledString"] = f"due {entry.due_on.isoformat()}"
            elif item.interval_months:
                detail["scheduledString"] = f"at least every {item.interval_months:g} months"
            activities.append({"detail": detail})
    resource = {
        "resourceType": "CarePlan",
        "id": f"smanav-careplan-{document.patient.pk}",
        "status": "active",
        "intent": "plan",
        "title": f"SMA care plan for {document.patient.display_name}",
        "description": "Individual SMA care plan from the standards of care, by smanav.",
        "subject": {
            "reference": f"Patient/smanav-patient-{document.patient.pk}",
            "display": document.patient.display_name,
        },
        "created": document.as_of.isoformat(),
        "activity": activities,
        "note": [
            {"text": f"Knowledge base version {result.knowledge_version}."},
            {"text": result.disclaimer},
        ],
    }
    # Structural validation (types, required fields, value sets of codes FHIR binds strictly).
    return CarePlan.model_validate(resource).model_dump(mode="json", exclude_none=True)
