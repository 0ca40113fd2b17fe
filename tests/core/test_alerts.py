"""Monitoring alerts: table-driven scenarios through `smanav_core.evaluate`.

Falls of a measure (`motor_decline` against the cited threshold, window and SMA type; the `measure_trend`
notice where no threshold is cited): after a re-test, after a recovery, slow losses, values outside the
window, the start of treatment. Reviews overdue by functional group; spine X-ray overdue; no assessment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from smanav_core import evaluate, load_knowledge
from smanav_core.codes import AlertCode, DueStatus, Region, Severity, TreatmentTherapy
from smanav_core.evaluation import TreatmentMonitoringAlert
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


TYPE_1_INFANT: dict[str, Any] = {"group": "non_sitter", "age_months": 14, "onset_months": 2}
TYPE_2_SITTER: dict[str, Any] = {"group": "sitter", "age_months": 96, "onset_months": 9}
TYPE_3_WALKER: dict[str, Any] = {"group": "walker", "age_months": 144, "onset_months": 30}
TYPE_3_SITTER: dict[str, Any] = {"group": "sitter", "age_months": 240, "onset_months": 30}
PRESYMPTOMATIC: dict[str, Any] = {"group": "non_sitter", "age_months": 10, "onset_months": None}
NUSINERSEN_SINCE_JUNE_2023 = [{"therapy": "nusinersen", "start_date": "2023-06-15", "end_date": None}]


def measured(instrument: str, *rows: tuple[str, float]) -> list[dict[str, Any]]:
    """`measured("HFMSE", ("2025-11-10", 28), ...)`: one instrument's values on their dates."""
    return [{"date": date, "instrument": instrument, "value": value} for date, value in rows]


@dataclasses.dataclass(frozen=True)
class Fall:
    """A scenario: who, what was measured, and the one fall alert expected (None = no fall alert)."""

    title: str
    who: dict[str, Any]
    assessments: list[dict[str, Any]]
    code: str | None = None
    says: str = ""  # how the alert's text begins: what was compared with what
    reference: str = ""  # which earlier value the latest one was compared with
    treatments: list[dict[str, Any]] = dataclasses.field(default_factory=list)


