"""The cohort dashboard: coordinators only; registry participants only (a withdrawn or never-asked
patient is in no figure); no count below the threshold is shown or can be worked out from the totals;
the figures aggregated in SQL are those worked out person by person."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401 (a fixture)

from smanav.patients.models import Assessment, ClinicShare, Patient, Treatment
from smanav.patients.services import all_summaries_refresh
from smanav.registry import dashboard, survival
from smanav.registry.dashboard_cohort import cohort_table
from smanav.registry.dashboard_views import dashboard_context
from smanav.registry.models import CohortFact, Consent, ConsentPurpose, ReportedValue
from smanav.registry.selectors import consented_patients
from smanav.registry.small_cells import Cell, suppress
from smanav.registry.synth_write import synth_write
from smanav.vocabulary import SMA_TYPE_LABELS

PAGE = "/registry/dashboard/"


def test_small_cells_are_hidden_with_a_complement() -> None:
    table = suppress({"a": 10, "b": 3, "c": 20}, limit=5)
    assert [c.shown for c in table.cells] == [None, None, 20] and table.total == 33
    table = suppress({"a": 10, "b": 1, "c": 2, "d": 20}, limit=5)
    assert [c.shown for c in table.cells] == [None, None, None, 20]
    assert [c.shown for c in suppress({"a": 5, "b": 9}, limit=5).cells] == [5, 9]
    small = suppress({"a": 2, "b": 1}, limit=5)
    assert small.total is None and all(c.suppressed for c in small.cells)
    assert [c.shown for c in suppress({"a": 0, "b": 12, "c": 30}, limit=5).cells] == [None, None, 30]
    # The 12 is hidden only to protect the 0: it is not "fewer than 5", and the page must not say so.
    assert [c.small for c in suppress({"a": 0, "b": 12, "c": 30}, limit=5).cells] == [True, False, False]


def test_a_cell_hidden_to_protect_another_is_shown_as_hidden_not_as_small() -> None:
    def shown(cell: Cell) -> str:
        return render_to_string("registry/_count_cell.html", {"cell": cell, "limit": 5}).strip()

    table = suppress({"Type 3": 390, "Type 4": 0, "Type 2": 651}, limit=5)
    assert [shown(cell) for cell in table.cells] == ["hidden", "fewer than 5", "651"]


# The machine is shared: slow drawing is the machine's, not the strategy's.
@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8), st.integers(1, 10))
def test_no_hidden_count_can_be_worked_out(values: list[int], limit: int) -> None:
    counts = {str(i): n for i, n in enumerate(values)}
    table = suppress(counts, limit=limit)
    hidden = [counts[c.label] for c in table.cells if c.suppressed]
    for cell in table.cells:
        assert cell.shown is None or cell.shown >= limit
        # "fewer than N" is said only of a count that is below N.
        assert not cell.small or counts[cell.label] < limit
        assert not cell.suppressed or cell.small or counts[cell.label] >= limit
    if table.total is not None and hidden and len(hidden) < len(values):
        assert len(hidden) >= 2 and sum(hidden) >= limit


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("clinician", 404),
        ("parent", 404),
        ("outsider", 404),
        ("administrator", 404),
    ],
)
def test_only_coordinators_see_the_dashboard(people: Personas, role: str, status: int) -> None:
    client = log_in(Client(), people.by_role(role))
    assert client.get(PAGE).status_code == status
    chart = reverse("registry:trajectory_chart", args=["HFMSE", "treatment"])
    assert client.get(chart).status_code == status
    assert client.get(reverse("registry:survival_chart")).status_code == status


def test_a_coordinator_without_the_second_factor_check_does_not(people: Personas) -> None:
    response = log_in(Client(), people.coordinator, verified=False).get(PAGE)
    assert response.status_code != 200


@pytest.fixture(name="registry")
def registry_fixture(people: Personas) -> list[Patient]:
    today = timezone.localdate()
    synth_write(patients=60, seed=3, as_of=today)
    all_summaries_refresh(as_of=today)
    cohort = list(Patient.objects.filter(creation_key__startswith="synth:3:").order_by("pk"))
    for patient in cohort[:25]:
        ClinicShare.objects.create(patient=patient, clinic=people.clinic)
    return cohort


def _ids(cohort: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {cohort}")
        return {int(row[0]) for row in cursor.fetchall()}


def test_withdrawn_and_never_asked_patients_are_in_no_figure(
    people: Personas, registry: list[Patient]
) -> None:
    today = timezone.localdate()
    withdrawn = registry[:10]
    for patient in withdrawn:
        # A dated gastrostomy would be an event in the time-to-event table, were they in it.
        ReportedValue.objects.create(
            patient=patient, item="feeding", reported_by="family", code="gastrostomy", date=today
        )
    Consent.objects.filter(patient__in=withdrawn, purpose=ConsentPurpose.REGISTRY).update(
        withdrawn_at=timezone.now()
    )
    with cohort_table(on=today) as cohort:
        people_counted = _ids(cohort)
        counts = dashboard.counts(cohort, limit=5)
        [northside] = dashboard.completeness(cohort, limit=5)
        time_to_event = survival.survival(cohort, limit=1)
        trajectories = [
            t
            for i in dashboard.TRAJECTORY_INSTRUMENTS
            for t in dashboard.trajectories(cohort, instrument=i, limit=1)
        ]
    assert people_counted == set(
        consented_patients(purpose=ConsentPurpose.REGISTRY, on=today).values_list("pk", flat=True)
    )
    assert not people_counted & {p.pk for p in withdrawn}
    # Their facts were worked out last night; the consent at request time leaves them out.
    assert CohortFact.objects.filter(patient__in=withdrawn).count() == len(withdrawn)
    assert people.shared_child.pk not in people_counted  # the personas never joined the registry
    page = log_in(Client(), people.coordinator).get(PAGE).content.decode()
    assert f"People taking part:</strong> {len(registry) - 10}" in page
    # The page's title is words only, and the time-to-event section is on the page once.
    assert "<title>Registry dashboard" in page and page.count('id="survival-heading"') == 1
    assert counts.total == len(registry) - 10
    for entry in counts.tables:
        assert entry.table.total == len(registry) - 10
    # The clinic cares for 25, of whom 10 withdrew.
    assert northside.people.cells[0].shown == 15
    # No event: only the withdrawn had one; everyone else is followed up to today.
    [everyone] = [curve for curve in time_to_event.curves if curve.group == survival.ALL]
    assert all(point is None or point.events == 0 for point in everyone.points)
    assert max(point.at_risk for point in everyone.points if point) <= len(registry) - 10
    measured = [p[1] for t in trajectories if t.by == "smn2" for ps in t.points.values() for p in ps if p]
    assert 0 < max(measured) <= len(registry) - 10


def _without_day(context: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in context.items() if key != "facts_on"}


def test_the_facts_of_last_night_give_the_figures_worked_out_from_the_records(
    people: Personas, registry: list[Patient]
) -> None:
    today = timezone.localdate()
    # Every kind of figure has something in it: events for the time-to-event table, a second series.
    for number, patient in enumerate(registry[30:45]):
        ReportedValue.objects.create(
            patient=patient,
            item="feeding" if number % 2 else "ventilation_hours",
            reported_by="family",
            code="gastrostomy" if number % 2 else "",
            number=None if number % 2 else 18,
            date=patient.birth_date + dt.timedelta(days=100 + 30 * number),
        )
    Consent.objects.filter(patient__in=registry[:5], purpose=ConsentPurpose.REGISTRY).update(
        withdrawn_at=timezone.now()
    )
    all_summaries_refresh(as_of=today)  # the night: facts of the participants
    Consent.objects.filter(patient__in=registry[5:9], purpose=ConsentPurpose.REGISTRY).update(
        withdrawn_at=timezone.now()
    )  # and the next day some more withdraw

    stored = dashboard_context(on=today, limit=1)
    live = dashboard_context(on=today, limit=1, live=True)

    assert stored["facts_on"] == today
    assert _without_day(stored) == _without_day(live)
    assert stored["total"] == len(registry) - 9
    curves: Any = stored["survival_curves"]
    [everyone] = [curve for curve in curves if curve["words"] == "Everyone"]
    assert any(point and point.events for _age, point in everyone["rows"])
    charts: Any = stored["charts"]
    assert any(chart["rows"] for chart in charts)


def test_someone_who_joined_since_last_night_is_counted_after_the_next(
    people: Personas, registry: list[Patient]
) -> None:
    today = timezone.localdate()
    newcomer = registry[0]
    consent = Consent.objects.get(patient=newcomer, purpose=ConsentPurpose.REGISTRY)
    Consent.objects.filter(patient=newcomer).delete()  # (research consent too: it gets facts as well)
    all_summaries_refresh(as_of=today - dt.timedelta(days=1))
    assert not CohortFact.objects.filter(patient=newcomer).exists()
    consent.pk = None  # (a synthetic person has no parent account to give it through the service)
    consent.save()
    # The newcomer's consent counts today, but their facts are not worked out yet.
    assert consented_patients(purpose=ConsentPurpose.REGISTRY, on=today).filter(pk=newcomer.pk).exists()

    page = log_in(Client(), people.coordinator).get(PAGE).content.decode()
    with cohort_table(on=today) as cohort:
        assert newcomer.pk not in _ids(cohort)
    assert f"People taking part:</strong> {len(registry) - 1}" in page
    yesterday = formats.date_format(today - dt.timedelta(days=1), "DATE_FORMAT")
    assert f"last for {yesterday}" in page

    all_summaries_refresh(as_of=today)
    page = log_in(Client(), people.coordinator).get(PAGE).content.decode()
    assert f"People taking part:</strong> {len(registry)}" in page
    with cohort_table(on=today) as cohort:
        assert newcomer.pk in _ids(cohort)


def test_before_the_first_night_the_page_says_the_figures_come_after_it(people: Personas) -> None:
    page = log_in(Client(), people.coordinator).get(PAGE).content.decode()
    assert "have not been worked out yet" in page


def test_every_shown_count_reaches_the_threshold(
    people: Personas, registry: list[Patient], settings: Any
) -> None:
    settings.SMANAV_SMALL_CELL_THRESHOLD = 8
    today = timezone.localdate()
    page = log_in(Client(), people.coordinator).get(PAGE).content.decode()
    assert "fewer than 8" in page
    with cohort_table(on=today) as cohort:
        tables = [entry.table for entry in dashboard.counts(cohort, limit=8).tables]
        tables += list(
            itertools.chain.from_iterable(
                [row.people, *(table for _words, table in row.items)]
                for row in dashboard.completeness(cohort, limit=8)
            )
        )
        trajectories = [
            t
            for i in dashboard.TRAJECTORY_INSTRUMENTS
            for t in dashboard.trajectories(cohort, instrument=i, limit=8)
        ]
        curves = survival.survival(cohort, limit=8).curves
    for table in tables:
        for cell in table.cells:
            assert cell.shown is None or cell.shown >= 8
    for trajectory in trajectories:
        for points in trajectory.points.values():
            assert all(point is None or point[1] >= 8 for point in points)
    for curve in curves:
        assert all(point is None or point.at_risk >= 8 for point in curve.points)


def test_the_counts_are_those_of_the_participants(people: Personas, registry: list[Patient]) -> None:
    today = timezone.localdate()
    with cohort_table(on=today) as cohort:
        counts = dashboard.counts(cohort, limit=1)
    participants = consented_patients(purpose=ConsentPurpose.REGISTRY, on=today).select_related("summary")
    by_type = Counter(str(SMA_TYPE_LABELS.get(p.summary.sma_type, "Not known")) for p in participants)
    [types] = [entry.table for entry in counts.tables if entry.category == "SMA type"]
    # limit 1 hides only zeros (and, to cover them, the smallest cell): every shown cell is the truth.
    assert types.total == sum(by_type.values()) == counts.total
    assert sum(1 for cell in types.cells if cell.shown) >= len(by_type) - 1
    for cell in types.cells:
        assert cell.shown is None or cell.shown == by_type[cell.label]


def _trajectory_in_python(instrument: str, on: dt.date) -> dict[tuple[str, str, int], list[float]]:
    """The trajectories worked out person by person, to check the SQL against (the first version's way)."""
    participants = consented_patients(purpose=ConsentPurpose.REGISTRY, on=on)
    groups = {}
    for patient in participants:
        latest = (
            Treatment.objects.filter(patient=patient, start_date__lte=on)
            .order_by("-start_date", "-id")
            .first()
        )
        copies = (patient.genetics or {}).get("smn2_copies")
        smn2 = "" if copies is None else ("2-" if copies < 3 else "3" if copies < 4 else "4+")
        groups[patient.pk] = (latest.therapy if latest else "none", smn2)
    changes: dict[int, dict[int, float]] = defaultdict(dict)
    first: dict[int, tuple[dt.date, float]] = {}
    rows = Assessment.objects.filter(patient_id__in=list(groups), instrument=instrument).order_by(
        "patient_id", "date", "id"
    )
    for row in rows:
        start = first.setdefault(row.patient_id, (row.date, row.value))
        year = (row.date - start[0]).days * 4 // 1461
        if year < dashboard.TRAJECTORY_YEARS:
            changes[row.patient_id][year] = row.value - start[1]
    found: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    for patient_id, years in changes.items():
        therapy, smn2 = groups[patient_id]
        for year, change in years.items():
            found[("treatment", therapy, year)].append(change)
            found[("smn2", smn2, year)].append(change)
    return found


@pytest.mark.parametrize("instrument", dashboard.TRAJECTORY_INSTRUMENTS)
def test_the_trajectories_in_sql_are_those_worked_out_person_by_person(
    people: Personas, registry: list[Patient], instrument: str
) -> None:
    today = timezone.localdate()
    # A few more series of the measure, with two values in one year (the year's last counts).
    Assessment.objects.bulk_create(
        Assessment(patient=patient, instrument=instrument, date=today - dt.timedelta(days=days), value=value)
        for number, patient in enumerate(registry[20:32])
        for days, value in ((900, 20 + number), (700, 22 + number), (500, 21), (100, 30 - number))
    )
    expected = _trajectory_in_python(instrument, today)
    all_summaries_refresh(as_of=today)  # the night's refresh works out the points
    with cohort_table(on=today) as cohort:
        found = dashboard.trajectories(cohort, instrument=instrument, limit=1)
    with cohort_table(on=today, live=True) as cohort:
        assert dashboard.trajectories(cohort, instrument=instrument, limit=1, live=True) == found
    seen = 0
    for trajectory in found:
        for group, points in trajectory.points.items():
            for year, point in enumerate(points):
                values = expected.get((trajectory.by, group, year), [])
                if point is None:
                    assert not values
                    continue
                seen += 1
                assert point[1] == len(values)
                assert point[0] == pytest.approx(sum(values) / len(values))
    assert seen == len(expected) > 0


def test_trajectories_have_a_chart_and_a_table(people: Personas, registry: list[Patient]) -> None:
    client = log_in(Client(), people.coordinator)
    page = client.get(PAGE).content.decode()
    assert "Motor scores over time" in page
    assert "mean change in points (people)" in page or "Not enough people measured yet" in page
    chart = client.get(reverse("registry:trajectory_chart", args=["CHOP_INTEND", "smn2"]))
    assert chart["Content-Type"] == "image/svg+xml"
    assert chart.content.startswith(b"<?xml")
    assert client.get(reverse("registry:trajectory_chart", args=["WEIGHT_KG", "smn2"])).status_code == 404
    survival_chart = client.get(reverse("registry:survival_chart"))
    assert survival_chart["Content-Type"] == "image/svg+xml" and b"Age (years)" in survival_chart.content
    assert reverse("registry:survival_chart") in page
