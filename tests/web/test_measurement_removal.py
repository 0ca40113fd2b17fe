"""Removing a measurement asks first: the record page links to a confirmation page (a GET that never
removes anything), and only its "Remove" form (a POST) removes the measurement, once. The same access
rules as every change: guardians and the clinic's clinicians; everyone else gets 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.audit.models import AuditAction, AuditEvent
from smanav.patients.models import Assessment
from smanav.patients.services import NotInRecord, assessment_delete


def _confirmation_url(assessment: Assessment) -> str:
    return reverse("patients:assessment_delete", args=[assessment.patient_id, assessment.pk])


@pytest.mark.django_db
def test_record_page_links_to_the_confirmation_instead_of_removing(people: Personas) -> None:
    patient = people.shared_child
    hfmse = patient.assessments.get(instrument="HFMSE")
    page = log_in(Client(), people.parent).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert f'href="{_confirmation_url(hfmse)}"' in page
    assert f'action="{_confirmation_url(hfmse)}"' not in page


@pytest.mark.django_db
def test_confirmation_names_the_measurement_and_removes_nothing(people: Personas) -> None:
    patient = people.shared_child
    hfmse = patient.assessments.get(instrument="HFMSE")
    versions = patient.versions.count()
    client = log_in(Client(), people.parent)
    response = client.get(_confirmation_url(hfmse))
    assert response.status_code == 200
    page = response.content.decode()
    assert "HFMSE (0–66)" in page
    assert "<dd>30</dd>" in page
    assert "Jan. 10, 2026" in page
    assert "history keeps the earlier version" in page
    assert 'method="post"' in page
    assert "csrfmiddlewaretoken" in page
    assert f'href="{reverse("patients:detail", args=[patient.pk])}#monitoring"' in page
    assert "Keep it" in page
    # Looking twice changes nothing either.
    client.get(_confirmation_url(hfmse))
    assert patient.assessments.filter(pk=hfmse.pk).exists()
    assert patient.versions.count() == versions
    assert (
        AuditEvent.objects.filter(
            actor=people.parent,
            patient_id=patient.pk,
            action=AuditAction.VIEW,
            what=f"removal confirmation of measurement {hfmse.pk}",
        ).count()
        == 2
    )


@pytest.mark.django_db
def test_remove_posts_once_and_a_second_post_removes_nothing_more(people: Personas) -> None:
    patient = people.shared_child
    hfmse = patient.assessments.get(instrument="HFMSE")
    versions = patient.versions.count()
    client = log_in(Client(), people.clinician)
    response = client.post(_confirmation_url(hfmse), follow=True)
    assert response.redirect_chain == [(reverse("patients:detail", args=[patient.pk]), 302)]
    assert "The measurement was removed" in response.content.decode()
    assert not patient.assessments.filter(pk=hfmse.pk).exists()
    assert patient.assessments.filter(instrument="WEIGHT_KG").exists()
    assert patient.versions.count() == versions + 1
    assert AuditEvent.objects.filter(actor=people.clinician, action=AuditAction.CHANGE).count() == 1

    again = client.post(_confirmation_url(hfmse), follow=True)
    assert again.redirect_chain == [(reverse("patients:detail", args=[patient.pk]), 302)]
    assert "no longer in the record" in again.content.decode()
    assert patient.versions.count() == versions + 1
    assert client.get(_confirmation_url(hfmse)).status_code == 404


@pytest.mark.django_db
def test_the_confirmation_form_carries_a_csrf_token_that_is_checked(people: Personas) -> None:
    patient = people.shared_child
    hfmse = patient.assessments.get(instrument="HFMSE")
    client = log_in(Client(enforce_csrf_checks=True), people.parent)
    assert client.post(_confirmation_url(hfmse)).status_code == 403
    assert patient.assessments.filter(pk=hfmse.pk).exists()
    page = client.get(_confirmation_url(hfmse)).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert client.post(_confirmation_url(hfmse), {"csrfmiddlewaretoken": token}).status_code == 302
    assert not patient.assessments.filter(pk=hfmse.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "outsider", "other_clinician", "administrator", "adult"])
def test_nobody_else_sees_or_removes_a_measurement(people: Personas, role: str) -> None:
    patient = people.shared_child
    hfmse = patient.assessments.get(instrument="HFMSE")
    client = log_in(Client(), people.by_role(role))
    assert client.get(_confirmation_url(hfmse)).status_code == 404
    assert client.post(_confirmation_url(hfmse)).status_code == 404
    assert patient.assessments.filter(pk=hfmse.pk).exists()


@pytest.mark.django_db
def test_signed_out_visitors_go_to_the_login_page_and_remove_nothing(people: Personas) -> None:
    hfmse = people.shared_child.assessments.get(instrument="HFMSE")
    for response in (Client().get(_confirmation_url(hfmse)), Client().post(_confirmation_url(hfmse))):
        assert response.status_code == 302
        assert "login" in response["Location"]
    assert Assessment.objects.filter(pk=hfmse.pk).exists()


@pytest.mark.django_db
def test_a_measurement_of_another_record_is_not_found_through_this_one(people: Personas) -> None:
    """The clinician may change Ada's record, but not Ben's measurement by naming it under Ada's."""
    ben_weight = people.private_child.assessments.get(instrument="WEIGHT_KG")
    url = reverse("patients:assessment_delete", args=[people.shared_child.pk, ben_weight.pk])
    client = log_in(Client(), people.clinician)
    assert client.get(url).status_code == 404
    client.post(url)
    assert Assessment.objects.filter(pk=ben_weight.pk).exists()


@pytest.mark.django_db
def test_the_service_names_a_measurement_that_is_not_in_the_record(people: Personas) -> None:
    """Removed already, or another record's: `NotInRecord`, and nothing changes."""
    patient = people.shared_child
    hfmse = patient.assessments.get(instrument="HFMSE")
    assessment_delete(author=people.parent, patient_id=patient.pk, assessment_id=hfmse.pk, as_of=AS_OF)
    versions = patient.versions.count()
    ben_weight = people.private_child.assessments.get(instrument="WEIGHT_KG")
    for assessment_id in (hfmse.pk, ben_weight.pk):
        with pytest.raises(NotInRecord):
            assessment_delete(
                author=people.parent, patient_id=patient.pk, assessment_id=assessment_id, as_of=AS_OF
            )
    assert patient.versions.count() == versions
    assert Assessment.objects.filter(pk=ben_weight.pk).exists()


@pytest.mark.django_db
def test_the_familys_history_names_the_removal_without_the_databases_number(people: Personas) -> None:
    patient = people.shared_child
    hfmse = patient.assessments.get(instrument="HFMSE")
    client = log_in(Client(), people.parent)
    client.get(_confirmation_url(hfmse))
    client.post(_confirmation_url(hfmse))
    page = client.get(reverse("patients:history", args=[patient.pk])).content.decode()
    assert "removal confirmation of a measurement" in page
    assert "removal of a measurement" in page
    assert f"measurement {hfmse.pk}" not in page
    # The coordinator's log keeps which row it was.
    assert AuditEvent.objects.filter(what=f"removal of measurement {hfmse.pk}").exists()


@pytest.mark.django_db
def test_the_familys_history_names_a_chart_by_its_measure(people: Personas) -> None:
    patient = people.shared_child
    client = log_in(Client(), people.parent)
    assert client.get(reverse("careplans:chart", args=[patient.pk, "WEIGHT_KG"])).status_code == 200
    page = client.get(reverse("patients:history", args=[patient.pk])).content.decode()
    assert "chart of Weight (kg)" in page
    assert "WEIGHT_KG" not in page
