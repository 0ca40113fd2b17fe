"""The coordinator's audit log names people and records, filters by record, team member and dates, and
downloads as CSV (the download itself is kept in the account trail)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401

from smanav.audit.models import AccountAction, AccountEvent, AuditEvent


def _visits(people: Personas) -> None:
    people.clinician.first_name, people.clinician.last_name = "Ana", "Ruiz"
    people.clinician.save()
    log_in(Client(), people.clinician).get(reverse("patients:detail", args=[people.shared_child.pk]))
    log_in(Client(), people.other_clinician).get(reverse("patients:detail", args=[people.adult_record.pk]))


@pytest.mark.django_db
def test_the_log_names_people_and_records(people: Personas) -> None:
    _visits(people)
    page = log_in(Client(), people.coordinator).get(reverse("audit:clinic_log"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert ("Ana Ruiz", "Ada") in {(who, record) for _, who, record, _ in rows}
    text = page.content.decode()
    assert "Cleo" not in text and "other_clinician" not in text


@pytest.mark.django_db
def test_the_log_filters_by_team_member_record_and_dates(people: Personas) -> None:
    _visits(people)
    client = log_in(Client(), people.coordinator)
    url = reverse("audit:clinic_log")
    # The coordinator opened no record: nothing of theirs in the log.
    assert client.get(url, {"person": people.coordinator.pk}).context["rows"] == []
    theirs = client.get(url, {"person": people.clinician.pk}).context["rows"]
    assert theirs and {who for _, who, _, _ in theirs} == {"Ana Ruiz"}
    assert client.get(url, {"record": "zzz"}).context["rows"] == []
    assert {record for _, _, record, _ in client.get(url, {"record": "ad"}).context["rows"]} == {"Ada"}
    today = timezone.localdate()
    assert client.get(url, {"since": today.isoformat(), "until": today.isoformat()}).context["rows"]
    tomorrow = today.replace(year=today.year + 1).isoformat()
    assert client.get(url, {"since": tomorrow}).context["rows"] == []


@pytest.mark.django_db
def test_a_bad_date_is_named_in_the_forms_words(people: Personas) -> None:
    client = log_in(Client(), people.coordinator)
    response = client.get(reverse("audit:clinic_log"), {"since": "2026-02-30"})
    assert response.status_code == 422
    assert "From must be a real date" in response.content.decode()
    response = client.get(reverse("audit:clinic_log"), {"since": "2026-05-02", "until": "2026-05-01"})
    assert "Until must be the same as or after From" in response.content.decode()


@pytest.mark.django_db
def test_the_csv_download_is_the_filtered_log_and_is_audited(people: Personas) -> None:
    _visits(people)
    client = log_in(Client(), people.coordinator)
    response = client.get(reverse("audit:clinic_log"), {"person": people.clinician.pk, "download": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["When", "Who", "Record", "What"]
    assert len(rows) - 1 == AuditEvent.objects.filter(clinic=people.clinic, actor=people.clinician).count()
    assert {(row[1], row[2]) for row in rows[1:]} == {("Ana Ruiz", "Ada")}
    assert AccountEvent.objects.filter(
        actor=people.coordinator, action=AccountAction.AUDIT_LOG_EXPORTED, clinic=people.clinic
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clinician", "parent", "outsider"])
def test_only_the_coordinator_reads_or_downloads_the_log(people: Personas, role: str) -> None:
    client = log_in(Client(), people.by_role(role))
    assert client.get(reverse("audit:clinic_log"), {"download": "csv"}).status_code == 404
    assert not AccountEvent.objects.filter(action=AccountAction.AUDIT_LOG_EXPORTED).exists()


@pytest.mark.django_db
def test_the_log_names_a_chart_by_its_measure_not_its_code(people: Personas) -> None:
    client = log_in(Client(), people.clinician)
    chart = client.get(reverse("careplans:chart", args=[people.shared_child.pk, "WEIGHT_KG"]))
    assert chart.status_code == 200
    coordinator = log_in(Client(), people.coordinator)
    page = coordinator.get(reverse("audit:clinic_log"))
    whats = {what for _, _, _, what in page.context["rows"]}
    assert "chart of Weight (kg)" in whats
    assert "WEIGHT_KG" not in page.content.decode()
    download = coordinator.get(reverse("audit:clinic_log"), {"download": "csv"}).content.decode()
    assert "chart of Weight (kg)" in download and "WEIGHT_KG" not in download
