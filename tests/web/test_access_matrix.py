"""Every role x every page (and API endpoint) of patient records and of administration: who gets the
page, who gets 404.

Someone else's record answers 404 (never 403, never a hint that it exists); anonymous visitors go to
the login page; staff and administrators who have not passed two-factor authentication go to the TOTP
page. Accounts whose staff or administrator powers wait for confirmation (`pending_*`) have none: they
see what a family account with nothing shared (`outsider`) sees.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.accounts.models import AdministratorGrant, StaffMembership
from smanav.patients import services
from smanav.patients.models import Assessment, Dose, LabTest, Treatment

ROLES = [
    "anonymous",
    "parent",
    "adult",
    "clinician",
    "unverified_clinician",
    "coordinator",
    "outsider",
    "other_clinician",
    "administrator",
    "unverified_administrator",
    "second_administrator",
    "pending_clinician",
    "pending_administrator",
]
UNVERIFIED = ("anonymous", "unverified_clinician", "unverified_administrator")
ADMINISTRATORS = ("administrator", "second_administrator")
RECORD_PAGES = [
    "detail",
    "edit",
    "assessment_new",
    "treatment_new",
    "assessment_delete",
    "history",
    "version",
    "sharing",
    "chart",
    "pdf",
    "fhir",
    "record_data_download",
    "treatment_regimen",
    "dose_new",
    "dose_delete",
    "lab_tests_new",
    "lab_test_delete",
    "consent",
    "reported",
]
EDIT_PAGES = {
    "edit",
    "assessment_new",
    "treatment_new",
    "assessment_delete",
    "treatment_regimen",
    "dose_new",
    "dose_delete",
    "lab_tests_new",
    "lab_test_delete",
}
MANAGER_PAGES = {"sharing", "consent"}


def _client(people: Personas, role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "unverified_clinician":
        return log_in(client, people.clinician, verified=False)
    if role == "unverified_administrator":
        return log_in(client, people.administrator, verified=False)
    return log_in(client, people.by_role(role))


def _course(patient_id: int) -> Treatment:
    """The record's nusinersen course with one dose and one safety test, made by its guardian on first use."""
    found = Treatment.objects.filter(patient_id=patient_id).first()
    if found is not None:
        return found
    guardian = Assessment.objects.get(patient_id=patient_id, instrument="WEIGHT_KG").recorded_by
    when = {"author": guardian, "patient_id": patient_id, "as_of": AS_OF}
    course = services.treatment_record(
        therapy="nusinersen", start_date=dt.date(2026, 11, 15), end_date=None, **when
    )
    assert course is not None
    services.dose_record(
        treatment_id=course.pk, date=dt.date(2026, 11, 15), amount_mg=12, given_by="", **when
    )
    services.lab_tests_record(date=dt.date(2026, 11, 15), tests=["platelet_count"], **when)
    return course


def _record_url(page: str, patient_id: int) -> str:
    if page in ("treatment_regimen", "dose_new"):
        return reverse(f"patients:{page}", args=[patient_id, _course(patient_id).pk])
    if page == "dose_delete":
        dose = Dose.objects.get(treatment=_course(patient_id))
        return reverse("patients:dose_delete", args=[patient_id, dose.pk])
    if page == "lab_test_delete":
        _course(patient_id)
        test = LabTest.objects.get(patient_id=patient_id)
        return reverse("patients:lab_test_delete", args=[patient_id, test.pk])
    if page == "version":
        return reverse("patients:version", args=[patient_id, 1])
    if page == "chart":
        return reverse("careplans:chart", args=[patient_id, "WEIGHT_KG"])
    if page == "assessment_delete":
        # The confirmation page of the record's own weight measurement (every persona's record has one).
        weight = Assessment.objects.get(patient_id=patient_id, instrument="WEIGHT_KG")
        return reverse("patients:assessment_delete", args=[patient_id, weight.pk])
    if page in ("pdf", "fhir", "record_data_download"):
        return reverse(f"careplans:{page}", args=[patient_id])
    if page in ("consent", "reported"):
        return reverse(f"registry:{page}", args=[patient_id])
    return reverse(f"patients:{page}", args=[patient_id])


def _expected_for_shared_child(role: str, page: str) -> int:
    if role in UNVERIFIED:
        return 302
    if role == "parent":
        return 200
    if role == "clinician":
        return 404 if page in MANAGER_PAGES else 200
    if role == "coordinator":
        return 404 if page in EDIT_PAGES | MANAGER_PAGES else 200
    return 404