FALLS: list[Fall] = [
    # --- a re-test does not hide a fall; a recovery ends it ---------------------------------------
    Fall(
        "decline after a partial re-test: 21 is compared with 24, not with 20",
        TYPE_2_SITTER,
        measured("HFMSE", ("2025-11-20", 24), ("2026-11-02", 20), ("2026-11-16", 21)),
        "motor_decline",
        "HFMSE 21 on 16 Nov 2026 is 3 points below 24 on 20 Nov 2025.",
        "best_in_window",
    ),
    Fall(
        "a yearly visit a few days over 12 months is still the value about 12 months before",
        TYPE_2_SITTER,
        measured("HFMSE", ("2025-11-10", 28), ("2026-11-02", 24), ("2026-11-16", 25)),
        "motor_decline",
        "HFMSE 25 on 16 Nov 2026 is 3 points below 28 on 10 Nov 2025.",
        "before_window",
    ),
    Fall(
        "re-test with full recovery: no alert",
        TYPE_2_SITTER,
        measured("HFMSE", ("2025-11-20", 24), ("2026-11-02", 20), ("2026-11-16", 24)),
    ),
    Fall(
        "dip then recovery over two visits: no alert",
        TYPE_2_SITTER,
        measured("HFMSE", ("2026-01-10", 30), ("2026-05-10", 26), ("2026-09-10", 28), ("2026-11-10", 30)),
    ),
    # --- slow loss within the window ----------------------------------------------------------------
    Fall(
        "slow decline, one point every 4 months over a year (type 2)",
        TYPE_2_SITTER,
        measured("HFMSE", ("2025-11-16", 30), ("2026-03-16", 29), ("2026-07-16", 28), ("2026-11-16", 27)),
        "motor_decline",
        "HFMSE 27 on 16 Nov 2026 is 3 points below 30 on 16 Nov 2025.",
        "best_in_window",
    ),
    Fall(
        "slow decline below the threshold: one point in a year (type 2)",
        TYPE_2_SITTER,
        measured("HFMSE", ("2025-11-16", 30), ("2026-05-16", 30), ("2026-11-16", 29)),
    ),
    Fall(
        "values outside the window are ignored: 35 two and a half years ago does not count",
        TYPE_2_SITTER,
        measured("HFMSE", ("2024-05-16", 35), ("2025-05-16", 29), ("2026-05-16", 28), ("2026-11-16", 28)),
    ),
    Fall(
        "with no value in the window, the value before it (as the contract words it)",
        TYPE_2_SITTER,
        measured("HFMSE", ("2024-11-10", 30), ("2026-11-02", 27)),
        "motor_decline",
        "HFMSE 27 on 2 Nov 2026 is 3 points below 30 on 10 Nov 2024.",
        "before_window",
    ),
    Fall(
        "improvement is no decline", TYPE_2_SITTER, measured("HFMSE", ("2026-05-01", 27), ("2026-11-01", 30))
    ),
    Fall("one value only", TYPE_2_SITTER, measured("HFMSE", ("2026-11-01", 20))),
    # --- thresholds per instrument and SMA type --------------------------------------------------
    Fall(
        "HFMSE type 2 falls 2 (anchor-based)",
        TYPE_2_SITTER,
        measured("HFMSE", ("2026-05-01", 20), ("2026-11-01", 18)),
        "motor_decline",
        "HFMSE 18 on 1 Nov 2026 is 2 points below 20 on 1 May 2026.",
        "best_in_window",
    ),
    Fall("HFMSE type 2 falls 1", TYPE_2_SITTER, measured("HFMSE", ("2026-05-01", 20), ("2026-11-01", 19))),
    Fall(
        "HFMSE type 3 falls 4 (anchor-based)",
        TYPE_3_WALKER,
        measured("HFMSE", ("2026-05-01", 55), ("2026-11-01", 51)),
        "motor_decline",
        "HFMSE 51 on 1 Nov 2026 is 4 points below 55 on 1 May 2026.",
        "best_in_window",
    ),
    Fall(
        "HFMSE type 3 falls 3: the type 3 threshold is 4",
        TYPE_3_SITTER,
        measured("HFMSE", ("2026-05-01", 30), ("2026-11-01", 27)),
    ),
    Fall(
        "HFMSE type 1 falls three times: no threshold, a trend notice",
        TYPE_1_INFANT,
        measured("HFMSE", ("2026-01-01", 30), ("2026-05-01", 26), ("2026-11-01", 20)),
        "measure_trend",
        "HFMSE fell at each of the last three measurements: 30 on 1 Jan 2026, 26 on 1 May 2026, 20 on "
        "1 Nov 2026. smanav's knowledge base holds no cited threshold for calling a fall of this measure "
        "meaningful in SMA type 1, so the clinical team should judge whether it matters.",
        "first_of_three",
    ),
    Fall(
        "CHOP INTEND type 1 falls 4 within 6 months (convention)",
        TYPE_1_INFANT,
        measured("CHOP_INTEND", ("2026-06-01", 40), ("2026-11-01", 36)),
        "motor_decline",
        "CHOP INTEND 36 on 1 Nov 2026 is 4 points below 40 on 1 Jun 2026.",
        "best_in_window",
    ),
    Fall(
        "CHOP INTEND type 1 falls 3",
        TYPE_1_INFANT,
        measured("CHOP_INTEND", ("2026-06-01", 40), ("2026-11-01", 37)),
    ),
    Fall(
        "CHOP INTEND 44 eight months ago is outside the 6-month window; 40 is the value before it",
        TYPE_1_INFANT,
        measured("CHOP_INTEND", ("2026-03-01", 44), ("2026-04-01", 40), ("2026-11-01", 37)),
    ),
    Fall(
        "CHOP INTEND found before symptoms falls three times: a trend notice",
        PRESYMPTOMATIC,
        measured("CHOP_INTEND", ("2026-03-01", 50), ("2026-07-01", 48), ("2026-11-01", 47)),
        "measure_trend",
        "CHOP INTEND fell at each of the last three measurements: 50 on 1 Mar 2026, 48 on 1 Jul 2026, 47 on "
        "1 Nov 2026. smanav's knowledge base holds no cited threshold for calling a fall of this measure "
        "meaningful in SMA found before symptoms,",
        "first_of_three",
    ),
    Fall(
        "HINE-2 type 1 falls 2 (convention)",
        TYPE_1_INFANT,
        measured("HINE2", ("2026-06-01", 6), ("2026-11-01", 4)),
        "motor_decline",
        "HINE-2 4 on 1 Nov 2026 is 2 points below 6 on 1 Jun 2026.",
        "best_in_window",
    ),
    Fall("HINE-2 type 1 falls 1", TYPE_1_INFANT, measured("HINE2", ("2026-06-01", 6), ("2026-11-01", 5))),
    Fall(
        "RULM falls 3.25 (distribution-based)",
        TYPE_2_SITTER,
        measured("RULM", ("2026-05-01", 20), ("2026-11-01", 16.75)),
        "motor_decline",
        "RULM 16.75 on 1 Nov 2026 is 3.25 points below 20 on 1 May 2026.",
        "best_in_window",
    ),
    Fall("RULM falls 3", TYPE_2_SITTER, measured("RULM", ("2026-05-01", 20), ("2026-11-01", 17))),
    Fall(
        "MFM-32 type 2 falls 3 (anchor-based)",
        TYPE_2_SITTER,
        measured("MFM32_PERCENT", ("2026-05-01", 50), ("2026-11-01", 47)),
        "motor_decline",
        "MFM-32 (%) 47 on 1 Nov 2026 is 3 percentage points below 50 on 1 May 2026.",
        "best_in_window",
    ),
    Fall(
        "MFM-32 type 2 falls 2",
        TYPE_2_SITTER,
        measured("MFM32_PERCENT", ("2026-05-01", 50), ("2026-11-01", 48)),
    ),
    Fall(
        "6-minute walk type 3 falls 30 m within 12 months (convention)",
        TYPE_3_WALKER,
        measured("6MWT_M", ("2026-05-01", 400), ("2026-11-01", 370)),
        "motor_decline",
        "6-minute walk (m) 370 on 1 Nov 2026 is 30 m below 400 on 1 May 2026.",
        "best_in_window",
    ),
    Fall(
        "6-minute walk type 3 falls 29 m",
        TYPE_3_WALKER,
        measured("6MWT_M", ("2026-05-01", 400), ("2026-11-01", 371)),
    ),
    Fall(
        "6-minute walk: a slow loss of 32 m since treatment began 3 years ago",
        TYPE_3_WALKER,
        measured(
            "6MWT_M", ("2023-06-01", 400), ("2024-06-01", 392), ("2025-06-01", 380), ("2026-06-01", 368)
        ),
        "motor_decline",
        "6-minute walk (m) 368 on 1 Jun 2026 is 32 m below 400 on 1 Jun 2023, the last value before the "
        "current treatment began on 15 Jun 2023.",
        "course_start",
        NUSINERSEN_SINCE_JUNE_2023,
    ),
    Fall(
        "6-minute walk: the same loss without treatment is only 12 m in the last year",
        TYPE_3_WALKER,
        measured(
            "6MWT_M", ("2023-06-01", 400), ("2024-06-01", 392), ("2025-06-01", 380), ("2026-06-01", 368)
        ),
    ),
    Fall(
        "6-minute walk: treatment began more than 38 months before the latest value",
        TYPE_3_WALKER,
        measured(
            "6MWT_M", ("2023-06-01", 400), ("2024-06-01", 392), ("2025-06-01", 380), ("2026-11-01", 368)
        ),
        treatments=[{"therapy": "nusinersen", "start_date": "2023-06-15", "end_date": None}],
    ),
    # --- measures without any cited threshold: the trend notice ---------------------------------
    Fall(
        "FVC 84 -> 78 -> 72 % predicted over three years: a trend notice",
        TYPE_2_SITTER,
        measured("FVC_PERCENT_PREDICTED", ("2023-11-10", 84), ("2025-05-10", 78), ("2026-11-10", 72)),
        "measure_trend",
        "FVC (% predicted) fell at each of the last three measurements: 84 on 10 Nov 2023, 78 on 10 May "
        "2025, 72 on 10 Nov 2026. smanav's knowledge base holds no cited threshold for calling a fall of "
        "this measure meaningful, so the clinical team should judge whether it matters.",
        "first_of_three",
    ),
    Fall(
        "FVC falls by 40 between two values: two values are no trend, and no threshold exists",
        TYPE_2_SITTER,
        measured("FVC_PERCENT_PREDICTED", ("2026-05-01", 80), ("2026-11-01", 40)),
    ),
    Fall(
        "FVC falls, then rises: no trend",
        TYPE_2_SITTER,
        measured("FVC_PERCENT_PREDICTED", ("2025-05-10", 84), ("2025-11-10", 78), ("2026-11-10", 80)),
    ),
    Fall(
        "peak cough flow falls three times: a trend notice",
        TYPE_3_WALKER,
        measured("PEAK_COUGH_FLOW_L_MIN", ("2025-05-10", 300), ("2025-11-10", 280), ("2026-11-10", 250)),
        "measure_trend",
        "Peak cough flow (L/min) fell at each of the last three measurements: 300 on 10 May 2025,",
        "first_of_three",
    ),
    Fall(
        "weight falls three times: a trend notice",
        TYPE_2_SITTER,
        measured("WEIGHT_KG", ("2026-03-10", 21.5), ("2026-07-10", 21), ("2026-11-10", 20.4)),
        "measure_trend",
        "Weight (kg) fell at each of the last three measurements: 21.5 on 10 Mar 2026, 21 on 10 Jul 2026, "
        "20.4 on 10 Nov 2026.",
        "first_of_three",
    ),
    Fall(
        "height is not watched for a fall",
        TYPE_2_SITTER,
        measured("HEIGHT_CM", ("2026-03-10", 122), ("2026-07-10", 121), ("2026-11-10", 120)),
    ),
]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.title) for case in FALLS])
def test_falls(case: Fall) -> None:
    rec = person(**case.who, assessments=case.assessments, treatments=case.treatments)
    found = [alert for alert in alerts(rec) if alert["code"] in {"motor_decline", "measure_trend"}]
    if case.code is None:
        assert found == []
        return
    [alert] = found
    assert alert["code"] == case.code
    assert alert["severity"] == ("high" if case.code == "motor_decline" else "low")
    assert alert["instrument"] == case.assessments[-1]["instrument"]
    assert alert["text"].startswith(case.says), alert["text"]
    assert alert["compared_with"]["reference"] == case.reference
    latest = case.assessments[-1]
    assert alert["latest"] == {"value": latest["value"], "date": latest["date"]}
    assert alert["fall"] == pytest.approx(alert["compared_with"]["value"] - latest["value"])


