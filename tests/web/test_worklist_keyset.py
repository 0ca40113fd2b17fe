"""The worklist's pages by keyset (ADR 0028): walking the "next" links lists every patient of the clinic
exactly once in each sort, with ties (same name, same birth date, same counts), forwards and backwards,
across filters; a malformed or forged cursor shows the first page and says so, never an error; a cursor
only positions the page, so it reveals nobody outside the clinic; the links read as pages."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.patients import views
from smanav.patients.models import ClinicShare, ClinicWorklistCounts, PatientSummary
from smanav.patients.selectors import (
    WORKLIST_SORTS,
    WorklistFilter,
    WorklistPosition,
    patient_worklist_page,
)
from smanav.patients.services import clinic_share_invite, patient_create
from smanav.patients.services.worklist_counts import clinic_counts_recount

# name, birth date, urgency rank, high alerts, alerts (codes), overdue, last measured: ties on purpose.
ROWS: list[tuple[str, str, int, int, str, int, str | None]] = [
    ("Bea", "2019-05-05", 2, 1, "motor_decline measure_trend", 1, "2026-10-01"),
    ("Bea", "2019-05-05", 2, 1, "motor_decline measure_trend", 1, "2026-10-01"),
    ("Bea", "2019-05-05", 1, 0, "motor_decline", 0, None),
    ("Cal", "2021-01-01", 1, 0, "motor_decline", 2, "2026-09-01"),
    ("Cal", "2019-05-05", 0, 0, "", 0, None),
    ("Dot", "2021-01-01", 0, 0, "", 0, "2026-09-01"),
    ("Eli", "2017-02-02", 2, 0, "assessment_overdue", 3, "2025-01-01"),
    ("Eli", "2017-02-02", 0, 0, "", 0, "2025-01-01"),
    ("Fay", "2023-07-07", 1, 1, "motor_decline", 0, "2026-10-01"),
    ("Gus", "2019-05-05", 0, 0, "", 1, None),
    ("Gus", "2016-03-03", 1, 0, "measure_trend", 0, "2026-11-01"),
]
URGENCY = {0: "routine", 1: "prompt", 2: "urgent"}


def _seed(people: Personas) -> list[int]:
    """The ROWS as records shared with the clinic, their summaries set to the row's values (Ada, the
    personas' shared child, is on the list too)."""
    ids = []
    for name, born, rank, high, codes, overdue, seen in ROWS:
        patient = patient_create(
            author=people.parent,
            display_name=name,
            document={"birth_date": born, "region": "US"},
            as_of=AS_OF,
        )
        clinic_share_invite(author=people.parent, patient_id=patient.pk, clinic=people.clinic)
        PatientSummary.objects.filter(patient=patient).update(
            urgency=URGENCY[rank],
            urgency_rank=rank,
            high_alert_count=high,
            alert_count=len(codes.split()),
            alert_codes=codes,
            overdue_count=overdue,
            last_assessment_on=None if seen is None else dt.date.fromisoformat(seen),
        )
        ids.append(patient.pk)
    clinic_counts_recount()
    return ids


def _expected(people: Personas, sort: str, filters: WorklistFilter) -> list[int]:
    """The clinic's records in the sort's order, worked out here in Python from the summaries."""
    summaries = list(PatientSummary.objects.filter(patient__shares__clinic=people.clinic))
    if filters.urgency:
        summaries = [s for s in summaries if s.urgency == filters.urgency]
    if filters.alert:
        summaries = [s for s in summaries if filters.alert in s.alert_codes.split()]
    if filters.due == "overdue":
        summaries = [s for s in summaries if s.overdue_count > 0]
    earliest = dt.date(1, 1, 1)
    keys: dict[str, Any] = {
        "priority": lambda s: (-s.urgency_rank, -s.high_alert_count, -s.alert_count, s.display_name, s.pk),
        "name": lambda s: (s.display_name, s.pk),
        "age": lambda s: (-(s.birth_date or earliest).toordinal(), -s.pk),
        "alerts": lambda s: (-s.alert_count, s.display_name, s.pk),
        "overdue": lambda s: (-s.overdue_count, s.display_name, s.pk),
        "last_seen": lambda s: (s.last_assessment_on or earliest, s.display_name, s.pk),
    }
    return [s.pk for s in sorted(summaries, key=keys[sort])]


