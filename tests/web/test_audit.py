"""Audit: every view and change of a record is noted (who, when, what); the coordinator reads their
clinic's log; families see who opened their own record."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401

from smanav.audit.models import AuditAction, AuditEvent

READ_PAGES = ["detail", "history", "edit"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", READ_PAGES)
def test_every_read_of_a_record_is_audited(people: Personas, page: str) -> None:
    patient = people.shared_child
    client = log_in(Client(), people.clinician)
    before = AuditEvent.objects.filter(patient_id=patient.pk, action=AuditAction.VIEW).count()
    assert client.get(reverse(f"patients:{page}", args=[patient.pk])).status_code == 200
    events = AuditEvent.objects.filter(patient_id=patient.pk, action=AuditAction.VIEW).order_by("-id")
    assert events.count() == before + 1
    event = events.first()
    assert event is not None
    assert event.actor == people.clinician
    assert event.clinic == people.clinic


@pytest.mark.django_db
def test_a_refused_read_is_not_an_audited_read(people: Personas) -> None:
    client = log_in(Client(), people.outsider)
    client.get(reverse("patients:detail", args=[people.shared_child.pk]))
    assert not AuditEvent.objects.filter(actor=people.outsider).exists()


@pytest.mark.django_db
def test_changes_and_shares_are_audited(people: Personas) -> None:
    actions = set(
        AuditEvent.objects.filter(patient_id=people.shared_child.pk).values_list("action", flat=True)
    )
    assert {AuditAction.CREATE, AuditAction.CHANGE, AuditAction.SHARE} <= actions


@pytest.mark.django_db
def test_coordinator_reads_the_clinics_audit_log(people: Personas) -> None:
    log_in(Client(), people.clinician).get(reverse("patients:detail", args=[people.shared_child.pk]))
    log_in(Client(), people.other_clinician).get(reverse("patients:detail", args=[people.adult_record.pk]))
    page = log_in(Client(), people.coordinator).get(reverse("audit:clinic_log"))
    assert page.status_code == 200
    events = list(page.context["events"])
    assert events
    assert all(event.clinic_id == people.clinic.pk for event in events)
    assert "clinician" in page.content.decode()
    assert "other_clinician" not in page.content.decode()


@pytest.mark.django_db
def test_family_sees_who_opened_their_childs_record(people: Personas) -> None:
    log_in(Client(), people.clinician).get(reverse("patients:detail", args=[people.shared_child.pk]))
    page = log_in(Client(), people.parent).get(reverse("patients:history", args=[people.shared_child.pk]))
    text = page.content.decode()
    assert "clinician" in text
    assert people.clinic.name in text


@pytest.mark.django_db
def test_a_worklist_page_audits_each_record_it_shows(people: Personas) -> None:
    client = log_in(Client(), people.clinician)
    page = client.get(reverse("patients:worklist"))
    shown = {patient.pk for patient in page.context["page"]}
    assert shown
    listed = AuditEvent.objects.filter(actor=people.clinician, what="clinic worklist")
    assert set(listed.values_list("patient_id", flat=True)) == shown
    assert all(event.action == AuditAction.VIEW and event.clinic == people.clinic for event in listed)


@pytest.mark.django_db
def test_the_family_list_audits_each_record_it_shows(people: Personas) -> None:
    log_in(Client(), people.parent).get(reverse("patients:dashboard"))
    listed = AuditEvent.objects.filter(actor=people.parent, what="list of records")
    assert set(listed.values_list("patient_id", flat=True)) == {
        people.shared_child.pk,
        people.private_child.pk,
    }


@pytest.mark.django_db
def test_the_api_list_audits_each_record_it_answers(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    answer = client.get("/api/v1/patients", {"limit": 1}).json()
    assert answer["count"] == 2 and len(answer["items"]) == 1
    listed = AuditEvent.objects.filter(actor=people.parent, action=AuditAction.API_READ, what="record list")
    assert list(listed.values_list("patient_id", flat=True)) == [answer["items"][0]["id"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "purpose"),
    [("pdf", "care plan PDF"), ("fhir", "FHIR Bundle"), ("assessment_new", "measurement form")],
)
def test_documents_and_forms_are_audited_with_their_purpose(
    people: Personas, name: str, purpose: str
) -> None:
    patient = people.shared_child
    client = log_in(Client(), people.parent)
    assert (
        client.get(
            reverse(
                f"careplans:{name}" if name != "assessment_new" else f"patients:{name}", args=[patient.pk]
            )
        ).status_code
        == 200
    )
    assert AuditEvent.objects.filter(actor=people.parent, patient_id=patient.pk, what=purpose).count() == 1


VIEW_MODULES = [
    "smanav/patients/views.py",
    "smanav/patients/acknowledgement_views.py",
    "smanav/patients/api.py",
    "smanav/careplans/views.py",
    "smanav/careplans/documents.py",
    "smanav/web/views.py",
]


@pytest.mark.parametrize("module", VIEW_MODULES)
def test_views_never_query_patient_records_themselves(module: str) -> None:
    """Records reach views only through the chokepoints of `patients.access`, which audit every read."""
    import ast
    from pathlib import Path

    import smanav

    source = Path(smanav.__file__).parent.parent / module
    tree = ast.parse(source.read_text(encoding="utf-8"))
    queried = [
        node.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id in {"Patient", "Assessment", "Treatment", "Dose", "LabTest", "PatientSummary"}
    ]
    assert queried == []
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "smanav.audit.services"
        for alias in node.names
    }
    assert "audit_record" not in imported, "reads are audited by the chokepoints, not by views"
