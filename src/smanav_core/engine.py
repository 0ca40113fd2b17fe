"""`evaluate`: validated record + knowledge + date in, the evaluation out (typed, and as the document).

The order matters: genetics and classification first (every other rule reads them from the facts), then
therapies, urgency (which looks at the therapies' time windows), care plan and alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from smanav_core.errors import InvalidInput
from smanav_core.evaluation import EVALUATION_SCHEMA as EVALUATION_SCHEMA
from smanav_core.evaluation import Classification, Diagnosis, Evaluation
from smanav_core.facts import PatientFacts, Person, derive_facts, derive_person
from smanav_core.knowledge.freshness import last_reviewed
from smanav_core.knowledge.loader import Knowledge, load_knowledge
from smanav_core.rules.alerts import detect_alerts
from smanav_core.rules.care_plan import build_care_plan
from smanav_core.rules.classification import classify_diagnosed
from smanav_core.rules.genetics import interpret_genetics, interpret_record_genetics
from smanav_core.rules.therapies import assess_therapies
from smanav_core.rules.treatment_monitoring import follow_treatments
from smanav_core.rules.urgency import assess_urgency
from smanav_core.validation import validate_record, validate_region

DISCLAIMER = (
    "This is information for the person and their clinical team, not a prescription or a diagnosis. "
    "Decisions about tests and treatment belong to the person, their family and their clinicians, who "
    "know things this software does not. Labels, funding rules and guidelines change: check the current "
    "documents behind each source."
)


def evaluate(
    record: Mapping[str, Any],
    region: str | None = None,
    *,
    as_of: dt.date,
    knowledge: Knowledge | None = None,
) -> dict[str, Any]:
    """Evaluate a patient record (the contract's JSON document as a dict) on the date `as_of`: the
    contract's evaluation document, JSON-ready.

    `region=None` falls back to the record's `region`. Raises `InvalidInput` listing every problem.
    """
    return evaluation_of(record, region, as_of=as_of, knowledge=knowledge).to_json()


def evaluation_of(
    record: Mapping[str, Any],
    region: str | None = None,
    *,
    as_of: dt.date,
    knowledge: Knowledge | None = None,
) -> Evaluation:
    """`evaluate`, answered as a frozen, typed `Evaluation` (what an application reads; its `to_json()`
    is the contract's document)."""
    kb = knowledge or load_knowledge()
    chosen_region = validate_region(region) if region is not None else None
    patient = validate_record(record, as_of=as_of, knowledge=kb)
    if chosen_region is None:
        if patient.region is None:
            raise InvalidInput(
                [("region", "no region given: pass a region (--region, ?region=) or set the record's region")]
            )
        chosen_region = patient.region
    # The genetics and classification rules need only the record: interpret first, build the facts once.
    diagnosis = interpret_record_genetics(patient, kb)
    classification = classify_diagnosed(diagnosis.status, patient.clinical, kb)
    facts = derive_facts(
        patient,
        region=chosen_region,
        as_of=as_of,
        diagnosis=diagnosis.status,
        sma_type=classification.sma_type,
        functional_group=classification.functional_group,
    )
    return _evaluation(facts, diagnosis, classification, kb)


def interpret_person(record: object, *, as_of: dt.date, knowledge: Knowledge | None = None) -> Person:
    """Validate a record and interpret it as the engine does (diagnosis, SMA type, what the person can
    do now, ages, histories), without a region: for questions no region's rules answer, such as whether a
    trial's criteria fit. Raises `InvalidInput` listing every problem."""
    kb = knowledge or load_knowledge()
    patient = validate_record(record, as_of=as_of, knowledge=kb)
    diagnosis = interpret_record_genetics(patient, kb).status
    classification = classify_diagnosed(diagnosis, patient.clinical, kb)
    return derive_person(
        patient,
        as_of=as_of,
        diagnosis=diagnosis,
        sma_type=classification.sma_type,
        functional_group=classification.functional_group,
    )


def evaluate_facts(facts: PatientFacts, kb: Knowledge) -> dict[str, Any]:
    """Run every rule on already validated facts: the contract's document."""
    return evaluation_of_facts(facts, kb).to_json()


def evaluation_of_facts(facts: PatientFacts, kb: Knowledge) -> Evaluation:
    """Run every rule on already validated facts (the interpretation is worked out again from them)."""
    diagnosis = interpret_genetics(facts, kb)
    classification = classify_diagnosed(diagnosis.status, facts.record.clinical, kb)
    facts = facts.interpreted(
        diagnosis=diagnosis.status,
        sma_type=classification.sma_type,
        functional_group=classification.functional_group,
    )
    return _evaluation(facts, diagnosis, classification, kb)


def _evaluation(
    facts: PatientFacts, diagnosis: Diagnosis, classification: Classification, kb: Knowledge
) -> Evaluation:
    """Every other rule, on facts that carry the interpretation."""
    therapies = assess_therapies(facts, kb, include_unapproved_agents=True)
    # Doses and tests due are worked out once: the care plan and the alerts give the same dates.
    monitoring = follow_treatments(facts, kb)
    alerts = detect_alerts(facts, kb, monitoring)
    return Evaluation(
        id=facts.record.id,
        as_of=facts.as_of,
        region=facts.region,
        knowledge_version=kb.version,
        knowledge_reviewed_on=last_reviewed(kb),
        age_days=facts.age_days,
        age_months=facts.age_months,
        diagnosis=diagnosis,
        classification=classification,
        urgency=assess_urgency(facts, kb, therapies, alerts),
        therapies=tuple(therapies),
        care_plan=tuple(build_care_plan(facts, kb, monitoring)),
        alerts=tuple(alerts),
        disclaimer=DISCLAIMER,
    )