def _expected_for_private_child(role: str, page: str) -> int:
    if role in UNVERIFIED:
        return 302
    return 200 if role == "parent" else 404


def _expected_for_adult_record(role: str, page: str) -> int:
    if role in UNVERIFIED:
        return 302
    if role == "adult":
        return 200
    if role == "other_clinician":
        return 404 if page in MANAGER_PAGES else 200
    return 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", RECORD_PAGES)
def test_record_pages(people: Personas, role: str, page: str) -> None:
    client = _client(people, role)
    cases = [
        (people.shared_child, _expected_for_shared_child(role, page)),
        (people.private_child, _expected_for_private_child(role, page)),
        (people.adult_record, _expected_for_adult_record(role, page)),
    ]
    for patient, expected in cases:
        response = client.get(_record_url(page, patient.pk))
        assert response.status_code == expected, (role, page, patient.display_name, response.status_code)


def _expected_general(role: str, page: str) -> int:
    if role in UNVERIFIED:
        return 302
    staff = role in ("clinician", "coordinator", "other_clinician")
    if page == "patients:worklist":
        return 200 if staff else 404
    if page == "audit:clinic_log":
        return 200 if role == "coordinator" else 404
    if page == "accounts:api_tokens":
        return 200 if staff else 302
    if page == "accounts:clinics":
        return 200 if role in ADMINISTRATORS else 404
    if page == "patients:dashboard" and staff:
        return 302  # clinic staff land on their worklist
    if page.startswith("registry:"):
        return 200 if role == "coordinator" else 404  # the cohort dashboard and its charts
    return 200


GENERAL_PAGES = [
    "patients:dashboard",
    "patients:new",
    "patients:worklist",
    "audit:clinic_log",
    "accounts:api_tokens",
    "accounts:clinics",
    "registry:cohort_dashboard",
    "registry:trajectory_chart",
    "registry:survival_chart",
]


def _general_url(page: str) -> str:
    if page == "registry:trajectory_chart":
        return reverse(page, args=["HFMSE", "smn2"])
    return reverse(page)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", GENERAL_PAGES)
def test_general_pages(people: Personas, role: str, page: str) -> None:
    response = _client(people, role).get(_general_url(page))
    assert response.status_code == _expected_general(role, page), (role, page, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_writes_to_someone_elses_record_answer_404(people: Personas, role: str) -> None:
    """POSTs are guarded like pages: nobody but the guardian and the clinic's clinicians changes Ada."""
    client = _client(people, role)
    patient = people.shared_child
    response = client.post(
        reverse("patients:assessment_new", args=[patient.pk]),
        {"date": "2026-11-01", "instrument": "HFMSE", "value": "29"},
    )
    allowed = role in ("parent", "clinician")
    expected = 302 if allowed or role in UNVERIFIED else 404
    assert response.status_code == expected, (role, response.status_code)
    patient.refresh_from_db()
    assert patient.assessments.filter(date=dt.date(2026, 11, 1)).exists() == allowed
    share = patient.shares.get(clinic=people.clinic)
    response = client.post(reverse("patients:share_withdraw", args=[patient.pk, share.pk]))
    share.refresh_from_db()
    assert (share.withdrawn_at is not None) == (role == "parent"), role


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["staff", "administrator"])
def test_confirming_a_waiting_account(people: Personas, role: str, kind: str) -> None:
    """Only a verified administrator other than the one who asked confirms; everybody else gets the
    log-in or TOTP page, or 404, and the account keeps waiting."""
    if kind == "staff":
        grant: StaffMembership | AdministratorGrant = StaffMembership.objects.get(
            user=people.pending_clinician
        )
    else:
        grant = AdministratorGrant.objects.get(user=people.pending_administrator)
    response = _client(people, role).post(
        reverse(f"accounts:{kind}_decide", args=[grant.pk]), {"decision": "confirm"}
    )
    # The clinician was asked for by `administrator`, who may not confirm it; the superuser was made on
    # the command line, so either administrator may.
    confirms = role == "second_administrator" or (role == "administrator" and kind == "administrator")
    expected = 302 if role in UNVERIFIED or role in ADMINISTRATORS else 404
    assert response.status_code == expected, (role, kind, response.status_code)
    grant.refresh_from_db()
    assert grant.is_confirmed == confirms, (role, kind)
