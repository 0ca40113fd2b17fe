"""Patient-reported registry data: who may read and report, who reported each value (decided by the
author, never by the form), disagreements shown to the clinic and resolved by a clinician (never merged),
bad input answered in the form's words, and every change audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401 (a fixture)

from smanav.audit.models import AuditAction, AuditEvent
from smanav.patients.models import Patient
from smanav.patients.seam import record_for_patient
from smanav.patients.services import patient_update
from smanav.registry import reporting
from smanav.registry.models import ConflictResolution, ReportedValue
from smanav.registry.selectors_reported import clinical_reporter, comparisons_for

TODAY = dt.date.today()


def verified(user: Any) -> Any:
    """The user as django-otp's middleware hands it to a view after a TOTP check."""
    user.is_verified = lambda: True
    return user


def _page(people: Personas) -> str:
    return reverse("registry:reported", args=[people.shared_child.pk])


def _add(people: Personas) -> str:
    return reverse("registry:report_add", args=[people.shared_child.pk])


def _resolve(people: Personas) -> str:
    return reverse("registry:conflict_resolve", args=[people.shared_child.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("parent", 200),
        ("clinician", 200),
        ("coordinator", 200),
        ("outsider", 404),
        ("other_clinician", 404),
    ],
)
def test_who_reads_the_registry_page(people: Personas, role: str, status: int) -> None:
    client = log_in(Client(), people.by_role(role))
    assert client.get(_page(people)).status_code == status


@pytest.mark.parametrize(
    ("role", "status", "reported_by"),
    [
        ("parent", 302, "family"),
        ("clinician", 302, "clinic"),
        ("coordinator", 404, None),
        ("outsider", 404, None),
        ("other_clinician", 404, None),
    ],
)
def test_who_reports_and_as_whom(people: Personas, role: str, status: int, reported_by: str | None) -> None:
    client = log_in(Client(), people.by_role(role))
    # `reported_by` in the form is ignored: the author decides.
    response = client.post(
        _add(people), {"item": "symptom_onset", "onset_months": "8", "reported_by": "clinic"}
    )
    assert response.status_code == status
    rows = list(ReportedValue.objects.filter(patient=people.shared_child))
    assert [row.reported_by for row in rows] == ([reported_by] if reported_by else [])


def test_a_clinician_without_a_second_factor_check_cannot_report(people: Personas) -> None:
    client = log_in(Client(), people.clinician, verified=False)
    client.post(_add(people), {"item": "symptom_onset", "onset_months": "8"})
    assert not ReportedValue.objects.exists()


def test_every_report_and_decision_is_audited(people: Personas) -> None:
    reporting.reported_value_add(
        author=people.parent, patient_id=people.shared_child.pk, item="symptom_onset", number=8, on=TODAY
    )
    reporting.reported_value_add(
        author=verified(people.clinician),
        patient_id=people.shared_child.pk,
        item="symptom_onset",
        number=12,
        on=TODAY,
    )
    reporting.conflict_resolve(
        author=people.clinician,
        patient_id=people.shared_child.pk,
        key="symptom_onset",
        family_value="8",
        clinic_value="12",
        decision="family",
    )
    events = list(
        AuditEvent.objects.filter(action=AuditAction.CHANGE, patient_id=people.shared_child.pk)
        .order_by("id")
        .values_list("what", flat=True)
    )
    assert events[-3:] == [
        "registry item symptom_onset reported by the family",
        "registry item symptom_onset reported by the clinic",
        "registry disagreement on symptom_onset resolved: family",
    ]


def _disagree_on_onset(people: Personas) -> None:
    reporting.reported_value_add(
        author=people.parent, patient_id=people.shared_child.pk, item="symptom_onset", number=8, on=TODAY
    )
    reporting.reported_value_add(
        author=verified(people.clinician),
        patient_id=people.shared_child.pk,
        item="symptom_onset",
        number=12,
        on=TODAY,
    )


def test_a_disagreement_is_shown_to_the_clinic_and_never_merged(people: Personas) -> None:
    _disagree_on_onset(people)
    clinic_page = log_in(Client(), people.clinician).get(_page(people)).content.decode()
    assert "Where the family and the clinic differ" in clinic_page
    assert "at 8 months of age" in clinic_page and "at 12 months of age" in clinic_page
    assert "Keep this decision" in clinic_page
    family_page = log_in(Client(), people.parent).get(_page(people)).content.decode()
    assert "The clinic will look at these" in family_page
    assert "Keep this decision" not in family_page
    # Both reports stand; the record itself is unchanged.
    assert sorted(ReportedValue.objects.values_list("number", flat=True)) == [8, 12]
    assert Patient.objects.get(pk=people.shared_child.pk).clinical["symptom_onset_age_months"] == 10


