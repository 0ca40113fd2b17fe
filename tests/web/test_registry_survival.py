"""Time to permanent ventilation or gastrostomy on the registry dashboard: the Kaplan-Meier estimate with
censoring, worked by hand on small tables; the events and censoring read from the records; withdrawn
and never-asked patients in no row; small cells hidden."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401 (a fixture)

from smanav.patients.models import Patient
from smanav.patients.services import all_summaries_refresh, patient_create
from smanav.registry import services, survival
from smanav.registry.dashboard_cohort import PERMANENT_VENTILATION, PERMANENT_VENTILATION_HOURS, cohort_table
from smanav.registry.reporting import reported_value_add
from smanav_core.knowledge.loader import load_knowledge

AGES = survival.AGES_MONTHS


def test_permanent_ventilation_is_the_knowledge_base_s() -> None:
    [rule] = [
        r for r in load_knowledge().therapies.rule if r.id == "therapy.onasemnogene_iv.uk_nice_ventilation"
    ]
    assert rule.sources and rule.when is not None
    assert {v.value for v in rule.when.ventilation_in or ()} == set(PERMANENT_VENTILATION)
    assert "16 hours" in rule.text and PERMANENT_VENTILATION_HOURS == 16


def test_the_estimate_with_censoring_by_hand() -> None:
    # Ten people: events at 3, 3 and 10 months; censored at 5, 8, 8 and 30; events at 20 and 40 months;
    # one followed past 240 months without the event.
    times = {3: (2, 0), 5: (0, 1), 8: (0, 2), 10: (1, 0), 20: (1, 0), 30: (0, 1), 40: (1, 0), 300: (0, 1)}
    points = survival.kaplan_meier(times, ages=AGES, limit=1)
    free_6 = 1 - 2 / 10  # 10 at risk at 3 months, 2 events
    free_12 = free_6 * (1 - 1 / 5)  # at 10 months: 10 - 2 - 1 - 2 = 5 remain
    free_24 = free_12 * (1 - 1 / 4)
    free_60 = free_24 * (1 - 1 / 2)  # at 40 months: 4 - 1 (event at 20) - 1 (left at 30) = 2
    expected = [
        (6, 7, 2, free_6),
        (12, 4, 3, free_12),
        (18, 4, 3, free_12),
        (24, 3, 4, free_24),
        (36, 2, 4, free_24),
        (60, 1, 5, free_60),
        (120, 1, 5, free_60),
        (240, 1, 5, free_60),
    ]
    assert [(p.age_months, p.at_risk, p.events, p.free_percent) for p in points if p] == [
        (age, at_risk, events, round(100 * free, 1)) for age, at_risk, events, free in expected
    ]


def test_an_age_that_would_show_a_few_people_is_hidden() -> None:
    # 30 people; 2 events at 8 months (fewer than 5): the 12-month row would show them by subtraction.
    times = {8: (2, 0), 30: (6, 0), 400: (0, 22)}
    points = survival.kaplan_meier(times, ages=AGES, limit=5)
    shown = {p.age_months: p for p in points if p}
    assert 6 in shown and shown[6].events == 0 and shown[6].at_risk == 30
    assert 12 not in shown and 18 not in shown and 24 not in shown
    # At 36 months 8 events since the 6-month row (at least 5), 8 fewer at risk.
    assert shown[36].events == 8 and shown[36].at_risk == 22
    assert shown[36].free_percent == round(100 * (28 / 30) * (1 - 6 / 28), 1)


# The machine is shared: slow drawing is the machine's, not the strategy's.
@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.integers(0, 300),
        st.tuples(st.integers(0, 6), st.integers(0, 6)).map(lambda n: n if sum(n) else (0, 1)),
        max_size=12,
    ),
    st.integers(1, 6),
)
def test_no_shown_row_reveals_fewer_than_the_threshold(times: dict[int, tuple[int, int]], limit: int) -> None:
    points = survival.kaplan_meier(times, ages=AGES, limit=limit)
    previous_events, previous_at_risk = 0, sum(sum(n) for n in times.values())
    free = 100.0
    for point in points:
        if point is None:
            continue
        assert point.at_risk >= limit
        for change in (point.events - previous_events, previous_at_risk - point.at_risk):
            assert change == 0 or change >= limit
        assert 0 <= point.free_percent <= free  # never rises with age
        previous_events, previous_at_risk, free = point.events, point.at_risk, point.free_percent


def _child(people: Personas, name: str, born: dt.date, clinical: dict[str, Any] | None = None) -> Patient:
    today = timezone.localdate()
    document: dict[str, Any] = {"birth_date": born.isoformat(), "region": "US"}
    if clinical:
        document["clinical"] = clinical
    return patient_create(author=people.parent, display_name=name, document=document, as_of=today)


def _join(people: Personas, patient: Patient) -> None:
    services.consent_give(
        author=people.parent,
        patient_id=patient.pk,
        purpose="registry",
        text_version=1,
        on=timezone.localdate(),
    )


def _report(people: Personas, patient: Patient, item: str, **values: Any) -> None:
    reported_value_add(
        author=people.parent, patient_id=patient.pk, item=item, on=timezone.localdate(), **values
    )


def _months(born: dt.date, on: dt.date) -> int:
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


def test_events_censoring_and_consent_are_read_from_the_records(people: Personas, settings: Any) -> None:
    settings.SMANAV_SMALL_CELL_THRESHOLD = 1
    today = timezone.localdate()
    born = today - dt.timedelta(days=700)
    fed = _child(people, "Gastrostomy at 6 months", born)
    _report(people, fed, "feeding", code="gastrostomy", date=born + dt.timedelta(days=200))
    breathed = _child(people, "Ventilation at 12 months", born)
    _report(people, breathed, "ventilation_hours", number=20, date=born + dt.timedelta(days=380))
    free = _child(people, "Neither", born)
    _report(people, free, "ventilation_hours", number=10, date=born + dt.timedelta(days=300))
    undated = _child(people, "Gastrostomy, no date", born, {"feeding": "gastrostomy"})
    withdrawn = _child(people, "Withdrew", born)
    _report(people, withdrawn, "feeding", code="gastrostomy", date=born + dt.timedelta(days=40))
    never = _child(people, "Never asked", born)
    _report(people, never, "feeding", code="gastrostomy", date=born + dt.timedelta(days=40))
    for patient in (fed, breathed, free, undated, withdrawn):
        _join(people, patient)
    # The night's refresh works out the facts, then the withdrawal counts at once, before the next.
    all_summaries_refresh(as_of=today)
    services.consent_withdraw(author=people.parent, patient_id=withdrawn.pk, purpose="registry")

    with cohort_table(on=today) as cohort:
        found = survival.survival(cohort, limit=1)
    with cohort_table(on=today, live=True) as cohort:
        assert survival.survival(cohort, limit=1) == found
    assert found.undated == 1
    [everyone] = [curve for curve in found.curves if curve.group == survival.ALL]
    followed = _months(born, today)  # "Neither" is followed until today (their record was written today)
    rows = {p.age_months: (p.at_risk, p.events, p.free_percent) for p in everyone.points if p}
    # The gastrostomy counts in its month of age (6), the ventilation in its (12); both within the ages.
    assert _months(born, born + dt.timedelta(days=200)) == 6
    assert _months(born, born + dt.timedelta(days=380)) == 12
    assert rows[6] == (3, 1, round(100 * 2 / 3, 1))
    assert rows[12] == (2, 2, round(100 * 2 / 3 * 1 / 2, 1))
    assert rows[18] == (1, 2, round(100 * 2 / 3 * 1 / 2, 1))
    assert 18 < followed < 24 and 24 not in rows

    page = log_in(Client(), people.coordinator).get("/registry/dashboard/").content.decode()
    assert "Time to permanent ventilation or gastrostomy" in page
    assert "Still without either (estimate)" in page
    chart = log_in(Client(), people.coordinator).get(reverse("registry:survival_chart")).content.decode()
    assert "Everyone" in chart and "Still without either (%)" in chart


@pytest.mark.parametrize("limit", [5])
def test_a_small_registry_shows_no_age(people: Personas, settings: Any, limit: int) -> None:
    settings.SMANAV_SMALL_CELL_THRESHOLD = limit
    today = timezone.localdate()
    born = today - dt.timedelta(days=500)
    for number in range(3):
        patient = _child(people, f"Child {number}", born)
        _report(people, patient, "feeding", code="gastrostomy", date=born + dt.timedelta(days=100))
        _join(people, patient)
    all_summaries_refresh(as_of=today)
    with cohort_table(on=today) as cohort:
        found = survival.survival(cohort, limit=limit)
    assert all(point is None for curve in found.curves for point in curve.points)
    page = log_in(Client(), people.coordinator).get("/registry/dashboard/").content.decode()
    assert "Not shown: too few people" in page
