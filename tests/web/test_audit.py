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