def _walk(people: Personas, filters: WorklistFilter, per_page: int) -> tuple[list[int], list[list[int]]]:
    """Every page from the first by its "next" cursor, then back by its "previous" cursor: the ids in
    the order read forwards, and the pages read backwards (last page first)."""
    forwards: list[list[int]] = []
    position = WorklistPosition()
    while True:
        page = patient_worklist_page(
            clinic=people.clinic, filters=filters, position=position, per_page=per_page
        )
        forwards.append([row.pk for row in page])
        assert page.number == len(forwards)
        assert page.has_previous == (len(forwards) > 1)
        if not page.has_next:
            break
        position = WorklistPosition(after=page.next_cursor, number=page.number + 1)
    backwards = [forwards[-1]]
    while page.has_previous:
        position = WorklistPosition(before=page.previous_cursor, number=page.number - 1)
        page = patient_worklist_page(
            clinic=people.clinic, filters=filters, position=position, per_page=per_page
        )
        backwards.append([row.pk for row in page])
    return [pk for rows in forwards for pk in rows], backwards


@pytest.mark.django_db
@pytest.mark.parametrize("sort", list(WORKLIST_SORTS))
@pytest.mark.parametrize(
    "filters",
    [{}, {"urgency": "prompt"}, {"alert": "motor_decline"}, {"due": "overdue"}],
    ids=["no filter", "prompt", "motor decline", "overdue"],
)
def test_walking_the_pages_lists_every_patient_once_in_order_both_ways(
    people: Personas, sort: str, filters: dict[str, str]
) -> None:
    _seed(people)
    chosen = WorklistFilter(sort=sort, **filters)
    expected = _expected(people, sort, chosen)
    assert len(expected) >= 3  # every case walks more than one page of 2
    read, backwards = _walk(people, chosen, per_page=2)
    assert read == expected
    pages = [expected[start : start + 2] for start in range(0, len(expected), 2)]
    assert backwards == list(reversed(pages))


@pytest.mark.django_db
def test_a_page_after_the_last_row_is_empty_and_leads_back(people: Personas) -> None:
    _seed(people)
    filters = WorklistFilter(sort="name")
    last = patient_worklist_page(
        clinic=people.clinic, filters=filters, position=WorklistPosition(), per_page=100
    )
    assert not last.has_next
    beyond = WorklistPosition(after=_cursor(["Zed", 10**6]), number=9)
    page = patient_worklist_page(clinic=people.clinic, filters=filters, position=beyond, per_page=5)
    assert list(page) == [] and page.has_previous and not page.has_next


def _cursor(values: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"after": "not a cursor!"},
        {"after": _cursor(["Bea"])},  # too few keys for the sort
        {"after": _cursor([1, 2])},  # a number where the name goes
        {"after": _cursor([True, 2])},
        {"after": _cursor(["Bea", 2**40])},  # beyond any id
        {"after": _cursor(["Bea", 3]), "sort": "age"},  # a name where the birth date goes
        {"before": base64.urlsafe_b64encode(b"\xff\xfe").decode()},
        {"after": "A" * 5000},
        {"before": _cursor(["x\u0000", 1])},
    ],
)
def test_a_malformed_or_forged_cursor_shows_the_first_page_and_says_so(
    people: Personas, query: dict[str, str]
) -> None:
    _seed(people)
    client = log_in(Client(), people.clinician)
    response = client.get(reverse("patients:worklist"), {"sort": "name", "page": "7", **query})
    assert response.status_code == 200
    assert (
        "That page link no longer works, so the list starts again at its first page."
        in response.content.decode()
    )
    first = client.get(reverse("patients:worklist"), {"sort": query.get("sort", "name")}).context["page"]
    assert [row.pk for row in response.context["page"]] == [row.pk for row in first]
    assert response.context["page"].number == 1


