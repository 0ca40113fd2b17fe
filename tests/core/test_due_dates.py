"""Due, due soon and overdue; doses and safety tests as recorded.

One calculation gives every date: a care-plan item and its alert carry the same `due_on`. An item is
overdue once its date has passed with nothing later recorded, due soon within the knowledge base's window
(`monitoring.due_soon_days`), scheduled after that, and done when what it asks for is recorded. Doses
count from the last dose given; without recorded doses the label schedule counts from the course's start,
and nothing can be called overdue.

Each scenario: a title, the record's treatments, doses and tests, the region, and per schedule the
expected (due date, status) of the care-plan item; alerts must agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smanav_core import evaluate
from smanav_core.dates import day_words
from smanav_core.facts import add_months
from smanav_core.knowledge.loader import load_knowledge
from tests.core.records import AS_OF, record

NUS = "nusinersen"
DOSES = "monitoring.nusinersen.doses"
LABS = "monitoring.nusinersen.labs_us"
REVIEW = "care.respiratory.review_sitter"


def day(offset: int) -> str:
    """The day `offset` days after the evaluation date (negative: before it)."""
    return (AS_OF + dt.timedelta(days=offset)).isoformat()


def course(start: int, *doses: int, regimen: str | None = "nusinersen_12mg") -> dict[str, Any]:
    """One ongoing nusinersen course started `start` days from today, with doses on those days."""
    treatment: dict[str, Any] = {"therapy": NUS, "start_date": day(start), "end_date": None}
    if regimen is not None:
        treatment["regimen"] = regimen
    if doses:
        treatment["doses"] = [{"date": day(offset)} for offset in doses]
    return {"treatments": [treatment]}


def labs(offset: int, *tests: str) -> dict[str, Any]:
    chosen = tests or ("platelet_count", "coagulation", "urine_protein")
    return {"lab_tests": [{"date": day(offset), "test": test} for test in chosen]}


def evaluation(changes: dict[str, Any], region: str = "US") -> dict[str, Any]:
    base = {
        "birth_date": "2020-01-01",
        "clinical.symptomatic": True,
        "clinical.symptom_onset_age_months": 9,
        "clinical.current_motor_function": "sitter",
        "assessments": [{"date": day(-30), "instrument": "HFMSE", "value": 30}],
        **changes,
    }
    return evaluate(record(**base), region=region, as_of=AS_OF)


def dated(result: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        item["id"]: (item["due_on"], item["due_status"]) for item in result["care_plan"] if "due_on" in item
    }


# (title, changes, expected {item id: (due on, status)} for the nusinersen items)
SCENARIOS: list[tuple[str, dict[str, Any], dict[str, tuple[str, str]]]] = [
    (
        "no doses recorded: day 14 of the label schedule counted from the start, never overdue",
        course(-10),
        {DOSES: (day(4), "due_soon"), LABS: (day(4), "due_soon")},
    ),
    (
        "first two loading doses given: the third is 14 days after the second",
        course(-20, -20, -6),
        {DOSES: (day(8), "due_soon"), LABS: (day(8), "due_soon")},
    ),
    (
        "third loading dose given late: the fourth is 35 days after it, not on day 63",
        course(-60, -60, -46, -20),
        {DOSES: (day(15), "due_soon"), LABS: (day(15), "due_soon")},
    ),
    (
        "all four loading doses given: maintenance 4 months after the last",
        course(-100, -100, -86, -72, -37),
        {
            DOSES: (add_months(AS_OF - dt.timedelta(days=37), 4).isoformat(), "scheduled"),
            LABS: (add_months(AS_OF - dt.timedelta(days=37), 4).isoformat(), "scheduled"),
        },
    ),
    (
        "maintenance dose 5 months ago: the next one is overdue",
        course(-400, -400, -386, -372, -337, -150),
        {
            DOSES: (add_months(AS_OF - dt.timedelta(days=150), 4).isoformat(), "overdue"),
            LABS: (add_months(AS_OF - dt.timedelta(days=150), 4).isoformat(), "overdue"),
        },
    ),
    (
        "the dose that was due is recorded today: it clears, the next is 4 months away",
        course(-400, -400, -386, -372, -337, -150, 0),
        {
            DOSES: (add_months(AS_OF, 4).isoformat(), "scheduled"),
            LABS: (add_months(AS_OF, 4).isoformat(), "scheduled"),
        },
    ),
    (
        "only the last maintenance doses of a long course are recorded: maintenance, not loading",
        course(-1000, -340, -218, -96),
        {
            DOSES: (add_months(AS_OF - dt.timedelta(days=96), 4).isoformat(), "due_soon"),
            LABS: (add_months(AS_OF - dt.timedelta(days=96), 4).isoformat(), "due_soon"),
        },
    ),
    (
        "pre-dose tests recorded after the last dose: done for the coming dose",
        {**course(-20, -20, -6), **labs(-1)},
        {DOSES: (day(8), "due_soon"), LABS: (day(8), "done")},
    ),
    (
        "pre-dose tests recorded before the last dose belong to that dose: still due",
        {**course(-20, -20, -6), **labs(-7)},
        {DOSES: (day(8), "due_soon"), LABS: (day(8), "due_soon")},
    ),
    (
        "only some pre-dose tests recorded: not done",
        {**course(-20, -20, -6), **labs(-1, "platelet_count")},
        {DOSES: (day(8), "due_soon"), LABS: (day(8), "due_soon")},
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [pytest.param(*row[1:], id=row[0]) for row in SCENARIOS])
def test_nusinersen_scenario(changes: dict[str, Any], expected: dict[str, tuple[str, str]]) -> None:
    result = evaluation(changes)
    found = {key: value for key, value in dated(result).items() if key.startswith("monitoring.")}
    assert found == expected
    # One calculation: the alerts give the items' dates, and alert only what is overdue or due soon.
    alerts = {a["rule"]: a for a in result["alerts"] if a["code"] == "treatment_monitoring_due"}
    for item_id, (due_on, status) in expected.items():
        if status in ("overdue", "due_soon"):
            assert alerts[item_id]["due_on"] == due_on
            assert alerts[item_id]["due_status"] == status
            assert alerts[item_id]["severity"] == (
                "high" if status == "overdue" else alerts[item_id]["severity"]
            )
        else:
            assert item_id not in alerts


def test_an_overdue_dose_says_no_later_dose_is_recorded() -> None:
    result = evaluation(course(-400, -400, -386, -372, -337, -150))
    alert = next(a for a in result["alerts"] if a["rule"] == DOSES)
    assert alert["severity"] == "high"
    assert "no later dose is recorded" in alert["text"]
    item = next(i for i in result["care_plan"] if i["id"] == DOSES)
    assert (
        f"The last dose recorded was given on {day_words(AS_OF - dt.timedelta(days=150))}" in item["detail"]
    )
    assert item["last_done_on"] == day(-150)


def test_pre_dose_tests_of_an_earlier_dose_are_named_but_do_not_count() -> None:
    result = evaluation({**course(-20, -20, -6), **labs(-7)})
    item = next(i for i in result["care_plan"] if i["id"] == LABS)
    assert item["due_status"] == "due_soon"
    assert "Due with the next dose." in item["detail"]
    assert f"for an earlier dose, were done on {day_words(AS_OF - dt.timedelta(days=7))}" in item["detail"]


def test_without_recorded_doses_the_item_says_dates_count_from_the_start() -> None:
    item = next(i for i in evaluation(course(-10))["care_plan"] if i["id"] == DOSES)
    assert f"counted from its start on {day_words(AS_OF - dt.timedelta(days=10))}" in item["detail"]
    assert "last_done_on" not in item


def test_an_unrecorded_regimen_follows_the_only_regimen_in_the_rules_and_says_so() -> None:
    kb = load_knowledge()
    regimens = {
        r for s in kb.therapies.monitoring if s.therapy == NUS and "UK" in s.regions for r in s.regimens
    }
    assert len(regimens) == 1, "this scenario needs a region whose rules have one nusinersen regimen"
    item = next(i for i in evaluation(course(-10, regimen=None), "UK")["care_plan"] if i["id"] == DOSES)
    assert "regimen of this course is not recorded" in item["detail"]
    assert item["due_on"] == day(4)


@pytest.mark.parametrize(
    ("assessed_days_ago", "status", "alerted"),
    [
        pytest.param(160, "due_soon", False, id="review due in about 3 weeks: due soon, no alert"),
        pytest.param(100, "scheduled", False, id="review due in about 3 months: scheduled"),
        pytest.param(190, "overdue", True, id="review due date passed: overdue, alert"),
    ],
)
def test_review_due_soon_is_not_overdue(assessed_days_ago: int, status: str, alerted: bool) -> None:
    result = evaluation(
        {"assessments": [{"date": day(-assessed_days_ago), "instrument": "HFMSE", "value": 30}]}
    )
    due_on, found = dated(result)[REVIEW]
    assert found == status
    assert due_on == add_months(AS_OF - dt.timedelta(days=assessed_days_ago), 6).isoformat()
    overdue = [a for a in result["alerts"] if a["code"] == "assessment_overdue"]
    assert bool(overdue) is alerted
    for alert in overdue:
        assert alert["due_on"] == due_on and alert["due_status"] == "overdue"


def test_due_soon_window_comes_from_the_knowledge_base() -> None:
    assert load_knowledge().number("monitoring.due_soon_days") == 30


# --- the high-dose regimen: by region, first course or a switch from 12 mg ---------------------------------

HD = "nusinersen_high_dose"


def switched(*doses: int, region_start: int = -30) -> dict[str, Any]:
    """Years on 12 mg, then a high-dose course started `region_start` days ago with doses on those days."""
    return {
        "treatments": [
            {
                "therapy": NUS,
                "start_date": "2022-01-10",
                "end_date": day(region_start - 1),
                "regimen": "nusinersen_12mg",
            },
            {
                "therapy": NUS,
                "start_date": day(region_start),
                "end_date": None,
                "regimen": HD,
                "doses": [{"date": day(offset)} for offset in doses],
            },
        ]
    }


def items_of(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in result["care_plan"] if item["id"].startswith("monitoring.")}


@pytest.mark.parametrize(
    ("title", "changes", "region", "item_id", "due"),
    [
        (
            "EU, new to nusinersen: second 50 mg dose 14 days after the first",
            course(-5, -5, regimen=HD),
            "EU",
            "monitoring.nusinersen.high_dose_eu_first_course",
            (day(9), "due_soon"),
        ),
        (
            "EU, both loading doses given: 28 mg 4 months after the second",
            course(-20, -20, -6, regimen=HD),
            "EU",
            "monitoring.nusinersen.high_dose_eu_first_course",
            (add_months(AS_OF - dt.timedelta(days=6), 4).isoformat(), "scheduled"),
        ),
        (
            "EU, switching from 12 mg: one 50 mg dose, then 28 mg 4 months later",
            switched(-30),
            "EU",
            "monitoring.nusinersen.high_dose_eu_switch",
            (add_months(AS_OF - dt.timedelta(days=30), 4).isoformat(), "scheduled"),
        ),
        (
            "Japan, new to nusinersen: 50 mg twice 2 weeks apart",
            course(-5, -5, regimen=HD),
            "JP",
            "monitoring.nusinersen.high_dose_jp_first_course",
            (day(9), "due_soon"),
        ),
    ],
)
def test_high_dose_schedule(
    title: str, changes: dict[str, Any], region: str, item_id: str, due: tuple[str, str]
) -> None:
    found = items_of(evaluation(changes, region))
    assert (found[item_id]["due_on"], found[item_id]["due_status"]) == due, title
    assert not any(key.startswith("monitoring.nusinersen.doses") for key in found), (
        "no 12 mg schedule on high dose"
    )


@pytest.mark.parametrize(
    ("changes", "region", "item_id"),
    [
        pytest.param(
            course(-5, -5, regimen=HD), "US", "monitoring.nusinersen.high_dose_us", id="US schedule not read"
        ),
        pytest.param(
            switched(-30), "JP", "monitoring.nusinersen.high_dose_jp_switch", id="Japan switch not read"
        ),
    ],
)
def test_an_unconfirmed_high_dose_schedule_dates_nothing_and_says_so(
    changes: dict[str, Any], region: str, item_id: str
) -> None:
    result = evaluation(changes, region)
    item = items_of(result)[item_id]
    assert "due_on" not in item and "due_status" not in item
    assert "not confirmed" in item["detail"]
    assert not [a for a in result["alerts"] if a.get("rule") == item_id]


@pytest.mark.parametrize("region", ["US", "EU", "JP"])
def test_where_two_regimens_exist_an_unrecorded_one_is_asked_for(region: str) -> None:
    found = items_of(evaluation(course(-10, regimen=None), region))
    assert "monitoring.regimen_unknown" in found
    ask = found["monitoring.regimen_unknown"]
    assert "12 mg regimen or high-dose regimen" in ask["detail"] and "Record" in ask["title"]
    assert not [
        key for key, item in found.items() if "due_on" in item and "nusinersen" in key and "labs" not in key
    ]
