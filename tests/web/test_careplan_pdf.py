"""The care-plan PDF as a reader gets it: tagged for screen readers (PDF/UA-1), titled and named after the
person and the date, and never ending on a page that holds only the footer or a few lines. Read with
poppler's pdfinfo and pdftotext, as a person's tools would."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.conftest import require_or_skip
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401
from weasyprint import HTML

from smanav.careplans.documents import careplan_document
from smanav.careplans.pdf import PDF_VARIANT, SPARSE_LAST_PAGE, careplan_pdf, last_page_fill
from smanav.patients.models import Assessment, Patient
from smanav.patients.services import patient_create
from smanav.user_locale import PaperSize

# A last page needs at least this many lines of text besides its footer.
MIN_LAST_PAGE_LINES = 8


def _poppler(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        require_or_skip(f"{args[0]} (poppler-utils) is not installed")


def _info(path: Path) -> dict[str, str]:
    fields = {}
    for line in _poppler("pdfinfo", str(path)).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def _last_page_lines(path: Path) -> list[str]:
    pages = int(_info(path)["Pages"])
    text = _poppler("pdftotext", "-layout", "-f", str(pages), "-l", str(pages), str(path), "-")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The footer: the record's name on the left, "Page n / n" on the right.
    return [line for line in lines if not re.search(r"Page \d+ / \d+$", line)]


def _record(people: Personas, *, name: str, weights: int, hfmse: int = 0) -> Patient:
    """A confirmed type 2 record with `weights` monthly weights and `hfmse` motor scores."""
    patient = patient_create(
        author=people.parent,
        display_name=name,
        document={
            "birth_date": "2015-03-01",
            "region": "US",
            "genetics": {"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"},
            "clinical": {
                "symptomatic": True,
                "symptom_onset_age_months": 10,
                "max_motor_milestone": "sits_independently",
                "current_motor_function": "sitter",
            },
        },
        as_of=AS_OF,
    )
    start = dt.date(2016, 1, 1)
    Assessment.objects.bulk_create(
        [
            Assessment(patient=patient, date=start + dt.timedelta(days=30 * i), instrument="HFMSE", value=30)
            for i in range(hfmse)
        ]
        + [
            Assessment(
                patient=patient,
                date=start + dt.timedelta(days=30 * i),
                instrument="WEIGHT_KG",
                value=20 + i / 10,
            )
            for i in range(weights)
        ]
    )
    return patient


def _as_designed_fill(patient: Patient) -> float:
    """How full the last page is in the template's own layout, before the PDF module's check."""
    document = careplan_document(patient, as_of=AS_OF)
    context = {"doc": document, "result": document.result, "paper": PaperSize.A4}
    html = render_to_string("careplans/careplan_pdf.html", context)
    return last_page_fill(HTML(string=html).render(pdf_variant=PDF_VARIANT))


@pytest.mark.django_db
def test_the_pdf_is_tagged_for_screen_readers_and_titled_after_the_person_and_date(
    people: Personas, tmp_path: Path
) -> None:
    response = log_in(Client(), people.parent).get(reverse("careplans:pdf", args=[people.shared_child.pk]))
    assert response.status_code == 200
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="care-plan-ada-{today.isoformat()}.pdf"'
    path = tmp_path / "plan.pdf"
    path.write_bytes(response.content)
    info = _info(path)
    assert info["Tagged"] == "yes"
    assert info["PDF version"] == "1.7"
    assert info["Title"].startswith("Care plan of Ada, ")
    assert str(today.year) in info["Title"]
    # PDF/UA-1 says so in the document's metadata.
    assert 'pdfuaid:part="1"' in _poppler("pdfinfo", "-meta", str(path))
    # The structure tree a screen reader walks: headings, tables with header cells, figures.
    tree = _poppler("pdfinfo", "-struct", str(path))
    for tag in ("H1", "H2", "Table", "TH", "Figure", "L (block)"):
        assert tag in tree, tag


@pytest.mark.django_db
def test_a_name_beyond_ascii_is_kept_in_the_file_name(people: Personas) -> None:
    patient = _record(people, name="Zoë Ødegaard", weights=1)
    response = log_in(Client(), people.parent).get(reverse("careplans:pdf", args=[patient.pk]))
    name = f"care-plan-zoë-ødegaard-{timezone.localdate().isoformat()}.pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"


@pytest.mark.django_db
@pytest.mark.parametrize("paper", [PaperSize.A4, PaperSize.LETTER])
@pytest.mark.parametrize(
    ("weights", "hfmse"),
    [(0, 0), (1, 1), (4, 3), (24, 6), (55, 3)],
    ids=["no-measurements", "one-each", "a-few", "two-years", "long-table"],
)
def test_no_last_page_holds_only_the_footer_or_a_few_lines(
    people: Personas, tmp_path: Path, weights: int, hfmse: int, paper: PaperSize
) -> None:
    patient = _record(people, name="Otto", weights=weights, hfmse=hfmse)
    path = tmp_path / "plan.pdf"
    path.write_bytes(careplan_pdf(careplan_document(patient, as_of=AS_OF), paper=paper))
    lines = _last_page_lines(path)
    assert len(lines) >= MIN_LAST_PAGE_LINES, lines


@pytest.mark.django_db
def test_a_long_tables_tail_is_not_left_alone_on_the_last_page(people: Personas, tmp_path: Path) -> None:
    """55 monthly weights: laid out as designed, the table's last rows and the closing words fall on a
    page of their own; the PDF module notices and lays the document out again."""
    patient = _record(people, name="Otto", weights=55, hfmse=3)
    assert _as_designed_fill(patient) < SPARSE_LAST_PAGE
    path = tmp_path / "plan.pdf"
    path.write_bytes(careplan_pdf(careplan_document(patient, as_of=AS_OF), paper=PaperSize.A4))
    lines = _last_page_lines(path)
    assert len(lines) >= MIN_LAST_PAGE_LINES, lines
    assert "not a prescription" in " ".join(lines)
