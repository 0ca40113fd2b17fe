"""Weight and height are charted against the person's age at each measurement (months while every
measurement is before two years of age, years otherwise), with the age beside the date in the data
table. Without a usable date of birth they fall back to the date axis and say why: an age is never
invented. Every other measure stays on the date axis."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.careplans.charts import chart_svg
from smanav.careplans.documents import Chart, careplan_document
from smanav.patients.models import Patient
from smanav.patients.plan import AgeUnit, DateAxisReason, monitoring_series
from smanav.patients.services import assessment_record, patient_create

NO_CENTILES = "No reference centile curves are drawn"


def _weigh(people: Personas, patient: Patient, date: str, kg: float) -> None:
    assessment_record(
        author=people.parent,
        patient_id=patient.pk,
        date=dt.date.fromisoformat(date),
        instrument="WEIGHT_KG",
        value=kg,
        as_of=AS_OF,
    )


def _series_tables(page: str) -> dict[str, str]:
    """Each monitoring table of the record page by its caption."""
    tables = {}
    for chunk in page.split('<table class="series">')[1:]:
        caption = chunk.split("<caption>", 1)[1].split("</caption>", 1)[0]
        tables[caption] = chunk.split("</table>", 1)[0]
    return tables


def _figure_before(page: str, caption: str) -> str:
    """The chart figure that comes just before the table with this caption."""
    before_table = page.split(f"<caption>{caption}</caption>", 1)[0]
    return before_table.rsplit('<figure class="chart">', 1)[1]


@pytest.fixture
def ada_weighed(people: Personas) -> Personas:
    """Ada, born 2020-03-01, weighed on 2023-03-01 (1,095 days: 3.0 years) and, in the personas,
    on 2026-11-15 (2,450 days: 6.7 years)."""
    _weigh(people, people.shared_child, "2023-03-01", 13.5)
    return people


@pytest.mark.django_db
def test_weight_chart_and_table_are_by_age_in_years(ada_weighed: Personas) -> None:
    client = log_in(Client(), ada_weighed.parent)
    patient = ada_weighed.shared_child
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    weight = _series_tables(page)["Weight (kg)"]
    # Ages are written as a person says them, never as "6.7" years.
    assert '<th scope="col">Date</th><th scope="col">Age at measurement</th>' in weight
    assert "<td>March 1, 2023</td><td>3 years</td><td>13.5 (29.8 lb)</td>" in weight
    assert "<td>Nov. 15, 2026</td><td>6 years 8 months</td><td>20 (44.1 lb)</td>" in weight
    figure = _figure_before(page, "Weight (kg)")
    assert (
        'alt="Line chart of Weight (kg) against age in years: 2 measurements from the age of 3 years to '
        '6 years 8 months, values from 13.5 to 20. The same values are in the table below."'
    ) in figure
    assert "Drawn against the age at each measurement." in figure
    assert NO_CENTILES in figure

    svg = client.get(reverse("careplans:chart", args=[patient.pk, "WEIGHT_KG"])).content.decode()
    assert "Age (years)" in svg
    assert "Date of measurement" not in svg
    assert "2023" not in svg and "2026" not in svg  # no calendar ticks on the age axis


@pytest.mark.django_db
def test_other_measures_stay_on_the_date_axis_without_an_age_column(ada_weighed: Personas) -> None:
    client = log_in(Client(), ada_weighed.parent)
    patient = ada_weighed.shared_child
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    hfmse = _series_tables(page)["HFMSE (0–66)"]
    assert "Age at measurement" not in hfmse
    figure = _figure_before(page, "HFMSE (0–66)")
    assert 'alt="Line chart of HFMSE (0–66) by date: 1 measurement on Jan. 10, 2026, value 30.' in figure
    assert NO_CENTILES not in figure
    svg = client.get(reverse("careplans:chart", args=[patient.pk, "HFMSE"])).content.decode()
    assert "Date of measurement" in svg
    assert "Age (" not in svg


@pytest.mark.django_db
def test_an_infants_growth_is_counted_in_months(people: Personas) -> None:
    baby = patient_create(
        author=people.parent, display_name="Ivy", document={"birth_date": "2025-06-01"}, as_of=AS_OF
    )
    # 14, 183 and 518 days after birth: 0.5, 6.0 and 17.0 months (days / 30.44, as the core counts).
    for date, kg in (("2025-06-15", 3.6), ("2025-12-01", 7.4), ("2026-11-01", 10.2)):
        _weigh(people, baby, date, kg)
    assessment_record(
        author=people.parent,
        patient_id=baby.pk,
        date=dt.date(2026, 11, 1),
        instrument="HEIGHT_CM",
        value=80,
        as_of=AS_OF,
    )
    client = log_in(Client(), people.parent)
    page = client.get(reverse("patients:detail", args=[baby.pk])).content.decode()
    tables = _series_tables(page)
    weight = tables["Weight (kg)"]
    assert "Age at measurement" in weight
    cells = ("<td>14 days</td>", "<td>6 months</td>", "<td>1 year 5 months</td>")
    assert [cell in weight for cell in cells] == [True] * 3
    assert "<td>1 year 5 months</td><td>80 (31.5 in)</td>" in tables["Height or length (cm)"]
    assert "against age in months: 3 measurements from the age of 14 days to 1 year 5 months" in page
    svg = client.get(reverse("careplans:chart", args=[baby.pk, "WEIGHT_KG"])).content.decode()
    assert "Age (months)" in svg
    height_svg = client.get(reverse("careplans:chart", args=[baby.pk, "HEIGHT_CM"])).content.decode()
    assert "Age (months)" in height_svg


@pytest.mark.django_db
def test_a_measurement_dated_before_birth_falls_back_to_dates_and_says_so(ada_weighed: Personas) -> None:
    """The services refuse such a date; a record changed behind their back must still not get an
    invented (negative) age."""
    patient = ada_weighed.shared_child
    Patient.objects.filter(pk=patient.pk).update(birth_date=dt.date(2024, 1, 1))
    client = log_in(Client(), ada_weighed.parent)
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    weight = _series_tables(page)["Weight (kg)"]
    assert '<th scope="col">Age at measurement</th>' in weight
    assert "<td>March 1, 2023</td><td>unknown</td><td>13.5 (29.8 lb)</td>" in weight
    assert "<td>Nov. 15, 2026</td><td>unknown</td><td>20 (44.1 lb)</td>" in weight
    figure = _figure_before(page, "Weight (kg)")
    assert "dated before the date of birth" in figure
    assert "drawn by date, not by age" in figure
    assert (
        'alt="Line chart of Weight (kg) by date: 2 measurements from March 1, 2023 to Nov. 15, 2026' in figure
    )
    svg = client.get(reverse("careplans:chart", args=[patient.pk, "WEIGHT_KG"])).content.decode()
    assert "Date of measurement" in svg
    assert "Age (" not in svg


@pytest.mark.django_db
def test_without_a_date_of_birth_growth_is_drawn_by_date_and_the_age_is_unknown(
    ada_weighed: Personas,
) -> None:
    """The contract requires a date of birth, so no stored record lacks one; the charts still never
    guess an age if they are handed none."""
    patient = ada_weighed.shared_child
    series = monitoring_series(list(patient.assessments.all()), birth_date=None)
    weight = next(s for s in series if s.instrument == "WEIGHT_KG")
    assert weight.age_unit is None
    assert weight.date_axis_reason is DateAxisReason.NO_BIRTH_DATE
    assert [row.age for row in weight.rows] == [None, None]
    svg = chart_svg(weight, title=weight.title, unit="kg")
    assert "Date of measurement" in svg
    assert "Age (" not in svg

    document = careplan_document(patient, as_of=AS_OF)
    document.charts = [Chart(instrument="WEIGHT_KG", title=weight.title, series=weight)]
    html = render_to_string("careplans/careplan_pdf.html", {"doc": document, "result": document.result})
    assert (
        '<th scope="col">Date</th><th scope="col">Age at measurement</th><th scope="col">Weight (kg)</th>'
        in html
    )
    assert "<td>03/01/2023</td><td>unknown</td><td>13.5 (29.8 lb)</td>" in html
    assert "<td>11/15/2026</td><td>unknown</td><td>20 (44.1 lb)</td>" in html
    assert "The date of birth is not known, so this chart is drawn by date, not by age." in html
    assert NO_CENTILES in html


def _x_tick_labels(svg: str) -> list[str]:
    """The x-axis tick labels of a chart: centred texts on one baseline, the first text matplotlib draws."""
    centred = re.findall(r'text-anchor: middle" x="[^"]+" y="([^"]+)"[^>]*>([^<]+)</text>', svg)
    return [text for y, text in centred if y == centred[0][0]]


@pytest.mark.django_db
def test_a_lone_growth_measurement_has_an_age_axis_of_a_month_or_a_year_either_side(people: Personas) -> None:
    """Ben, born 2026-11-01, weighed once at 14 days (0.46 months)."""
    [weight] = monitoring_series(
        list(people.private_child.assessments.all()), birth_date=dt.date(2026, 11, 1)
    )
    assert weight.age_unit is AgeUnit.MONTHS
    assert _x_tick_labels(chart_svg(weight, title=weight.title, unit="kg")) == ["0.0", "0.5", "1.0"]
    # Born 2000-01-01: 26.9 years.
    [weight] = monitoring_series(list(people.private_child.assessments.all()), birth_date=dt.date(2000, 1, 1))
    assert weight.age_unit is AgeUnit.YEARS
    assert _x_tick_labels(chart_svg(weight, title=weight.title, unit="kg")) == [
        "26.0",
        "26.5",
        "27.0",
        "27.5",
    ]


@pytest.mark.django_db
def test_ages_are_in_years_once_a_measurement_is_past_24_months(people: Personas) -> None:
    patient = people.private_child  # born 2026-11-01, weighed on 2026-11-15
    [weight] = monitoring_series(list(patient.assessments.all()), birth_date=dt.date(2024, 11, 16))
    # 729 days is 23.95 months: still months.
    assert weight.age_unit is AgeUnit.MONTHS
    [weight] = monitoring_series(list(patient.assessments.all()), birth_date=dt.date(2024, 11, 15))
    # 730 days is 23.98 months: two years are 730.5 days, so one day more is past 24 months.
    assert weight.age_unit is AgeUnit.MONTHS
    [weight] = monitoring_series(list(patient.assessments.all()), birth_date=dt.date(2024, 11, 14))
    assert weight.age_unit is AgeUnit.YEARS
    assert weight.rows[0].age == pytest.approx(731 / 365.25)


@pytest.mark.django_db
def test_pdf_charts_growth_by_age_with_the_age_row(ada_weighed: Personas, tmp_path: Path) -> None:
    client = log_in(Client(), ada_weighed.parent)
    # On A4: the reading order of the text beside the chart below is the one of that page size.
    response = client.get(reverse("careplans:pdf", args=[ada_weighed.shared_child.pk]), {"paper": "A4"})
    path = tmp_path / "plan.pdf"
    path.write_bytes(response.content)
    try:
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        # The page as laid out: a table row reads on one line (the plain text follows the tagged order).
        layout = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    words = " ".join(text.split())  # the narrow table beside the chart wraps its headings
    # ...but never a value: the kilograms and their pounds are read on one line.
    assert {"13.5 (29.8 lb)", "20 (44.1 lb)"} <= set(text.splitlines())
    assert "Age at measurement" in words
    # Ages in words; the narrow column may wrap "6 years 8 months" over two lines.
    assert re.search(r"3 years +13\.5 \(29\.8 lb\)", layout), layout
    assert "6 years 8" in words
    assert "6.7" not in words
    assert "Age (years)" in words  # the chart's own axis label, drawn as text
    assert NO_CENTILES in words