THRESHOLDS: list[tuple[str, dict[str, Any], str, float, float, str, int]] = [
    # title, who, instrument, value before, threshold, its kind, window in months
    ("HFMSE, type 2", TYPE_2_SITTER, "HFMSE", 40, 2, "anchor_based", 12),
    ("HFMSE, type 3", TYPE_3_SITTER, "HFMSE", 40, 4, "anchor_based", 12),
    ("CHOP INTEND, type 1", TYPE_1_INFANT, "CHOP_INTEND", 40, 4, "convention", 6),
    ("HINE-2, type 1", TYPE_1_INFANT, "HINE2", 10, 2, "convention", 6),
    ("RULM, any type", TYPE_3_WALKER, "RULM", 30, 3.25, "distribution_based", 12),
    ("MFM-32, type 3", TYPE_3_SITTER, "MFM32_PERCENT", 40, 3, "anchor_based", 12),
    ("6-minute walk, type 3", TYPE_3_WALKER, "6MWT_M", 400, 30, "convention", 12),
]


@pytest.mark.parametrize(
    ("who", "instrument", "before", "points", "kind", "window"),
    [pytest.param(*row[1:], id=row[0]) for row in THRESHOLDS],
)
def test_each_decline_names_its_threshold_and_window(
    who: dict[str, Any], instrument: str, before: float, points: float, kind: str, window: int
) -> None:
    """At exactly the threshold an alert; the alert names the threshold, its kind and the window."""
    rec = person(
        **who, assessments=measured(instrument, ("2026-06-01", before), ("2026-11-01", before - points))
    )
    [alert] = [alert for alert in alerts(rec) if alert["code"] == "motor_decline"]
    assert (alert["threshold"], alert["threshold_kind"], alert["window_months"]) == (points, kind, window)
    kb = load_knowledge()
    assert alert["rule"] in kb.entries and alert["threshold_rule"] in kb.entries
    assert all(source in kb.sources for source in alert["sources"])


