""" "Download my data": one click gives a family everything it entered and everything smanav keeps about
its records (the record, its versions, shares, doses, safety tests, who opened it) as JSON and as a FHIR
Bundle, in one ZIP. Audited record by record; only for people who may see the record, and another
family's record answers "not found"."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from tests.web.fhir_schema import schema_problems
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.audit.models import AuditAction, AuditEvent
from smanav.careplans.views import DATA_DOWNLOAD
from smanav.patients.models import Treatment
from smanav.patients.services import dose_record, lab_tests_record, treatment_record
from smanav_core import evaluate


@pytest.fixture
def entered(people: Personas) -> Personas:
    """Ada with a treatment course, a dose given at the clinic and a safety test."""
    course = treatment_record(
        author=people.parent,
        patient_id=people.shared_child.pk,
        therapy="risdiplam",
        start_date=dt.date(2025, 1, 10),
        end_date=None,
        as_of=AS_OF,
    )
    assert isinstance(course, Treatment)
    dose_record(
        author=people.clinician,
        patient_id=people.shared_child.pk,
        treatment_id=course.pk,
        date=dt.date(2026, 11, 1),
        amount_mg=5,
        given_by="at home",
        as_of=AS_OF,
    )
    lab_tests_record(
        author=people.parent,
        patient_id=people.shared_child.pk,
        date=dt.date(2026, 10, 20),
        tests=["liver_function"],
        as_of=AS_OF,
    )
    return people


def _zip(response: Any) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


@pytest.mark.django_db
def test_the_page_says_what_the_download_holds_and_offers_one_button(people: Personas) -> None:
    page = log_in(Client(), people.parent).get(reverse("careplans:my_data"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Download my data (2 records, ZIP file)" in html
    assert reverse("careplans:my_data_download") in html
    assert "Download the data of Ada (ZIP file)" in html and "Download the data of Ben (ZIP file)" in html
    assert "Cleo" not in html
    empty = log_in(Client(), people.outsider).get(reverse("careplans:my_data"))
    assert "nothing to download" in empty.content.decode()


@pytest.mark.django_db
def test_one_click_downloads_every_record_as_json_and_fhir(entered: Personas) -> None:
    ada, ben = entered.shared_child, entered.private_child
    archive = _zip(log_in(Client(), entered.parent).get(reverse("careplans:my_data_download")))
    names = sorted(archive.namelist())
    assert names == sorted(
        [
            "README.txt",
            f"ada-{ada.pk}/record.json",
            f"ada-{ada.pk}/record.fhir.json",
            f"ben-{ben.pk}/record.json",
            f"ben-{ben.pk}/record.fhir.json",
        ]
    )
    assert "FHIR R4 Bundle" in archive.read("README.txt").decode()
    bundle = json.loads(archive.read(f"ada-{ada.pk}/record.fhir.json"))
    Bundle.model_validate(bundle)
    assert schema_problems(bundle) == []
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "MedicationStatement", "MedicationAdministration", "Procedure", "CarePlan"} <= kinds


@pytest.mark.django_db
def test_the_json_holds_the_record_its_history_and_what_smanav_keeps_about_it(entered: Personas) -> None:
    ada = entered.shared_child
    archive = _zip(
        log_in(Client(), entered.parent).get(reverse("careplans:record_data_download", args=[ada.pk]))
    )
    document = json.loads(archive.read(f"ada-{ada.pk}/record.json"))
    assert document["schema"] == "smanav.data-export/1"
    assert document["name"] == "Ada"
    # The record part is the contract's document: smanav (or any tool of the contract) reads it back.
    assert evaluate(document["record"], as_of=AS_OF)["diagnosis"]["status"] == "confirmed_5q_sma"
    ada.refresh_from_db()
    assert [v["version"] for v in document["versions"]] == list(range(1, ada.version + 1))
    assert document["versions"][0]["record"]["birth_date"] == "2020-03-01"
    assert all(v["author"] for v in document["versions"])
    [course] = document["treatments"]
    assert course["therapy"] == "risdiplam" and course["recorded_by"] == "parent"
    assert course["doses"] == [
        {
            "date": "2026-11-01",
            "amount_mg": 5.0,
            "given_by": "at home",
            "recorded_by": "clinician",
            "recorded_at": course["doses"][0]["recorded_at"],
        }
    ]
    assert [(t["date"], t["test"]) for t in document["safety_tests"]] == [("2026-10-20", "liver_function")]
    assert [(m["instrument"], m["value"], m["recorded_by"]) for m in document["measurements"]] == [
        ("HFMSE", 30.0, "parent"),
        ("WEIGHT_KG", 20.0, "parent"),
    ]
    [share] = document["shares"]
    assert share["clinic"] == "Northside Neuromuscular Clinic" and share["withdrawn_at"] is None
    assert document["managed_by"] == [
        {"account": "parent", "relation": "parent", "since": document["managed_by"][0]["since"]}
    ]
    assert document["access_log"], "earlier views and changes of the record are in the download"


@pytest.mark.django_db
def test_each_record_downloaded_is_audited(entered: Personas) -> None:
    log_in(Client(), entered.parent).get(reverse("careplans:my_data_download"))
    for patient in (entered.shared_child, entered.private_child):
        assert (
            AuditEvent.objects.filter(
                actor=entered.parent, patient_id=patient.pk, action=AuditAction.EXPORT, what=DATA_DOWNLOAD
            ).count()
            == 1
        )
    assert not AuditEvent.objects.filter(patient_id=entered.adult_record.pk, what=DATA_DOWNLOAD).exists()


@pytest.mark.django_db
def test_someone_elses_record_answers_not_found(people: Personas) -> None:
    url = reverse("careplans:record_data_download", args=[people.shared_child.pk])
    for user in (people.outsider, people.adult, people.other_clinician, people.administrator):
        assert log_in(Client(), user).get(url).status_code == 404, user
    # A clinician of the clinic the family shared the record with may download it; not the unshared one.
    assert log_in(Client(), people.clinician).get(url).status_code == 200
    private = reverse("careplans:record_data_download", args=[people.private_child.pk])
    assert log_in(Client(), people.clinician).get(private).status_code == 404
    # Nobody's "my data" holds another family's record; an account with none has nothing to download.
    archive = _zip(log_in(Client(), people.adult).get(reverse("careplans:my_data_download")))
    assert sorted(archive.namelist()) == sorted(
        [
            "README.txt",
            f"cleo-{people.adult_record.pk}/record.json",
            f"cleo-{people.adult_record.pk}/record.fhir.json",
        ]
    )
    assert log_in(Client(), people.outsider).get(reverse("careplans:my_data_download")).status_code == 404
    assert not AuditEvent.objects.filter(actor=people.outsider, action=AuditAction.EXPORT).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["careplans:my_data", "careplans:my_data_download"])
def test_signed_out_visitors_are_sent_to_log_in(name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
