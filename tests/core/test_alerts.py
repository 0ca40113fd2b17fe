"""Monitoring alerts: table-driven scenarios through `smanav_core.evaluate`.

Motor decline at exactly the cited threshold and one step below it; HFMSE thresholds by SMA type; reviews
overdue by functional group; spine X-ray overdue; no assessment at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from smanav_core import evaluate, load_knowledge
from smanav_core.codes import Region
from smanav_core.facts import add_months, derive_facts
from smanav_core.knowledge.loader import Knowledge
from smanav_core.rules import alerts as alerts_module
from smanav_core.rules.alerts import SEVERITY_RANK, detect_alerts
from smanav_core.validation import validate_record
from tests.core.records import AS_OF, born_months_ago, record

RECENT = "2026-11-01"
EARLIER = "2026-05-01"


def person(
    group: str | None, age_months: float, onset_months: float | None, **changes: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "birth_date": born_months_ago(age_months),
        "clinical.current_motor_function": ... if group is None else group,
    }
    if onset_months is not None:
        fields["clinical.symptomatic"] = True
        fields["clinical.symptom_onset_age_months"] = onset_months
    fields.update(changes)
    return record(**fields)


def scores(
    instrument: str, *values: float, dates: tuple[str, ...] = (EARLIER, RECENT)
) -> list[dict[str, Any]]:
    return [
        {"date": date, "instrument": instrument, "value": value}
        for date, value in zip(dates, values, strict=True)
    ]


def alerts(rec: dict[str, Any], as_of: dt.date = AS_OF) -> list[dict[str, Any]]:
    return list(evaluate(rec, as_of=as_of)["alerts"])


def codes(rec: dict[str, Any], as_of: dt.date = AS_OF) -> list[tuple[str, str | None]]:
    return [(alert["code"], alert.get("instrument")) for alert in alerts(rec, as_of)]


TYPE_1_INFANT = {"group": "non_sitter", "age_months": 14, "onset_months": 2}
TYPE_2_SITTER = {"group": "sitter", "age_months": 96, "onset_months": 9}
TYPE_3_WALKER = {"group": "walker", "age_months": 144, "onset_months": 30}
TYPE_3_SITTER = {"group": "sitter", "age_months": 240, "onset_months": 30}

DECLINES: list[tuple[str, dict[str, Any], list[dict[str, Any]], float | None, str | None]] = [
    ("CHOP INTEND falls 4 (convention)", TYPE_1_INFANT, scores("CHOP_INTEND", 40, 36), 4, "convention"),
    ("CHOP INTEND falls 3", TYPE_1_INFANT, scores("CHOP_INTEND", 40, 37), None, None),
    ("HINE-2 falls 2 (convention)", TYPE_1_INFANT, scores("HINE2", 6, 4), 2, "convention"),
    ("HINE-2 falls 1", TYPE_1_INFANT, scores("HINE2", 6, 5), None, None),
    ("HFMSE type 2 falls 2 (anchor)", TYPE_2_SITTER, scores("HFMSE", 20, 18), 2, "anchor_based"),
    ("HFMSE type 2 falls 1", TYPE_2_SITTER, scores("HFMSE", 20, 19), None, None),
    ("HFMSE type 3 falls 4 (anchor)", TYPE_3_WALKER, scores("HFMSE", 55, 51), 4, "anchor_based"),
    ("HFMSE type 3 falls 3", TYPE_3_WALKER, scores("HFMSE", 55, 52), None, None),
    ("HFMSE type 3 sitter falls 2: type 3 threshold", TYPE_3_SITTER, scores("HFMSE", 30, 28), None, None),
    ("HFMSE type 1 falls 10: no threshold derived", TYPE_1_INFANT, scores("HFMSE", 30, 20), None, None),
    (
        "HFMSE, no type (presymptomatic) falls 10",
        {"group": "sitter", "age_months": 30, "onset_months": None},
        scores("HFMSE", 30, 20),
        None,
        None,
    ),
    ("RULM falls 3.25 (distribution)", TYPE_2_SITTER, scores("RULM", 20, 16.75), 3.25, "distribution_based"),
    ("RULM falls 3", TYPE_2_SITTER, scores("RULM", 20, 17), None, None),
    ("MFM-32 falls 3 (anchor)", TYPE_2_SITTER, scores("MFM32_PERCENT", 50, 47), 3, "anchor_based"),
    ("MFM-32 falls 2", TYPE_2_SITTER, scores("MFM32_PERCENT", 50, 48), None, None),
    ("6MWT falls 30 m (convention)", TYPE_3_WALKER, scores("6MWT_M", 400, 370), 30, "convention"),
    ("6MWT falls 29 m", TYPE_3_WALKER, scores("6MWT_M", 400, 371), None, None),
    ("improvement is no decline", TYPE_3_WALKER, scores("6MWT_M", 370, 420), None, None),
    ("one value only", TYPE_3_WALKER, scores("6MWT_M", 370, dates=(RECENT,)), None, None),
    (
        "only the two latest values count",
        TYPE_3_WALKER,
        scores("6MWT_M", 500, 400, 390, dates=("2025-11-01", EARLIER, RECENT)),
        None,
        None,
    ),
    (
        "breathing tests are not motor scales",
        TYPE_2_SITTER,
        scores("FVC_PERCENT_PREDICTED", 80, 40),
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("who", "assessments", "threshold", "kind"),
    [pytest.param(who, found, threshold, kind, id=name) for name, who, found, threshold, kind in DECLINES],
)
def test_motor_decline(
    who: dict[str, Any], assessments: list[dict[str, Any]], threshold: float | None, kind: str | None
) -> None:
    found = [
        alert for alert in alerts(person(**who, assessments=assessments)) if alert["code"] == "motor_decline"
    ]
    if threshold is None:
        assert found == []
        return
    [alert] = found
    assert alert["severity"] == "high"
    assert alert["instrument"] == assessments[-1]["instrument"]
    assert alert["threshold"] == threshold
    assert alert["threshold_kind"] == kind
    assert EARLIER in alert["text"] and RECENT in alert["text"]
    assert (
        f"{assessments[-2]['value']:g}" in alert["text"] and f"{assessments[-1]['value']:g}" in alert["text"]
    )


def test_hfmse_thresholds_differ_by_type() -> None:
    fall_of_3 = scores("HFMSE", 40, 37)
    type_2 = alerts(person(**TYPE_2_SITTER, assessments=fall_of_3))
    type_3 = alerts(person(**TYPE_3_SITTER, assessments=fall_of_3))
    assert [alert["rule"] for alert in type_2 if alert["code"] == "motor_decline"] == [
        "change.hfmse.decline_type_2"
    ]
    assert [alert for alert in type_3 if alert["code"] == "motor_decline"] == []


def review(group: str, last: dt.date, onset: float = 9) -> dict[str, Any]:
    return person(
        group, 96, onset, assessments=[{"date": last.isoformat(), "instrument": "WEIGHT_KG", "value": 20}]
    )


OVERDUE: list[tuple[str, dict[str, Any], bool]] = [
    (
        "non-sitter, last assessment 3 months + 1 day ago",
        review("non_sitter", add_months(AS_OF, -3) - dt.timedelta(days=1), 2),
        True,
    ),
    (
        "non-sitter, last assessment exactly 3 months ago",
        review("non_sitter", add_months(AS_OF, -3), 2),
        False,
    ),
    ("non-sitter, last assessment 2 months ago", review("non_sitter", add_months(AS_OF, -2), 2), False),
    ("sitter, 6 months + 1 day ago", review("sitter", add_months(AS_OF, -6) - dt.timedelta(days=1)), True),
    ("sitter, 5 months ago", review("sitter", add_months(AS_OF, -5)), False),
    ("sitter, 4 months ago (would be late for a non-sitter)", review("sitter", add_months(AS_OF, -4)), False),
    ("walker, 2 years ago: no confirmed interval", review("walker", add_months(AS_OF, -24), 30), False),
    (
        "group unknown, 2 years ago",
        person(None, 96, 9, assessments=[{"date": "2024-11-01", "instrument": "HFMSE", "value": 30}]),
        False,
    ),
]


@pytest.mark.parametrize(("rec", "overdue"), [pytest.param(rec, due, id=name) for name, rec, due in OVERDUE])
def test_review_overdue(rec: dict[str, Any], overdue: bool) -> None:
    found = [alert for alert in alerts(rec) if alert["code"] == "assessment_overdue"]
    assert bool(found) is overdue
    for alert in found:
        assert alert["severity"] == "medium"
        assert alert["rule"].startswith("care.respiratory.review_")
        assert alert["due_on"] < AS_OF.isoformat()
        assert "instrument" not in alert


SPINE: list[tuple[str, str, float, dt.date, bool]] = [
    ("sitter, 30 degrees 7 months ago", "sitter", 30, add_months(AS_OF, -7), True),
    ("sitter, 30 degrees 5 months ago", "sitter", 30, add_months(AS_OF, -5), False),
    (
        "non-sitter, 25 degrees 6 months + 1 day ago",
        "non_sitter",
        25,
        add_months(AS_OF, -6) - dt.timedelta(days=1),
        True,
    ),
    ("sitter, 20 degrees a year ago: not above 20", "sitter", 20, add_months(AS_OF, -12), False),
    ("walker, 30 degrees a year ago: no confirmed interval", "walker", 30, add_months(AS_OF, -12), False),
]


@pytest.mark.parametrize(
    ("group", "angle", "date", "overdue"),
    [pytest.param(group, angle, date, due, id=name) for name, group, angle, date, due in SPINE],
)
def test_spine_xray_overdue(group: str, angle: float, date: dt.date, overdue: bool) -> None:
    # A recent weight keeps the group's review up to date, so only the spine can be late.
    assessments = [
        {"date": date.isoformat(), "instrument": "COBB_DEG", "value": angle},
        {"date": RECENT, "instrument": "WEIGHT_KG", "value": 30},
    ]
    found = [
        alert
        for alert in alerts(person(group, 120, 9, assessments=assessments))
        if alert["code"] == "assessment_overdue"
    ]
    if not overdue:
        assert found == []
        return
    [alert] = found
    assert alert["instrument"] == "COBB_DEG"
    assert alert["due_on"] == add_months(date, 6).isoformat()
    assert f"{angle:g} degrees" in alert["text"]


def test_missing_assessment_for_confirmed_sma() -> None:
    assert codes(person("sitter", 60, 9)) == [("assessment_missing", None)]


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"genetics": ...}, id="not tested"),
        pytest.param({"genetics.smn1_copies": 1}, id="carrier"),
        pytest.param({"genetics.method": "newborn_screening"}, id="screen only"),
    ],
)
def test_no_alerts_without_confirmed_sma(changes: dict[str, Any]) -> None:
    old_drop = scores("HFMSE", 40, 30, dates=("2024-01-01", "2024-06-01"))
    assert alerts(person("sitter", 60, 9, assessments=old_drop, **changes)) == []


def test_alerts_are_ordered_by_severity_and_explained() -> None:
    assessments = [
        {"date": "2025-01-01", "instrument": "COBB_DEG", "value": 40},
        *scores("HFMSE", 30, 27, dates=("2025-02-01", "2025-03-01")),
        *scores("RULM", 20, 15, dates=("2025-02-01", "2025-03-01")),
    ]
    found = alerts(person(**TYPE_2_SITTER, assessments=assessments))
    assert [(alert["code"], alert.get("instrument")) for alert in found] == [
        ("motor_decline", "HFMSE"),
        ("motor_decline", "RULM"),
        ("assessment_overdue", None),
        ("assessment_overdue", "COBB_DEG"),
    ]
    ranks = [SEVERITY_RANK[alert["severity"]] for alert in found]
    assert ranks == sorted(ranks)
    kb = load_knowledge()
    for alert in found:
        assert alert["text"] and alert["sources"]
        assert all(source in kb.sources for source in alert["sources"])
        assert alert["rule"] in kb.entries


def test_severity_sort_is_stable_with_merged_alerts(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = [
        {"code": "treatment_monitoring_due", "severity": "low", "text": "a", "sources": []},
        {"code": "treatment_monitoring_due", "severity": "high", "text": "b", "sources": []},
    ]
    monkeypatch.setattr(
        alerts_module, "treatment_monitoring_alerts", lambda facts, kb, monitoring=None: list(extra)
    )
    facts = derive_facts(validate_record(person("sitter", 60, 9), as_of=AS_OF), region=Region.US, as_of=AS_OF)
    found = detect_alerts(facts, load_knowledge())
    assert [(alert["code"], alert["severity"]) for alert in found] == [
        ("treatment_monitoring_due", "high"),
        ("treatment_monitoring_due", "low"),
    ]


def test_alerts_without_treatment_monitoring_alerts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alerts_module, "treatment_monitoring_alerts", lambda facts, kb, monitoring=None: [])
    assert codes(person("sitter", 60, 9)) == [("assessment_missing", None)]


def with_changed(file: str, table: str, ids: set[str], **changes: Any) -> Knowledge:
    """The shipped knowledge base with `changes` made to the entries `ids` of one table of one file."""
    kb = load_knowledge()
    content = kb.files[file]
    rows = tuple(row.model_copy(update=changes) if row.id in ids else row for row in getattr(content, table))
    changed = type(content).model_validate({**dict(content), table: rows})
    return dataclasses.replace(kb, files={**kb.files, file: changed})


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(
            {"interval_months": None, "due_from_any_assessment": False, "due_from_instruments": ()},
            id="no interval",
        ),
        pytest.param({"confirmed": False}, id="interval not confirmed"),
    ],
)
def test_no_review_or_x_ray_is_overdue_without_a_confirmed_interval(changes: dict[str, Any]) -> None:
    rec = person(**TYPE_2_SITTER, assessments=[{"date": "2025-01-01", "instrument": "COBB_DEG", "value": 40}])
    assert codes(rec) == [("assessment_overdue", None), ("assessment_overdue", "COBB_DEG")]
    items = {"care.respiratory.review_sitter", "care.orthopaedic.spine_xray_cobb_over_20"}
    kb = with_changed("care_plan", "care_item", items, **changes)
    assert evaluate(rec, as_of=AS_OF, knowledge=kb)["alerts"] == []


def test_no_decline_is_called_meaningful_on_a_threshold_that_is_not_confirmed() -> None:
    rec = person(**TYPE_2_SITTER, assessments=scores("HFMSE", 20, 18))
    assert codes(rec) == [("motor_decline", "HFMSE")]
    kb = with_changed("measures", "meaningful_change", {"change.hfmse.decline_type_2"}, confirmed=False)
    assert evaluate(rec, as_of=AS_OF, knowledge=kb)["alerts"] == []
