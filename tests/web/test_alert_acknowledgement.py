"""Clinicians acknowledge an alert with a note; the record and the worklist say who did and when; an
alert that comes back with new data shows again; only clinicians of a clinic the record is shared with
may acknowledge, and every acknowledgement is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401

from smanav.audit.models import AuditAction, AuditEvent
from smanav.patients import services
from smanav.patients.alerts import alert_fingerprint
from smanav.patients.models import AlertAcknowledgement, Patient, PatientSummary
from smanav.patients.seam import evaluate_patient


def _decline(people: Personas, points: tuple[int, int] = (34, 28)) -> Patient:
    """Ada's HFMSE falls from 34 to 28 within the rule's window: a motor decline alert."""
    patient = people.shared_child
    today = timezone.localdate()
    for days_ago, value in zip((200, 20), points, strict=True):
        services.assessment_record(
            author=people.clinician,
            patient_id=patient.pk,
            date=today - dt.timedelta(days=days_ago),
            instrument="HFMSE",
            value=value,
            as_of=today,
        )
    return patient


def _decline_fingerprint(patient: Patient) -> str:
    result = evaluate_patient(patient, as_of=timezone.localdate()).result
    assert result is not None
    alerts = [alert for alert in result.alerts if alert.code.value == "motor_decline"]
    assert len(alerts) == 1
    return alert_fingerprint(alerts[0])


@pytest.mark.django_db
def test_a_clinician_acknowledges_an_alert_with_a_note_and_the_record_and_worklist_say_who(
    people: Personas,
) -> None:
    patient = _decline(people)
    people.clinician.first_name, people.clinician.last_name = "Ana", "Ruiz"
    people.clinician.save()
    fingerprint = _decline_fingerprint(patient)
    client = log_in(Client(), people.clinician)
    record = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    url = reverse("patients:alert_acknowledge", args=[patient.pk, fingerprint])
    assert url in record
    assert client.get(url).status_code == 200
    response = client.post(url, {"note": "Discussed with the family; retest in 3 months."})
    assert response.status_code == 302
    ack = AlertAcknowledgement.objects.get(patient=patient)
    assert (ack.by, ack.by_label, ack.code) == (people.clinician, "Ana Ruiz", "motor_decline")
    assert AuditEvent.objects.filter(
        patient_id=patient.pk, action=AuditAction.ACKNOWLEDGE, actor=people.clinician
    ).exists()
    record = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Seen by Ana Ruiz" in record
    assert "Discussed with the family; retest in 3 months." in record
    assert url not in record
    worklist = client.get(reverse("patients:worklist")).content.decode()
    assert "seen by Ana Ruiz" in worklist
    # The family reads the acknowledgement too, and cannot acknowledge.
    family = log_in(Client(), people.parent).get(reverse("patients:detail", args=[patient.pk]))
    assert "Seen by Ana Ruiz" in family.content.decode()


@pytest.mark.django_db
def test_an_acknowledged_alert_that_comes_back_with_new_data_shows_again(people: Personas) -> None:
    patient = _decline(people)
    first = _decline_fingerprint(patient)
    services.alert_acknowledge(
        author=people.clinician, patient_id=patient.pk, fingerprint=first, note="", as_of=timezone.localdate()
    )
    # A further fall: the alert now says something else.
    services.assessment_record(
        author=people.clinician,
        patient_id=patient.pk,
        date=timezone.localdate() - dt.timedelta(days=2),
        instrument="HFMSE",
        value=24,
        as_of=timezone.localdate(),
    )
    second = _decline_fingerprint(patient)
    assert second != first
    client = log_in(Client(), people.clinician)
    record = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert reverse("patients:alert_acknowledge", args=[patient.pk, second]) in record
    assert "Seen by" not in record


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["parent", "coordinator", "other_clinician", "outsider"])
def test_only_a_clinician_with_access_acknowledges(people: Personas, role: str) -> None:
    patient = _decline(people)
    fingerprint = _decline_fingerprint(patient)
    client = log_in(Client(), people.by_role(role))
    url = reverse("patients:alert_acknowledge", args=[patient.pk, fingerprint])
    assert client.get(url).status_code == 404
    assert client.post(url, {"note": "x"}).status_code == 404
    assert not AlertAcknowledgement.objects.exists()
    with pytest.raises(services.NotAClinician):
        services.alert_acknowledge(
            author=people.parent,
            patient_id=patient.pk,
            fingerprint=fingerprint,
            note="",
            as_of=timezone.localdate(),
        )
    assert not AlertAcknowledgement.objects.exists()


@pytest.mark.django_db
def test_an_alert_that_is_no_longer_given_cannot_be_acknowledged(people: Personas) -> None:
    patient = _decline(people)
    client = log_in(Client(), people.clinician)
    url = reverse("patients:alert_acknowledge", args=[patient.pk, "0" * 40])
    response = client.post(url, {"note": "late"})
    assert response.status_code == 404
    assert "no longer part of the record" in response.content.decode()
    assert not AlertAcknowledgement.objects.exists()
    with pytest.raises(services.AlertNotCurrent):
        services.alert_acknowledge(
            author=people.clinician,
            patient_id=patient.pk,
            fingerprint="0" * 40,
            note="",
            as_of=timezone.localdate(),
        )


@pytest.mark.django_db
def test_the_worklist_marks_the_acknowledged_alert_of_the_right_patient(people: Personas) -> None:
    patient = _decline(people)
    fingerprint = _decline_fingerprint(patient)
    services.alert_acknowledge(
        author=people.clinician,
        patient_id=patient.pk,
        fingerprint=fingerprint,
        note="",
        as_of=timezone.localdate(),
    )
    page = log_in(Client(), people.clinician).get(reverse("patients:worklist"))
    marked = {(row.patient.pk, tag.text) for row in page.context["rows"] for tag in row.alerts if tag.seen}
    assert marked == {(patient.pk, "Motor decline (HFMSE)")}


@pytest.mark.django_db
@pytest.mark.parametrize("kept", [True, False], ids=["fingerprints-kept", "summary-from-before"])
def test_the_summary_keeps_each_alerts_fingerprint_and_the_worklist_marks_it_either_way(
    people: Personas, kept: bool
) -> None:
    patient = _decline(people)
    fingerprint = _decline_fingerprint(patient)
    summary = PatientSummary.objects.get(patient=patient)
    codes = [alert["code"] for alert in summary.alerts]
    assert summary.alert_fingerprints[codes.index("motor_decline")] == fingerprint
    if not kept:  # a summary worked out before the fingerprints were kept
        PatientSummary.objects.filter(patient=patient).update(alert_fingerprints=[])
    services.alert_acknowledge(
        author=people.clinician,
        patient_id=patient.pk,
        fingerprint=fingerprint,
        note="",
        as_of=timezone.localdate(),
    )
    page = log_in(Client(), people.clinician).get(reverse("patients:worklist"))
    marked = {(row.patient.pk, tag.text) for row in page.context["rows"] for tag in row.alerts if tag.seen}
    assert marked == {(patient.pk, "Motor decline (HFMSE)")}