def test_hfmse_thresholds_differ_by_type() -> None:
    fall_of_3 = measured("HFMSE", ("2026-05-01", 40), ("2026-11-01", 37))
    type_2 = alerts(person(**TYPE_2_SITTER, assessments=fall_of_3))
    type_3 = alerts(person(**TYPE_3_SITTER, assessments=fall_of_3))
    assert [alert["rule"] for alert in type_2 if alert["code"] == "motor_decline"] == ["decline.hfmse.type_2"]
    assert [alert for alert in type_3 if alert["code"] == "motor_decline"] == []


LEO: dict[str, Any] = {
    "treatments": [{"therapy": "nusinersen", "start_date": "2020-01-01", "end_date": None}],
    "assessments": measured("HFMSE", ("2025-11-03", 24), ("2026-05-04", 24), ("2026-11-02", 20)),
}


@pytest.mark.parametrize(
    "retest",
    [
        pytest.param([], id="before the re-test"),
        pytest.param([("2026-11-16", 21)], id="after a re-test of 21"),
    ],
)
def test_a_partial_retest_keeps_the_alert_and_the_prompt_urgency(retest: list[tuple[str, float]]) -> None:
    """Leo (the demo's type 2 sitter): HFMSE 24 -> 20, then a re-test of 21 two weeks later."""
    rec = person(**TYPE_2_SITTER, **{**LEO, "assessments": LEO["assessments"] + measured("HFMSE", *retest)})
    result = evaluate(rec, as_of=AS_OF)
    assert [alert["code"] for alert in result["alerts"]] == ["motor_decline"]
    assert result["alerts"][0]["compared_with"] == {
        "value": 24,
        "date": "2026-05-04",
        "reference": "best_in_window",
    }
    assert result["urgency"]["level"] == "prompt"
    assert result["urgency"]["reasons"][0]["code"] == "motor_decline"