@pytest.mark.django_db
def test_a_cursor_only_positions_the_page_it_reveals_nobody_outside_the_clinic(people: Personas) -> None:
    _seed(people)
    # Cleo's record is shared with the other clinic only; a cursor just before her name leads on to
    # this clinic's next records, and one naming her exact keys reveals nothing either.
    client = log_in(Client(), people.clinician)
    for cursor in (_cursor(["Cl", 0]), _cursor(["Cleo", people.adult_record.pk - 1])):
        page = client.get(reverse("patients:worklist"), {"sort": "name", "after": cursor, "page": "2"})
        names = [row.display_name for row in page.context["page"]]
        assert "Cleo" not in names
        assert names[:1] == ["Dot"]
        assert "Cleo" not in page.content.decode()
    # Ben (the parent's private child) is on nobody's worklist, whatever the cursor.
    page = client.get(reverse("patients:worklist"), {"sort": "name", "after": _cursor(["Bem", 0])})
    assert "Ben" not in [row.display_name for row in page.context["page"]]


@pytest.mark.django_db
def test_a_withdrawn_share_leaves_the_walk(people: Personas) -> None:
    ids = _seed(people)
    ClinicShare.objects.filter(patient_id=ids[3], clinic=people.clinic).update(
        withdrawn_at=dt.datetime.now(dt.UTC)
    )
    read, _backwards = _walk(people, WorklistFilter(sort="priority"), per_page=3)
    assert ids[3] not in read
    assert sorted(read) == sorted([*ids[:3], *ids[4:], people.shared_child.pk])


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return None if found is None else found.group(1).replace("&amp;", "&")


@pytest.mark.django_db
def test_the_pager_links_walk_the_worklist_and_read_as_pages(people: Personas, monkeypatch: Any) -> None:
    _seed(people)
    monkeypatch.setattr(views, "WORKLIST_PAGE_SIZE", 5)
    client = log_in(Client(), people.clinician)
    url = reverse("patients:worklist")
    html = client.get(url, {"sort": "age"}).content.decode()
    assert "Page 1 of 3" in html and _link(html, "prev") is None
    seen = []
    pages = 1
    while (following := _link(html, "next")) is not None:
        response = client.get(url + following)
        html = response.content.decode()
        pages += 1
        assert f"Page {pages} of 3" in html
        assert "sort=age" in following
        seen += [row.pk for row in response.context["page"]]
    assert pages == 3 and len(seen) == 12 - 5
    # Back from the last page: page 2, then the first page, whose link carries no cursor.
    back = _link(html, "prev")
    assert back is not None and "before=" in back
    html = client.get(url + back).content.decode()
    assert "Page 2 of 3" in html
    first = _link(html, "prev")
    assert first == "?sort=age"


@pytest.mark.django_db
def test_a_filtered_worklist_counts_its_matches_only_up_to_a_bound(
    people: Personas, monkeypatch: Any
) -> None:
    _seed(people)
    client = log_in(Client(), people.clinician)
    url = reverse("patients:worklist")
    assert "5 patients match." in client.get(url, {"alert": "motor_decline"}).content.decode()
    monkeypatch.setattr("smanav.patients.selectors.MATCHES_COUNTED_UP_TO", 3)
    response = client.get(url, {"alert": "motor_decline"})
    assert "More than 3 patients match." in response.content.decode()
    assert response.context["pages"] is None
    # One filter alone that is a headline number is read from the kept numbers, not counted.
    assert "5 patients match." in client.get(url, {"due": "overdue"}).content.decode()
    ClinicWorklistCounts.objects.filter(clinic=people.clinic).update(overdue=99)
    assert "99 patients match." in client.get(url, {"due": "overdue"}).content.decode()


@pytest.mark.django_db
def test_a_deep_page_asks_no_more_queries_than_the_first(
    people: Personas, monkeypatch: Any, django_assert_max_num_queries: Any
) -> None:
    _seed(people)
    monkeypatch.setattr(views, "WORKLIST_PAGE_SIZE", 2)
    client = log_in(Client(), people.clinician)
    url = reverse("patients:worklist")
    client.get(url, {"sort": "priority", "alert": "motor_decline"})
    with django_assert_max_num_queries(14) as first:
        html = client.get(url, {"sort": "priority", "alert": "motor_decline"}).content.decode()
    # Read now: the next request starts by clearing the connection's log of queries.
    asked = len(first.captured_queries)
    assert asked > 0
    following = _link(html, "next")
    assert following is not None
    html = client.get(url + following).content.decode()
    following = _link(html, "next")
    assert following is not None and "page=3" in following
    with django_assert_max_num_queries(asked):
        client.get(url + following)
