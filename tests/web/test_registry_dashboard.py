"""The cohort dashboard: coordinators only; registry participants only (a withdrawn or never-asked
patient is in no figure); no count below the threshold is shown or can be worked out from the totals."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401 (a fixture)

from smanav.patients.models import ClinicShare, Patient
from smanav.patients.services import all_summaries_refresh
from smanav.registry import dashboard
from smanav.registry.models import Consent, ConsentPurpose
from smanav.registry.selectors import consented_patients
from smanav.registry.small_cells import suppress
from smanav.registry.synth_write import synth_write

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


# The machine is shared: slow drawing is the machine's, not the strategy's.
@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8), st.integers(1, 10))
def test_no_hidden_count_can_be_worked_out(values: list[int], limit: int) -> None:
    counts = {str(i): n for i, n in enumerate(values)}
    table = suppress(counts, limit=limit)
    hidden = [counts[c.label] for c in table.cells if c.suppressed]
    for cell in table.cells:
        assert cell.shown is None or cell.shown >= limit
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


def test_withdrawn_and_never_asked_patients_are_in_no_figure(
    people: Personas, registry: list[Patient]
) -> None:
    today = timezone.localdate()
    Consent.objects.filter(patient__in=registry[:10], purpose=ConsentPurpose.REGISTRY).update(
        withdrawn_at=timezone.now()
    )
    people_counted = {person.pk for person in dashboard.cohort(today)}
    assert people_counted == set(
        consented_patients(purpose=ConsentPurpose.REGISTRY, on=today).values_list("pk", flat=True)
    )
    assert not people_counted & {p.pk for p in registry[:10]}
    assert people.shared_child.pk not in people_counted  # the personas never joined the registry
    page = log_in(Client(), people.coordinator).get(PAGE).content.decode()
    assert f"People taking part:</strong> {len(registry) - 10}" in page
    tables = dashboard.count_tables(dashboard.cohort(today), on=today, limit=5)
    for entry in tables:
        assert entry.table.total == len(registry) - 10
    # The clinic cares for 25, of whom 10 withdrew.
    [northside] = dashboard.completeness(dashboard.cohort(today), on=today, limit=5)
    assert northside.people.cells[0].shown == 15


def test_every_shown_count_reaches_the_threshold(
    people: Personas, registry: list[Patient], settings: Any
) -> None:
    settings.SMANAV_SMALL_CELL_THRESHOLD = 8
    today = timezone.localdate()
    page = log_in(Client(), people.coordinator).get(PAGE).content.decode()
    assert "fewer than 8" in page
    people_now = dashboard.cohort(today)
    tables = [entry.table for entry in dashboard.count_tables(people_now, on=today, limit=8)]
    tables += list(
        itertools.chain.from_iterable(
            [row.people, *(table for _words, table in row.items)]
            for row in dashboard.completeness(people_now, on=today, limit=8)
        )
    )
    for table in tables:
        for cell in table.cells:
            assert cell.shown is None or cell.shown >= 8
    for instrument in dashboard.TRAJECTORY_INSTRUMENTS:
        for trajectory in dashboard.trajectories(people_now, instrument=instrument, limit=8):
            for points in trajectory.points.values():
                assert all(point is None or point[1] >= 8 for point in points)


def test_trajectories_have_a_chart_and_a_table(people: Personas, registry: list[Patient]) -> None:
    client = log_in(Client(), people.coordinator)
    page = client.get(PAGE).content.decode()
    assert "Motor scores over time" in page
    assert "mean change in points (people)" in page or "Not enough people measured yet" in page
    chart = client.get(reverse("registry:trajectory_chart", args=["CHOP_INTEND", "smn2"]))
    assert chart["Content-Type"] == "image/svg+xml"
    assert chart.content.startswith(b"<?xml")
    assert client.get(reverse("registry:trajectory_chart", args=["WEIGHT_KG", "smn2"])).status_code == 404
