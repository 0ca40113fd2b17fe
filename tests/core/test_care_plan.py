"""Care plan from the standards of care: table-driven scenarios through `smanav_core.evaluate`.

Each scenario names a person (diagnosis, current function, age, spine, breathing, feeding, region,
treatments) and the care-plan items that must and must not appear. A clinician can review the table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from smanav_core import evaluate, load_knowledge
from smanav_core.codes import CareDomain
from smanav_core.evaluation import TreatmentMonitoringItem
from smanav_core.knowledge.schema.base import NOT_CONFIRMED
from smanav_core.knowledge.schema.care import CareItem
from smanav_core.rules import care_plan as care_plan_module
from smanav_core.rules.care_plan import add_months
from tests.core.records import AS_OF, born_months_ago, record

DOMAIN_RANK = {domain.value: rank for rank, domain in enumerate(CareDomain)}
GROUP_SPECIFIC = {item.id for item in load_knowledge().care_plan.care_item if item.functional_groups}


def person(
    group: str | None,
    age_months: float,
    *,
    onset_months: float | None = None,
    assessments: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """Someone with genetically confirmed 5q SMA, symptomatic from `onset_months` (default: no symptoms)."""
    fields: dict[str, Any] = {
        "birth_date": born_months_ago(age_months),
        "weight_kg": ...,
        "clinical.current_motor_function": ... if group is None else group,
        "assessments": assessments or [],
    }
    if onset_months is not None:
        fields["clinical.symptomatic"] = True
        fields["clinical.symptom_onset_age_months"] = onset_months
    fields.update(changes)
    return record(**fields)


def plan(rec: dict[str, Any], as_of: dt.date = AS_OF) -> list[dict[str, Any]]:
    return list(evaluate(rec, as_of=as_of)["care_plan"])


def ids(rec: dict[str, Any]) -> set[str]:
    return {item["id"] for item in plan(rec)}


def cobb(value: float, date: str = "2026-09-01") -> list[dict[str, Any]]:
    return [{"date": date, "instrument": "COBB_DEG", "value": value}]


SCENARIOS: list[tuple[str, dict[str, Any], set[str], set[str]]] = [
    (
        "non-sitter infant of 4 months: 3-monthly breathing review, CHOP INTEND, RSV; no flu vaccine yet",
        person("non_sitter", 4, onset_months=2),
        {
            "care.coordination.specialist_centre",
            "care.genetics.family_counselling",
            "care.neuromuscular.motor_non_sitter",
            "care.rehabilitation.physio_non_sitter",
            "care.orthopaedic.spine_non_sitter",
            "care.respiratory.review_non_sitter",
            "care.respiratory.sleep_non_sitter",
            "care.respiratory.airway_clearance_non_sitter",
            "care.nutrition.swallow_non_sitter",
            "care.immunisation.rsv_non_sitter",
            "care.acute_care.illness_fluids_non_sitter",
            "care.palliative.from_diagnosis",
        },
        {
            "care.immunisation.influenza",
            "care.coordination.functional_group_needed",
            "care.respiratory.review_sitter",
            "care.immunisation.rsv_uk",
            "care.psychosocial.adult_services",
        },
    ),
    (
        "non-sitter of 10 months: yearly flu vaccine from 6 months",
        person("non_sitter", 10, onset_months=2),
        {"care.immunisation.influenza", "care.immunisation.rsv_non_sitter"},
        set(),
    ),
    (
        "non-sitter of 3 years: no RSV item after age 2",
        person("non_sitter", 36, onset_months=2),
        {"care.immunisation.influenza"},
        {"care.immunisation.rsv_non_sitter"},
    ),
    (
        "sitter child of 5: 6-monthly breathing review, HFMSE, powered wheelchair, 23-valent pneumococcal",
        person("sitter", 60, onset_months=9),
        {
            "care.neuromuscular.motor_sitter",
            "care.rehabilitation.physio_sitter",
            "care.rehabilitation.wheelchair_sitter",
            "care.orthopaedic.spine_sitter",
            "care.orthopaedic.hips",
            "care.respiratory.review_sitter",
            "care.respiratory.sleep_sitter",
            "care.nutrition.sitter",
            "care.immunisation.pneumococcal_23_sitter",
        },
        {
            "care.respiratory.review_non_sitter",
            "care.immunisation.rsv_non_sitter",
            "care.respiratory.niv_settings_sitter",
            "care.nutrition.swallow_non_sitter",
        },
    ),
    (
        "walker child of 10: timed tests, breathing on warning signs only, no fixed review",
        person("walker", 120, onset_months=24),
        {
            "care.neuromuscular.motor_walker",
            "care.rehabilitation.physio_walker",
            "care.orthopaedic.spine_walker",
            "care.respiratory.walker",
            "care.bone_health.programme",
        },
        {
            "care.respiratory.review_non_sitter",
            "care.respiratory.review_sitter",
            "care.orthopaedic.hips",
            "care.psychosocial.adult_services",
        },
    ),
    (
        "adult walker of 30: adult services",
        person("walker", 360, onset_months=300),
        {"care.psychosocial.adult_services", "care.respiratory.walker"},
        {"care.immunisation.rsv_non_sitter"},
    ),
    (
        "adult sitter of 25",
        person("sitter", 300, onset_months=12),
        {"care.psychosocial.adult_services", "care.respiratory.review_sitter"},
        set(),
    ),
    (
        "functional group unknown: items for everyone and a request to record it",
        person(None, 30, onset_months=9),
        {
            "care.coordination.functional_group_needed",
            "care.coordination.specialist_centre",
            "care.bone_health.programme",
            "care.acute_care.emergency_plan",
        },
        GROUP_SPECIFIC,
    ),
    (
        "not tested: confirm the diagnosis, specialist assessment, nothing else",
        person("non_sitter", 4, genetics=...),
        {"care.genetics.confirm_diagnosis", "care.coordination.specialist_assessment"},
        {"care.coordination.specialist_centre", "care.respiratory.review_non_sitter"},
    ),
    (
        "positive newborn screen (inconclusive): confirm the diagnosis",
        person("non_sitter", 0.3, **{"genetics.method": "newborn_screening"}),
        {"care.genetics.confirm_diagnosis"},
        {"care.respiratory.review_non_sitter"},
    ),
    (
        "carrier: genetic counselling only",
        person("walker", 360, **{"genetics.smn1_copies": 1}),
        {"care.genetics.carrier_counselling"},
        {"care.genetics.confirm_diagnosis", "care.respiratory.walker"},
    ),
    (
        "5q SMA unlikely: look for other causes",
        person("walker", 360, onset_months=300, **{"genetics.smn1_copies": 2}),
        {"care.coordination.other_causes"},
        {"care.coordination.specialist_centre"},
    ),
    (
        "sitter with a 35 degree curve: repeat X-ray and brace, no surgery",
        person("sitter", 96, onset_months=9, assessments=cobb(35)),
        {"care.orthopaedic.spine_xray_cobb_over_20", "care.orthopaedic.spinal_brace"},
        {"care.orthopaedic.spinal_surgery"},
    ),
    (
        "non-sitter with a 55 degree curve: repeat X-ray and discuss surgery, no brace",
        person("non_sitter", 96, onset_months=2, assessments=cobb(55)),
        {"care.orthopaedic.spine_xray_cobb_over_20", "care.orthopaedic.spinal_surgery"},
        {"care.orthopaedic.spinal_brace"},
    ),
    (
        "exactly 20 degrees is not above 20: brace considered, no 6-monthly X-ray item",
        person("sitter", 96, onset_months=9, assessments=cobb(20)),
        {"care.orthopaedic.spinal_brace"},
        {"care.orthopaedic.spine_xray_cobb_over_20"},
    ),
    (
        "Cobb angle unknown: no curve-dependent item, the spine item asks for it",
        person("sitter", 96, onset_months=9),
        {"care.orthopaedic.spine_sitter"},
        {
            "care.orthopaedic.spine_xray_cobb_over_20",
            "care.orthopaedic.spinal_brace",
            "care.orthopaedic.spinal_surgery",
        },
    ),
    (
        "walker with a 35 degree curve: no confirmed X-ray interval for walkers",
        person("walker", 144, onset_months=24, assessments=cobb(35)),
        {"care.orthopaedic.spine_walker"},
        {"care.orthopaedic.spine_xray_cobb_over_20", "care.orthopaedic.spinal_brace"},
    ),
    (
        "Cobb angle from the clinical field when no X-ray assessment is recorded",
        person("sitter", 96, onset_months=9, **{"clinical.scoliosis_cobb_deg": 25}),
        {"care.orthopaedic.spine_xray_cobb_over_20"},
        set(),
    ),
    (
        "sitter on night-time NIV: NIV settings",
        person("sitter", 96, onset_months=9, **{"clinical.ventilation": "niv_sleep_only"}),
        {"care.respiratory.niv_settings_sitter"},
        set(),
    ),
    (
        "sitter without ventilation: no NIV item",
        person("sitter", 96, onset_months=9, **{"clinical.ventilation": "none"}),
        set(),
        {"care.respiratory.niv_settings_sitter"},
    ),
    (
        "non-sitter fed by nasogastric tube: long-term feeding discussed",
        person("non_sitter", 8, onset_months=2, **{"clinical.feeding": "nasogastric_tube"}),
        {"care.nutrition.nasogastric_tube"},
        set(),
    ),
    (
        "non-sitter fed by mouth: no tube item",
        person("non_sitter", 8, onset_months=2, **{"clinical.feeding": "oral"}),
        set(),
        {"care.nutrition.nasogastric_tube"},
    ),
    (
        "UK non-sitter infant: the UK note on RSV protection",
        person("non_sitter", 8, onset_months=2, region="UK"),
        {"care.immunisation.rsv_uk", "care.immunisation.rsv_non_sitter"},
        set(),
    ),
    (
        "after gene therapy: steroid plan and continued supportive care",
        person(
            "non_sitter",
            8,
            onset_months=2,
            treatments=[
                {
                    "therapy": "onasemnogene_abeparvovec_iv",
                    "start_date": "2026-09-01",
                    "end_date": "2026-09-01",
                }
            ],
        ),
        {
            "care.acute_care.steroids_after_gene_therapy",
            "care.treatment_monitoring.supportive_care_continues",
        },
        set(),
    ),
    (
        "on nusinersen: continued supportive care, no gene-therapy steroid item",
        person(
            "sitter",
            60,
            onset_months=9,
            treatments=[{"therapy": "nusinersen", "start_date": "2025-01-01", "end_date": None}],
        ),
        {"care.treatment_monitoring.supportive_care_continues"},
        {"care.acute_care.steroids_after_gene_therapy"},
    ),
    (
        "untreated: no treatment items",
        person("sitter", 60, onset_months=9),
        set(),
        {
            "care.treatment_monitoring.supportive_care_continues",
            "care.acute_care.steroids_after_gene_therapy",
        },
    ),
]


@pytest.mark.parametrize(
    ("rec", "present", "absent"),
    [pytest.param(rec, present, absent, id=name) for name, rec, present, absent in SCENARIOS],
)
def test_care_plan_scenarios(rec: dict[str, Any], present: set[str], absent: set[str]) -> None:
    found = ids(rec)
    assert present <= found, sorted(present - found)
    assert not (absent & found), sorted(absent & found)


@pytest.mark.parametrize(
    ("rec", "expected"),
    [
        pytest.param(person("non_sitter", 4, genetics=...), ["coordination", "genetics"], id="not tested"),
        pytest.param(person("walker", 360, **{"genetics.smn1_copies": 1}), ["genetics"], id="carrier"),
    ],
)
def test_other_diagnoses_only_get_genetics_and_coordination(rec: dict[str, Any], expected: list[str]) -> None:
    assert [item["domain"] for item in plan(rec)] == expected


@pytest.mark.parametrize(
    "rec",
    [
        pytest.param(person("non_sitter", 8, onset_months=2, assessments=cobb(55)), id="non-sitter"),
        pytest.param(person("sitter", 60, onset_months=9), id="sitter"),
        pytest.param(person("walker", 360, onset_months=300), id="walker"),
        pytest.param(person(None, 30, onset_months=9), id="unknown group"),
    ],
)
def test_items_are_ordered_by_domain_and_well_formed(rec: dict[str, Any]) -> None:
    items = plan(rec)
    kb = load_knowledge()
    ranks = [DOMAIN_RANK[item["domain"]] for item in items]
    assert ranks == sorted(ranks)
    assert len({item["id"] for item in items}) == len(items)
    for item in items:
        assert item["title"] and item["detail"]
        assert item["sources"] and all(source in kb.sources for source in item["sources"])
        assert "interval_months" not in item or isinstance(item["interval_months"], int)
        assert "due_on" not in item or "interval_months" in item


@pytest.mark.parametrize(
    ("item_id", "interval"),
    [
        ("care.respiratory.review_non_sitter", 3),
        ("care.respiratory.review_sitter", 6),
        ("care.orthopaedic.spine_xray_cobb_over_20", 6),
        ("care.immunisation.influenza", 12),
        ("care.respiratory.walker", None),
        ("care.orthopaedic.spine_walker", None),
        ("care.orthopaedic.hips", None),
        ("care.bone_health.programme", None),
        ("care.nutrition.swallow_non_sitter", None),
    ],
)
def test_intervals_come_from_the_sources_or_are_absent(item_id: str, interval: int | None) -> None:
    item = load_knowledge().care_plan.by_id[item_id]
    assert item.interval_months == interval
    if interval is None and item_id != "care.orthopaedic.hips":
        assert "not confirmed" in item.detail or "no fixed" in item.detail


def test_unconfirmed_intervals_say_so() -> None:
    for item_id in (
        "care.orthopaedic.hips",
        "care.bone_health.programme",
        "care.respiratory.walker",
        "care.orthopaedic.spine_walker",
        "care.respiratory.sleep_non_sitter",
        "care.nutrition.swallow_non_sitter",
    ):
        assert "not confirmed" in load_knowledge().care_plan.by_id[item_id].detail


@pytest.mark.parametrize(
    ("assessments", "item_id", "due"),
    [
        pytest.param(
            cobb(35, "2026-03-15"), "care.orthopaedic.spine_xray_cobb_over_20", "2026-09-15", id="spine X-ray"
        ),
        pytest.param(
            [
                {"date": "2026-02-10", "instrument": "HFMSE", "value": 30},
                {"date": "2026-05-31", "instrument": "WEIGHT_KG", "value": 20},
            ],
            "care.respiratory.review_sitter",
            "2026-11-30",
            id="review from the latest assessment of any kind",
        ),
        pytest.param(
            [{"date": "2026-08-31", "instrument": "HFMSE", "value": 30}],
            "care.respiratory.review_sitter",
            "2027-02-28",
            id="month end",
        ),
    ],
)
def test_due_dates(assessments: list[dict[str, Any]], item_id: str, due: str) -> None:
    items = {item["id"]: item for item in plan(person("sitter", 96, onset_months=9, assessments=assessments))}
    assert items[item_id]["due_on"] == due


def test_no_due_date_without_a_dated_assessment() -> None:
    rec = person("sitter", 96, onset_months=9, **{"clinical.scoliosis_cobb_deg": 25})
    items = {item["id"]: item for item in plan(rec)}
    assert "due_on" not in items["care.orthopaedic.spine_xray_cobb_over_20"]
    assert "due_on" not in items["care.respiratory.review_sitter"]
    assert items["care.respiratory.review_sitter"]["interval_months"] == 6


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 12, dt.date(2027, 12, 15)),
        (dt.date(2026, 5, 21), 6, dt.date(2026, 11, 21)),
    ],
)
def test_add_months(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_unconfirmed_item_is_flagged() -> None:
    kb = load_knowledge()
    care = kb.care_plan
    rows = tuple(
        item.model_copy(update={"confirmed": False}) if item.id == "care.bone_health.programme" else item
        for item in care.care_item
    )
    changed_care = type(care).model_validate({**dict(care), "care_item": rows})
    changed = dataclasses.replace(kb, files={**kb.files, "care_plan": changed_care})
    sitter = person("sitter", 60, onset_months=9)
    for kb, flagged in ((load_knowledge(), False), (changed, True)):
        items = {item["id"]: item for item in evaluate(sitter, as_of=AS_OF, knowledge=kb)["care_plan"]}
        assert items["care.bone_health.programme"]["detail"].endswith(f"({NOT_CONFIRMED})") is flagged


BASE_ITEM: dict[str, Any] = {
    "id": "care.test",
    "domain": "coordination",
    "title": "Test",
    "detail": "Test item",
    "sources": ["smacare_setup"],
    "evidence": "secondary",
    "reviewed_on": "2026-11-21",
}


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(
            {"only_when_group_unknown": True, "functional_groups": ["sitter"]}, id="unknown and named group"
        ),
        pytest.param({"due_from_any_assessment": True}, id="due date without interval"),
        pytest.param({"due_from_instruments": ["COBB_DEG"]}, id="due instrument without interval"),
        pytest.param({"min_age_months": 24, "max_age_months": 12}, id="age range reversed"),
        pytest.param({"cobb_above_deg": 50, "cobb_below_deg": 20}, id="Cobb range reversed"),
    ],
)
def test_inconsistent_items_are_rejected(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CareItem.model_validate({**BASE_ITEM, **changes})


def test_consistent_item_is_accepted() -> None:
    item = CareItem.model_validate(
        {**BASE_ITEM, "interval_months": 6, "min_age_months": 1, "max_age_months": 2, "cobb_above_deg": 1}
    )
    assert item.needs_cobb


def test_treatment_monitoring_items_are_merged_in_domain_order(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = TreatmentMonitoringItem("tm.test", CareDomain.TREATMENT_MONITORING, "t", "d", None, ())
    monkeypatch.setattr(
        care_plan_module, "treatment_monitoring_items", lambda facts, kb, monitoring=None: [extra]
    )
    items = plan(person("sitter", 60, onset_months=9))
    ranks = [DOMAIN_RANK[item["domain"]] for item in items]
    assert extra.to_json() in items
    assert ranks == sorted(ranks)


def test_plan_without_treatment_monitoring_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(care_plan_module, "treatment_monitoring_items", lambda facts, kb, monitoring=None: [])
    items = plan(person("sitter", 60, onset_months=9))
    assert items and all(item["id"].startswith("care.") for item in items)