def test_a_trend_notice_does_not_raise_the_urgency() -> None:
    fvc = measured("FVC_PERCENT_PREDICTED", ("2025-05-10", 84), ("2025-11-10", 78), ("2026-11-10", 72))
    rec = person(**TYPE_2_SITTER, treatments=LEO["treatments"], assessments=fvc)
    result = evaluate(rec, as_of=AS_OF)
    assert [alert["code"] for alert in result["alerts"]] == ["measure_trend"]
    assert result["urgency"]["level"] == "routine"


def test_the_current_course_starts_with_the_earliest_ongoing_treatment() -> None:
    """Risdiplam added to nusinersen in 2025 does not move the start of the course; a treatment that ended
    and an `other` treatment do not count."""
    treatments = [
        {"therapy": "risdiplam", "start_date": "2021-01-01", "end_date": "2022-01-01"},
        {"therapy": "other", "start_date": "2022-06-01", "end_date": None},
        {"therapy": "nusinersen", "start_date": "2023-06-15", "end_date": None},
        {"therapy": "risdiplam", "start_date": "2025-06-15", "end_date": None},
    ]
    walk = measured(
        "6MWT_M", ("2023-06-01", 400), ("2024-06-01", 392), ("2025-06-01", 380), ("2026-06-01", 368)
    )
    found = alerts(person(**TYPE_3_WALKER, assessments=walk, treatments=treatments))
    [alert] = [alert for alert in found if alert["code"] == "motor_decline"]
    assert alert["course_start"] == "2023-06-15"
    assert alert["compared_with"]["date"] == "2023-06-01"


def test_a_baseline_older_than_the_window_before_treatment_is_not_used() -> None:
    walk = measured(
        "6MWT_M", ("2022-01-01", 400), ("2024-06-01", 392), ("2025-06-01", 380), ("2026-06-01", 368)
    )
    rec = person(**TYPE_3_WALKER, assessments=walk, treatments=NUSINERSEN_SINCE_JUNE_2023)
    assert [alert for alert in alerts(rec) if alert["code"] == "motor_decline"] == []


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
    steady_fall = measured(
        "FVC_PERCENT_PREDICTED", ("2024-01-01", 84), ("2024-06-01", 78), ("2024-11-01", 72)
    )
    assert alerts(person("sitter", 60, 9, assessments=old_drop + steady_fall, **changes)) == []


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
        TreatmentMonitoringAlert(
            AlertCode.TREATMENT_MONITORING_DUE,
            severity,
            TreatmentTherapy.NUSINERSEN,
            text,
            AS_OF,
            DueStatus.DUE_SOON,
            (),
            "r",
        )
        for severity, text in ((Severity.LOW, "a"), (Severity.HIGH, "b"))
    ]
    monkeypatch.setattr(
        alerts_module, "treatment_monitoring_alerts", lambda facts, kb, monitoring=None: list(extra)
    )
    facts = derive_facts(validate_record(person("sitter", 60, 9), as_of=AS_OF), region=Region.US, as_of=AS_OF)
    found = detect_alerts(facts, load_knowledge())
    assert [(alert.code, alert.severity) for alert in found] == [
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


@pytest.mark.parametrize(
    ("table", "entry"),
    [("meaningful_change", "change.hfmse.decline_type_2"), ("decline_rule", "decline.hfmse.type_2")],
)
def test_without_a_confirmed_threshold_three_falls_get_only_the_trend_notice(table: str, entry: str) -> None:
    three_falls = measured("HFMSE", ("2026-01-01", 24), ("2026-05-01", 22), ("2026-11-01", 20))
    rec = person(**TYPE_2_SITTER, assessments=three_falls)
    assert codes(rec) == [("motor_decline", "HFMSE")]
    kb = with_changed("measures", table, {entry}, confirmed=False)
    [alert] = evaluate(rec, as_of=AS_OF, knowledge=kb)["alerts"]
    assert (alert["code"], alert["severity"]) == ("measure_trend", "low")
    assert "no cited threshold for calling a fall of this measure meaningful in SMA type 2" in alert["text"]
