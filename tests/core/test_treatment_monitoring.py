"""Treatment monitoring: dose and lab schedules as care-plan items, and alerts when something falls due."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from smanav_core import evaluate
from smanav_core.codes import Region
from smanav_core.engine import evaluate_facts
from smanav_core.facts import PatientFacts, add_months, derive_facts
from smanav_core.knowledge.loader import _data_files, build_knowledge, load_knowledge
from smanav_core.rules.classification import classify
from smanav_core.rules.genetics import interpret_genetics
from smanav_core.rules.treatment_monitoring import (
    treatment_monitoring_alerts,
    treatment_monitoring_items,
)
from smanav_core.validation import validate_record
from tests.core.records import AS_OF, record

NUS = "nusinersen"
IV = "onasemnogene_abeparvovec_iv"
IT = "onasemnogene_abeparvovec_it"
RIS = "risdiplam"


def days_ago(days: int) -> str:
    return (AS_OF - dt.timedelta(days=days)).isoformat()


def on(day: str, therapy: str, *, ended: str | None = None) -> dict[str, Any]:
    """One course; nusinersen on the 12 mg regimen (the regions with a high dose too need to know which)."""
    course = {"therapy": therapy, "start_date": day, "end_date": ended}
    if therapy == NUS:
        course["regimen"] = "nusinersen_12mg"
    return {"treatments": [course]}


LIVER_AND_PLATELETS = ("liver_function", "platelet_count")


def labs_done(day: str, tests: tuple[str, ...] = LIVER_AND_PLATELETS) -> dict[str, Any]:
    """Safety tests recorded on `day` (by default the liver tests and the platelet count)."""
    return {"lab_tests": [{"date": day, "test": test} for test in tests]}


def facts_for(changes: dict[str, Any], region: str = "US") -> PatientFacts:
    kb = load_knowledge()
    base = {"birth_date": days_ago(800), **changes}
    facts = derive_facts(validate_record(record(**base), as_of=AS_OF), region=Region(region), as_of=AS_OF)
    facts = dataclasses.replace(facts, diagnosis=interpret_genetics(facts, kb).status)
    classification = classify(facts, kb)
    return dataclasses.replace(
        facts, sma_type=classification.sma_type, functional_group=classification.functional_group
    )


def alerts(changes: dict[str, Any], region: str = "US") -> dict[str, dict[str, Any]]:
    return {
        item.rule: item.to_json()
        for item in treatment_monitoring_alerts(facts_for(changes, region), load_knowledge())
    }


def items(changes: dict[str, Any], region: str = "US") -> dict[str, dict[str, Any]]:
    return {
        item.id: item.to_json()
        for item in treatment_monitoring_items(facts_for(changes, region), load_knowledge())
    }


TYPE_1 = {"clinical.symptomatic": True, "clinical.symptom_onset_age_months": 2}
TYPE_2 = {"clinical.symptomatic": True, "clinical.symptom_onset_age_months": 9}

# (name, changes, region, expected {schedule id: (due date, severity)}) — only the listed rules may alert.
ALERT_SCENARIOS: list[tuple[str, dict[str, Any], str, dict[str, tuple[str, str]]]] = [
    (
        "nusinersen loading: day 14 in 4 days (US dose and pre-dose labs)",
        on(days_ago(10), NUS),
        "US",
        {
            "monitoring.nusinersen.doses": (days_ago(-4), "medium"),
            "monitoring.nusinersen.labs_us": (days_ago(-4), "medium"),
        },
    ),
    (
        "nusinersen EU: no routine pre-dose labs",
        on(days_ago(10), NUS),
        "EU",
        {"monitoring.nusinersen.doses": (days_ago(-4), "medium")},
    ),
    (
        "nusinersen maintenance due in 14 days",
        on("2026-02-01", NUS),
        "UK",
        {"monitoring.nusinersen.doses": ("2026-12-05", "low")},
    ),
    ("nusinersen maintenance not due for months", on("2026-04-20", NUS), "US", {}),
    ("nusinersen ended", on("2026-02-01", NUS, ended="2026-06-01"), "US", {}),
    (
        "nusinersen JP infantile schedule (week 9)",
        {**TYPE_1, **on(days_ago(50), NUS)},
        "JP",
        {"monitoring.nusinersen.doses_jp_infantile": (days_ago(-13), "low")},
    ),
    (
        "nusinersen JP later-onset schedule (week 12)",
        {**TYPE_2, **on(days_ago(70), NUS)},
        "JP",
        {"monitoring.nusinersen.doses_jp_later_onset": (days_ago(-14), "low")},
    ),
    (
        "nusinersen JP later-onset: next dose 6 months after week 12",
        {**TYPE_2, **on("2026-03-01", NUS)},
        "JP",
        {"monitoring.nusinersen.doses_jp_later_onset": ("2026-11-24", "medium")},
    ),
    (
        "nusinersen JP type unknown: no schedule chosen",
        {"clinical.symptomatic": None, **on(days_ago(10), NUS)},
        "JP",
        {},
    ),
    (
        "Zolgensma day 10, no labs recorded: weekly tests",
        on(days_ago(10), IV, ended=days_ago(10)),
        "EU",
        {
            "monitoring.onasemnogene_iv.liver": (days_ago(-4), "medium"),
            "monitoring.onasemnogene_iv.platelets": (days_ago(-4), "medium"),
            "monitoring.onasemnogene_iv.troponin": (days_ago(-4), "medium"),
        },
    ),
    (
        "Zolgensma day 10, labs on day 2: overdue",
        {**on(days_ago(10), IV), **labs_done(days_ago(8))},
        "US",
        {
            "monitoring.onasemnogene_iv.liver": (days_ago(1), "high"),
            "monitoring.onasemnogene_iv.platelets": (days_ago(1), "high"),
            "monitoring.onasemnogene_iv.troponin": (days_ago(-4), "medium"),
        },
    ),
    (
        "Zolgensma day 40, labs on day 35: every other week",
        {**on(days_ago(40), IV), **labs_done(days_ago(5))},
        "US",
        {
            "monitoring.onasemnogene_iv.liver": (days_ago(-9), "low"),
            "monitoring.onasemnogene_iv.platelets": (days_ago(-9), "low"),
            "monitoring.onasemnogene_iv.troponin": (days_ago(-16), "low"),
        },
    ),
    (
        "Zolgensma day 86, labs on day 84: schedule complete",
        {**on(days_ago(86), IV), **labs_done(days_ago(2))},
        "US",
        {},
    ),
    (
        "Zolgensma day 80, labs before the infusion",
        {**on(days_ago(80), IV), **labs_done(days_ago(81))},
        "US",
        {
            "monitoring.onasemnogene_iv.liver": (days_ago(-4), "medium"),
            "monitoring.onasemnogene_iv.platelets": (days_ago(-4), "medium"),
            "monitoring.onasemnogene_iv.troponin": (days_ago(-4), "medium"),
        },
    ),
    ("Zolgensma 100 days ago: follow-up window over", on(days_ago(100), IV), "US", {}),
    (
        "Zolgensma day 85, labs on day 80: next test would fall after the window",
        {**on(days_ago(85), IV), **labs_done(days_ago(5))},
        "US",
        {},
    ),
    (
        "Itvisma day 10: weekly liver tests",
        on(days_ago(10), IT),
        "US",
        {"monitoring.onasemnogene_it.liver": (days_ago(-4), "medium")},
    ),
    (
        "Itvisma day 40, no labs: due now (taper dates not known)",
        on(days_ago(40), IT),
        "US",
        {"monitoring.onasemnogene_it.liver": (days_ago(0), "medium")},
    ),
    (
        "Itvisma day 40, labs on day 35: within two weeks",
        {**on(days_ago(40), IT), **labs_done(days_ago(5))},
        "EU",
        {"monitoring.onasemnogene_it.liver": (days_ago(-9), "low")},
    ),
    (
        "Itvisma day 60, labs on day 35: overdue",
        {**on(days_ago(60), IT), **labs_done(days_ago(25))},
        "EU",
        {"monitoring.onasemnogene_it.liver": (days_ago(11), "high")},
    ),
    ("risdiplam: advice only, no alerts", on(days_ago(10), RIS), "US", {}),
    ("no treatment", {}, "US", {}),
]


@pytest.mark.parametrize(
    ("changes", "region", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in ALERT_SCENARIOS],
)
def test_alert_scenario(changes: dict[str, Any], region: str, expected: dict[str, tuple[str, str]]) -> None:
    found = alerts(changes, region)
    assert {rule: (item["due_on"], item["severity"]) for rule, item in found.items()} == expected
    kb = load_knowledge()
    for item in found.values():
        assert item["code"] == "treatment_monitoring_due"
        assert item["text"] and item["therapy"] in item["rule"].replace(
            "onasemnogene_", "onasemnogene_abeparvovec_"
        )
        assert item["sources"] and all(source in kb.sources for source in item["sources"])


def test_overdue_text_says_so() -> None:
    found = alerts({**on(days_ago(10), IV), **labs_done(days_ago(8))})
    assert "was due on" in found["monitoring.onasemnogene_iv.liver"]["text"]
    assert "due on" in found["monitoring.onasemnogene_iv.troponin"]["text"]


def test_items_for_ongoing_nusinersen_in_the_us() -> None:
    found = items(on("2026-02-01", NUS))
    assert set(found) == {"monitoring.nusinersen.doses", "monitoring.nusinersen.labs_us"}
    for item in found.values():
        assert item["domain"] == "treatment_monitoring"
        assert item["interval_months"] == 4
        assert item["sources"]
    assert "1 Feb 2026" in found["monitoring.nusinersen.doses"]["detail"]
    assert "Due with the next dose." in found["monitoring.nusinersen.labs_us"]["detail"]


def test_items_follow_the_japanese_later_onset_schedule() -> None:
    found = items({**TYPE_2, **on("2026-02-01", NUS)}, "JP")
    assert found["monitoring.nusinersen.doses_jp_later_onset"]["interval_months"] == 6


def test_items_after_gene_therapy_have_no_interval_and_end_with_the_window() -> None:
    found = items(on(days_ago(20), IV, ended=days_ago(20)))
    assert set(found) == {
        "monitoring.onasemnogene_iv.liver",
        "monitoring.onasemnogene_iv.platelets",
        "monitoring.onasemnogene_iv.troponin",
        "monitoring.onasemnogene_iv.steroids",
    }
    assert all("interval_months" not in item for item in found.values())
    assert items(on(days_ago(120), IV)) == {}


def test_risdiplam_item_carries_the_pregnancy_and_fertility_points() -> None:
    found = items(on(days_ago(200), RIS), "CA")
    assert list(found) == ["monitoring.risdiplam.pregnancy_and_fertility"]
    assert "contraception" in found["monitoring.risdiplam.pregnancy_and_fertility"]["detail"]


def test_a_second_course_restarts_the_schedule() -> None:
    changes = {
        "treatments": [
            {
                "therapy": NUS,
                "start_date": "2025-01-01",
                "end_date": "2025-06-01",
                "regimen": "nusinersen_12mg",
            },
            {"therapy": NUS, "start_date": days_ago(10), "end_date": None, "regimen": "nusinersen_12mg"},
        ]
    }
    assert alerts(changes)["monitoring.nusinersen.doses"]["due_on"] == days_ago(-4)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 11, 15), 4, dt.date(2027, 3, 15)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_whole_month_intervals_are_integers_like_the_care_plans() -> None:
    treatments = [
        {"therapy": "nusinersen", "start_date": "2024-01-10", "end_date": None, "regimen": "nusinersen_12mg"}
    ]
    plan = evaluate(record(birth_date="2020-01-01", treatments=treatments), as_of=AS_OF)["care_plan"]
    intervals = [
        i["interval_months"] for i in plan if i["domain"] == "treatment_monitoring" and "interval_months" in i
    ]
    assert intervals, "nusinersen has a maintenance schedule with an interval"
    assert all(type(months) is int for months in intervals)


def test_the_same_facts_read_with_another_knowledge_base_follow_that_knowledge_base() -> None:
    """Items and alerts worked out with one knowledge base are never handed out for another."""
    facts = facts_for(on(days_ago(10), NUS))
    shipped = load_knowledge()
    doses = next(item for item in shipped.therapies.monitoring if item.id == "monitoring.nusinersen.doses")
    files = dict(_data_files())
    wording = doses.text[:40].encode()
    assert files["therapies.toml"].count(wording) == 1, f"therapies.toml no longer says {wording!r}"
    files["therapies.toml"] = files["therapies.toml"].replace(wording, b"EDITED " + wording)
    edited_kb = build_knowledge(files)
    for kb, edited in ((shipped, False), (edited_kb, True), (shipped, False)):
        item = {found.id: found for found in treatment_monitoring_items(facts, kb)}[doses.id]
        alert = {found.rule: found for found in treatment_monitoring_alerts(facts, kb)}[doses.id]
        assert ("EDITED" in item.detail) is edited
        assert ("EDITED" in alert.text) is edited
        assert ("EDITED" in str(evaluate_facts(facts, kb))) is edited


def test_schedules_chosen_before_the_type_was_known_are_chosen_again_once_it_is() -> None:
    changes = {"birth_date": days_ago(800), **TYPE_2, **on("2026-02-01", NUS)}
    facts = derive_facts(validate_record(record(**changes), as_of=AS_OF), region=Region.JP, as_of=AS_OF)
    later_onset = "monitoring.nusinersen.doses_jp_later_onset"
    kb = load_knowledge()
    assert later_onset not in {item.id for item in treatment_monitoring_items(facts, kb)}
    assert later_onset in {item["id"] for item in evaluate_facts(facts, kb)["care_plan"]}
