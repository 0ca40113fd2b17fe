"""Care-plan documents: the chart images, the PDF (with the plan, charts, knowledge version and
disclaimer) and the FHIR R4 CarePlan, each behind the record's access chokepoint and audited."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from fhir.resources.R4B.careplan import CarePlan
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.audit.models import AuditAction, AuditEvent
from smanav.careplans.documents import careplan_document
from smanav.patients.plan import care_plan_by_domain
from smanav.patients.services import assessment_record
from smanav_core.codes import CareDomain, DueStatus
from smanav_core.evaluation import CarePlanItem


@pytest.fixture
def declining(people: Personas) -> Personas:
    for date, value in (("2026-05-01", 34), ("2026-11-01", 28)):
        assessment_record(
            author=people.parent,
            patient_id=people.shared_child.pk,
            date=dt.date.fromisoformat(date),
            instrument="HFMSE",
            value=value,
            as_of=AS_OF,
        )
    return people


@pytest.mark.django_db
def test_chart_marks_the_cores_comparison_and_is_an_svg(declining: Personas) -> None:
    """HFMSE 30 (January), 34 (May), 28 (November): the core compares 28 with 34, the best value of the
    12 months before, and the chart marks exactly those two values."""
    document = careplan_document(declining.shared_child, as_of=AS_OF)
    [chart] = [c for c in document.charts if c.instrument == "HFMSE"]
    assert chart.mark is not None and chart.mark.meaningful
    assert (chart.mark.latest_on, chart.mark.latest_value) == (dt.date(2026, 11, 1), 28)
    assert (chart.mark.compared_on, chart.mark.compared_value) == (dt.date(2026, 5, 1), 34)
    assert "6 below 34" in chart.mark.caption and "meaningful decline" in chart.mark.caption
    svg = chart.svg()
    assert svg.lstrip().startswith("<?xml")
    assert "meaningful decline" in svg and "compared with" in svg
    response = log_in(Client(), declining.parent).get(
        reverse("careplans:chart", args=[declining.shared_child.pk, "HFMSE"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


@pytest.mark.django_db
def test_a_partial_retest_moves_the_mark_but_keeps_the_comparison(declining: Personas) -> None:
    assessment_record(
        author=declining.clinician,
        patient_id=declining.shared_child.pk,
        date=dt.date(2026, 11, 15),
        instrument="HFMSE",
        value=29,
        as_of=AS_OF,
    )
    document = careplan_document(declining.shared_child, as_of=AS_OF)
    [chart] = [c for c in document.charts if c.instrument == "HFMSE"]
    assert chart.mark is not None
    assert (chart.mark.latest_on, chart.mark.compared_on) == (dt.date(2026, 11, 15), dt.date(2026, 5, 1))
    page = log_in(Client(), declining.parent).get(
        reverse("patients:detail", args=[declining.shared_child.pk])
    )
    html = page.content.decode()
    assert "HFMSE 29 on 15 Nov 2026 is 5 points below 34 on 1 May 2026." in html
    assert "Marked on the chart: 29 on" in html
    assert page.context["evaluation"].urgency.level == "prompt"


@pytest.mark.django_db
def test_a_steady_fall_without_a_cited_threshold_is_marked_as_a_fall_seen(people: Personas) -> None:
    for date, value in (("2024-11-01", 84), ("2025-11-01", 78), ("2026-11-01", 72)):
        assessment_record(
            author=people.clinician,
            patient_id=people.shared_child.pk,
            date=dt.date.fromisoformat(date),
            instrument="FVC_PERCENT_PREDICTED",
            value=value,
            as_of=AS_OF,
        )
    document = careplan_document(people.shared_child, as_of=AS_OF)
    [chart] = [c for c in document.charts if c.instrument == "FVC_PERCENT_PREDICTED"]
    assert chart.mark is not None and not chart.mark.meaningful
    assert chart.mark.compared_value == 84
    assert "No cited threshold" in chart.mark.caption
    assert "fall seen" in chart.svg() and "meaningful decline" not in chart.svg()
    page = log_in(Client(), people.parent).get(reverse("patients:detail", args=[people.shared_child.pk]))
    html = page.content.decode()
    assert "Falling measurement" in html
    assert "holds no cited threshold" in html
    # A notice, not a decline: nothing in the urgency comes from it.
    assert [r.code for r in page.context["evaluation"].urgency.reasons if "decline" in r.code] == []


@pytest.mark.django_db
def test_document_reads_the_records_measurements_once(declining: Personas) -> None:
    with CaptureQueriesContext(connection) as captured:
        document = careplan_document(declining.shared_child, as_of=AS_OF)
    assert [c.instrument for c in document.charts if c.instrument == "HFMSE"] == ["HFMSE"]
    measurement_reads = [
        q["sql"] for q in captured.captured_queries if 'FROM "patients_assessment"' in q["sql"]
    ]
    assert len(measurement_reads) == 1, measurement_reads


@pytest.mark.django_db
def test_pdf_has_the_plan_the_knowledge_version_and_the_disclaimer(
    declining: Personas, tmp_path: Path
) -> None:
    client = log_in(Client(), declining.parent)
    response = client.get(reverse("careplans:pdf", args=[declining.shared_child.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "plan.pdf"
    path.write_bytes(response.content)
    try:
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "Care plan of Ada" in text
    assert "Knowledge base version" in text
    assert "not a prescription" in text
    assert "Motor decline" in text
    # The comparison in words beside the chart, as in the alert.
    assert "Marked on the chart: 28 on" in " ".join(text.split())
    assert AuditEvent.objects.filter(actor=declining.parent, action=AuditAction.EXPORT).exists()


@pytest.mark.django_db
def test_fhir_export_holds_a_valid_r4_careplan(declining: Personas) -> None:
    """The export is a Bundle (tests/web/test_fhir_bundle.py); its CarePlan is valid R4 on its own."""
    client = log_in(Client(), declining.clinician)
    response = client.get(reverse("careplans:fhir", args=[declining.shared_child.pk]))
    assert response.status_code == 200
    assert response.json()["resourceType"] == "Bundle"
    [resource] = [
        e["resource"] for e in response.json()["entry"] if e["resource"]["resourceType"] == "CarePlan"
    ]
    CarePlan.model_validate(resource)
    assert resource["intent"] == "plan"
    assert resource["activity"]
    assert any("Knowledge base version" in note["text"] for note in resource["note"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["careplans:pdf", "careplans:fhir"])
def test_documents_of_someone_elses_record_answer_404(people: Personas, name: str) -> None:
    for user in (people.outsider, people.other_clinician, people.administrator, people.adult):
        response = log_in(Client(), user).get(reverse(name, args=[people.shared_child.pk]))
        assert response.status_code == 404


@pytest.mark.django_db
def test_api_pdf_and_fhir(declining: Personas) -> None:
    from smanav.accounts.services import api_token_create

    _row, token = api_token_create(user=declining.clinician, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    base = f"/api/v1/patients/{declining.shared_child.pk}"
    assert Client().get(f"{base}/care-plan.pdf", **headers).content.startswith(b"%PDF")
    bundle = Client().get(f"{base}/care-plan/fhir", **headers).json()
    assert bundle["resourceType"] == "Bundle"
    assert {entry["resource"]["resourceType"] for entry in bundle["entry"]} >= {"Patient", "CarePlan"}
    assert (
        Client().get(f"/api/v1/patients/{declining.private_child.pk}/care-plan/fhir", **headers).status_code
        == 404
    )


def test_due_dates_and_their_status_come_from_the_core_alone() -> None:
    """The page groups the core's items; it computes no date and no status of its own."""
    plan = [
        CarePlanItem(
            "a",
            CareDomain.RESPIRATORY,
            "A",
            "",
            6,
            (),
            dt.date(2026, 12, 1),
            DueStatus.DUE_SOON,
            dt.date(2026, 6, 1),
        ),
        CarePlanItem(
            "b", CareDomain.COORDINATION, "B", "", None, (), dt.date(2026, 1, 10), DueStatus.OVERDUE
        ),
        # An item with an interval but no due date: no date is invented from the measurements.
        CarePlanItem("c", CareDomain.RESPIRATORY, "C", "", 12, ()),
    ]
    groups = care_plan_by_domain(plan)
    assert [g.domain for g in groups] == ["coordination", "respiratory"]
    b = groups[0].items[0]
    assert b.overdue and not b.due_soon and b.last_done is None
    a, c = groups[1].items
    assert (a.due_on, a.last_done) == (dt.date(2026, 12, 1), dt.date(2026, 6, 1))
    assert a.due_soon and not a.overdue
    assert c.due_on is None and c.due_status is None