def test_only_a_clinician_resolves(people: Personas) -> None:
    _disagree_on_onset(people)
    form = {"prefix": "c0", "c0-key": "symptom_onset", "c0-family_value": "8", "c0-clinic_value": "12"}
    parent = log_in(Client(), people.parent).post(_resolve(people), {**form, "c0-decision": "family"})
    assert parent.status_code == 422
    assert "Only a clinician" in parent.content.decode()
    coordinator = log_in(Client(), people.coordinator).post(
        _resolve(people), {**form, "c0-decision": "family"}
    )
    assert coordinator.status_code == 404
    assert not ConflictResolution.objects.exists()


def test_a_clinician_resolves_and_a_changed_value_shows_again(people: Personas) -> None:
    _disagree_on_onset(people)
    client = log_in(Client(), people.clinician)
    form = {"prefix": "c0", "c0-key": "symptom_onset", "c0-family_value": "8", "c0-clinic_value": "12"}
    no_note = client.post(_resolve(people), {**form, "c0-decision": "noted"})
    assert no_note.status_code == 422
    assert "Note: say why both values stand." in no_note.content.decode()
    done = client.post(
        _resolve(people), {**form, "c0-decision": "noted", "c0-note": "Parents saw signs earlier."}
    )
    assert done.status_code == 302
    page = client.get(_page(people)).content.decode()
    assert "Both kept, with a note: Parents saw signs earlier." in page
    assert [c.status for c in comparisons_for(patient=people.shared_child)] == ["noted"]
    # A stale form (values no longer shown) is refused.
    stale = client.post(_resolve(people), {**form, "c0-decision": "clinic"})
    assert stale.status_code == 422
    reporting.reported_value_add(
        author=people.parent, patient_id=people.shared_child.pk, item="symptom_onset", number=9, on=TODAY
    )
    assert [c.status for c in comparisons_for(patient=people.shared_child)] == ["open"]


def _clinician_writes_the_record(people: Personas, clinical: dict[str, Any]) -> None:
    patient = Patient.objects.get(pk=people.shared_child.pk)
    document = {key: value for key, value in record_for_patient(patient).items() if key not in ("id",)}
    document["clinical"] = {**(document.get("clinical") or {}), **clinical}
    for key in ("treatments", "assessments", "lab_tests"):
        document.pop(key, None)
    patient_update(
        author=people.clinician,
        patient_id=patient.pk,
        base_version=patient.version,
        display_name=patient.display_name,
        document=document,
        as_of=TODAY,
    )


def test_the_clinical_record_written_by_the_clinic_is_the_clinics_value(people: Personas) -> None:
    assert clinical_reporter(people.shared_child) == "family"
    _clinician_writes_the_record(people, {"feeding": "oral", "ventilation": "niv_16h_or_more"})
    patient = Patient.objects.get(pk=people.shared_child.pk)
    assert clinical_reporter(patient) == "clinic"
    for item, extra in (
        ("feeding", {"code": "gastrostomy"}),
        ("ventilation_hours", {"number": 20}),
        ("milestone_achieved", {"code": "walks_independently", "date": dt.date(2022, 5, 1)}),
    ):
        reporting.reported_value_add(
            author=people.parent, patient_id=patient.pk, item=item, on=TODAY, **extra
        )
    statuses = {c.key: c.status for c in comparisons_for(patient=patient)}
    # 20 hours a day fits "16 hours or more"; gastrostomy is not eating by mouth; the record says sits.
    assert statuses == {
        "feeding": "open",
        "ventilation_hours": "",
        "milestone_achieved:walks_independently": "",
        "highest_milestone": "open",
    }
    page = log_in(Client(), people.clinician).get(_page(people)).content.decode()
    assert "By mouth (in the clinical record)" in page
    assert "Highest movement milestone reached" in page


