"""The API's record list at any depth (ADR 0026): `after` starts a page after the previous page's last
id (`next_after`), so a client walks every record once without large offsets; the count for clinic
staff comes from the clinic's kept numbers plus the records they manage apart, and equals a fresh
count; bad `after` values are refused naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.web.personas import AS_OF, Personas, people_fixture  # noqa: F401

from smanav.accounts.services import api_token_create
from smanav.patients.models import Patient
from smanav.patients.services import patient_create

BASE = "/api/v1/patients"


def _bearer(user: Any) -> dict[str, str]:
    _row, token = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db
def test_a_client_walks_every_record_once_page_after_page(people: Personas) -> None:
    for number in range(6):
        patient_create(
            author=people.clinician,
            display_name=f"Record {number}",
            document={"birth_date": "2015-03-03"},
            as_of=AS_OF,
        )
    headers = _bearer(people.clinician)
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        query = {"limit": 3} if after is None else {"limit": 3, "after": after}
        body = Client().get(BASE, query, **headers).json()
        pages += 1
        assert body["count"] == 7  # Ada and the six
        seen += [item["id"] for item in body["items"]]
        after = body["next_after"]
        if after is None:
            break
    shared = Patient.objects.filter(shares__clinic=people.clinic, shares__withdrawn_at__isnull=True)
    assert seen == sorted(shared.values_list("pk", flat=True))
    assert pages == 3


@pytest.mark.django_db
def test_a_clinicians_count_includes_the_records_they_manage_apart_from_the_clinic(
    people: Personas,
) -> None:
    # A clinician who is also a parent: their own child's record is not shared with the clinic.
    patient_create(
        author=people.clinician,
        display_name="At the clinic",
        document={"birth_date": "2015-03-03"},
        as_of=AS_OF,
    )
    own = patient_create(
        author=people.parent, display_name="Own child", document={"birth_date": "2018-03-03"}, as_of=AS_OF
    )
    own.guardians.create(user=people.clinician, relation="parent")

    body = Client().get(BASE, **_bearer(people.clinician)).json()

    assert body["count"] == 3 == len(body["items"])
    assert {item["display_name"] for item in body["items"]} == {"Ada", "At the clinic", "Own child"}


@pytest.mark.django_db
@pytest.mark.parametrize("after", ["-1", "soon", str(2**63 + 1)])
def test_a_bad_after_is_refused_naming_the_field(people: Personas, after: str) -> None:
    response = Client().get(BASE, {"after": after}, **_bearer(people.clinician))
    assert response.status_code == 422
    assert "after" in str(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_the_walk_merges_the_clinics_records_and_those_managed_apart_each_once(
    people: Personas, limit: int
) -> None:
    """The page is read from two indexes (the clinic's active shares, the user's guardianships): their
    records interleave by id, each once, and nothing of another clinic or family slips in (ADR 0028)."""
    made = []
    for number in range(4):
        author = people.clinician if number % 2 else people.parent
        patient = patient_create(
            author=author, display_name=f"R{number}", document={"birth_date": "2016-01-01"}, as_of=AS_OF
        )
        if author is people.parent:
            patient.guardians.create(user=people.clinician, relation="parent")  # managed apart
        made.append(patient.pk)
    visible = sorted([people.shared_child.pk, *made])
    headers = _bearer(people.clinician)
    seen: list[int] = []
    after = None
    while True:
        query = {"limit": limit} if after is None else {"limit": limit, "after": after}
        body = Client().get(BASE, query, **headers).json()
        assert body["count"] == len(visible)
        seen += [item["id"] for item in body["items"]]
        after = body["next_after"]
        if after is None:
            break
    assert seen == visible
    assert people.adult_record.pk not in seen and people.private_child.pk not in seen


@pytest.mark.django_db
def test_an_after_next_to_someone_elses_record_reveals_nothing(people: Personas) -> None:
    """`after` only positions: starting just before another clinic's record gives the next record
    this clinician may see, or nothing."""
    body = Client().get(BASE, {"after": people.adult_record.pk - 1}, **_bearer(people.clinician)).json()
    assert people.adult_record.pk not in [item["id"] for item in body["items"]]
    assert all(item["id"] > people.adult_record.pk - 1 for item in body["items"])


@pytest.mark.django_db
def test_an_offset_still_pages_for_older_clients(people: Personas) -> None:
    for number in range(3):
        patient_create(
            author=people.clinician,
            display_name=f"O{number}",
            document={"birth_date": "2016-01-01"},
            as_of=AS_OF,
        )
    headers = _bearer(people.clinician)
    every = [item["id"] for item in Client().get(BASE, **headers).json()["items"]]
    second = Client().get(BASE, {"limit": 2, "offset": 2}, **headers).json()
    assert [item["id"] for item in second["items"]] == every[2:4]
    after_and_offset = Client().get(BASE, {"limit": 1, "offset": 1, "after": every[0]}, **headers).json()
    assert [item["id"] for item in after_and_offset["items"]] == [every[2]]


@pytest.mark.django_db
def test_a_researcher_who_keeps_a_record_gets_no_item_from_the_list(people: Personas) -> None:
    """The list's two index reads follow `_visible_to` branch for branch: a researcher sees no record,
    not even one they manage (ADR 0031), on any page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from smanav.accounts.grants import researcher_add, researcher_confirm

    grant = researcher_add(requested_by=people.administrator, user=people.adult)
    researcher_confirm(actor=people.second_administrator, grant=grant, site="http://testserver")
    TOTPDevice.objects.create(user=people.adult, confirmed=True, name="phone")
    headers = _bearer(people.adult)
    for query in ({}, {"after": 0}, {"offset": 0, "limit": 500}):
        body = Client().get(BASE, query, **headers).json()
        assert body["items"] == [] and body["count"] == 0 and body["next_after"] is None