def test_the_family_takes_back_only_its_own_reports(people: Personas) -> None:
    _disagree_on_onset(people)
    family_row = ReportedValue.objects.get(reported_by="family")
    clinic_row = ReportedValue.objects.get(reported_by="clinic")
    client = log_in(Client(), people.parent)
    refused = client.post(reverse("registry:report_remove", args=[people.shared_child.pk, clinic_row.pk]))
    assert refused.status_code == 422
    done = client.post(reverse("registry:report_remove", args=[people.shared_child.pk, family_row.pk]))
    assert done.status_code == 302
    family_row.refresh_from_db()
    clinic_row.refresh_from_db()
    assert family_row.removed_at is not None and clinic_row.removed_at is None
    assert [c.status for c in comparisons_for(patient=people.shared_child)] == [""]


@pytest.mark.parametrize(
    ("sent", "words"),
    [
        (
            {"item": "symptom_onset", "onset_months": "eight"},
            "Age at the first signs, in months: not a number",
        ),
        ({"item": "symptom_onset", "onset_months": "nan"}, "Age at the first signs, in months: not a number"),
        ({"item": "symptom_onset", "onset_months": ""}, "Age at the first signs, in months: enter a number."),
        ({"item": "symptom_onset", "onset_months": "900"}, "it must be from 0 to the person&#x27;s age now"),
        (
            {"item": "milestone", "milestone": "sits_independently", "milestone_change": "achieved"},
            "When: enter the date.",
        ),
        (
            {
                "item": "milestone",
                "milestone": "flies",
                "milestone_change": "achieved",
                "milestone_on": "2024-01-01",
            },
            "Movement milestone: choose one from the list.",
        ),
        (
            {"item": "milestone", "milestone": "sits_independently", "milestone_on": "2024-01-01"},
            "Reached or lost: say whether it was reached or lost.",
        ),
        (
            {
                "item": "milestone",
                "milestone": "sits_independently",
                "milestone_change": "lost",
                "milestone_on": "2999-01-01",
            },
            "When: the date is in the future.",
        ),
        (
            {"item": "ventilation_hours", "ventilation_hours": "25"},
            "Hours a day on the breathing machine: enter a",
        ),
        (
            {"item": "feeding", "feeding": "gastrostomy", "feeding_from": "31/02/2024"},
            "Eating like this since: not a date",
        ),
        (
            {
                "item": "hospital_stay",
                "admitted_on": "2024-03-10",
                "discharged_on": "2024-03-01",
                "stay_reason": "surgery",
            },
            "Came home on (leave empty while still there): the date is before the day they went into",
        ),
        (
            {"item": "hospital_stay", "admitted_on": "2010-03-10", "stay_reason": "surgery"},
            "before the date of birth",
        ),
        ({"item": "adverse_event", "event_on": "2024-03-10"}, "What happened: say in a few words."),
        ({"item": "something"}, "What you are telling us about: choose what you are telling us about."),
    ],
)
def test_bad_input_is_answered_in_the_forms_words(people: Personas, sent: dict[str, str], words: str) -> None:
    response = log_in(Client(), people.parent).post(_add(people), sent)
    assert response.status_code == 422
    assert words in response.content.decode()
    assert not ReportedValue.objects.exists()


def test_every_item_can_be_reported_and_reads_in_plain_words(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    for sent in (
        {"item": "symptom_onset", "onset_months": "7.5"},
        {
            "item": "milestone",
            "milestone": "sits_independently",
            "milestone_change": "achieved",
            "milestone_on": "2021-01-05",
        },
        {
            "item": "milestone",
            "milestone": "sits_independently",
            "milestone_change": "lost",
            "milestone_on": "2023-01-05",
        },
        {"item": "ventilation_hours", "ventilation_hours": "10", "ventilation_from": "2024-01-01"},
        {"item": "feeding", "feeding": "nasogastric_tube"},
        {
            "item": "hospital_stay",
            "admitted_on": "2024-03-01",
            "discharged_on": "2024-03-10",
            "stay_reason": "breathing",
        },
        {
            "item": "adverse_event",
            "event_on": "2024-04-01",
            "event_treatment": "nusinersen",
            "event_what": "Headache",
        },
    ):
        assert client.post(_add(people), sent).status_code == 302, sent
    assert ReportedValue.objects.filter(reported_by="family").count() == 7
    page = client.get(_page(people)).content.decode()
    for words in (
        "First signs at 7.5 months of age",
        "Sits without support",
        "10 hours a day",
        "Nasogastric tube",
        "Breathing problems or a chest infection",
        "Headache",
    ):
        assert words in page
    words_shown = re.sub(r"<[^>]+>", " ", page)
    for code in ("sits_independently", "nasogastric_tube", "adverse_event", "symptom_onset", "nusinersen,"):
        assert code not in words_shown
