"""Therapy eligibility by region: clinical scenarios at the boundaries of each regional rule.

Each row: (name, changes to the base record, region, therapy, expected status, reason codes that must
appear). The base record (tests/core/records.py) is a confirmed, presymptomatic one-month-old with
2 SMN2 copies weighing 4.2 kg; every row goes through `smanav_core.evaluate`.
"""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources
from typing import Any

import pytest
from pydantic import ValidationError

from smanav_core import evaluate
from smanav_core.codes import Region, TherapyId, TherapyStatus
from smanav_core.facts import derive_facts
from smanav_core.knowledge.loader import load_knowledge
from smanav_core.knowledge.schema.therapies import EligibilityRule, MonitoringSchedule, TherapiesFile
from smanav_core.rules.classification import classify
from smanav_core.rules.genetics import interpret_genetics
from smanav_core.rules.therapies import assess_therapies
from smanav_core.validation import validate_record
from tests.core.records import AS_OF, born_months_ago, record

NUS = "nusinersen"
RIS = "risdiplam"
IV = "onasemnogene_abeparvovec_iv"
IT = "onasemnogene_abeparvovec_it"

ELIGIBLE = "eligible"
CAUTION = "eligible_with_cautions"
NEEDS = "needs_information"
NOT_ELIGIBLE = "not_eligible"

AAV_NEG = {"labs.anti_aav9_titer": 0}
TYPE_1 = {
    "clinical.symptomatic": True,
    "clinical.symptom_onset_age_months": 2,
    "clinical.ventilation": "none",
}
TYPE_2 = {"clinical.symptomatic": True, "clinical.symptom_onset_age_months": 9}
TYPE_3 = {"clinical.symptomatic": True, "clinical.symptom_onset_age_months": 30}
TYPE_4 = {"clinical.symptomatic": True, "clinical.symptom_onset_age_months": 240}


def had(therapy: str, *, ongoing: bool = False) -> dict[str, Any]:
    start = born_months_ago(0.5)
    return {"treatments": [{"therapy": therapy, "start_date": start, "end_date": None if ongoing else start}]}


def aged(months: float, **changes: Any) -> dict[str, Any]:
    return {"birth_date": born_months_ago(months), **changes}


ADULT = {"birth_date": born_months_ago(30 * 12), "weight_kg": 60.0, **TYPE_3}

Scenario = tuple[str, dict[str, Any], str, str, str, tuple[str, ...]]

SCENARIOS: list[Scenario] = [
    # --- diagnosis gate (every therapy) -------------------------------------------------------------
    ("confirmed presymptomatic baby", {}, "US", NUS, ELIGIBLE, ("approved",)),
    ("carrier", {"genetics.smn1_copies": 1}, "US", NUS, NOT_ELIGIBLE, ("not_5q_sma",)),
    ("two SMN1 copies", {"genetics.smn1_copies": 2}, "EU", RIS, NOT_ELIGIBLE, ("not_5q_sma",)),
    ("not tested", {"genetics": ...}, "US", NUS, NEEDS, ("genetic_confirmation_needed",)),
    (
        "screen positive, not confirmed",
        {"genetics.method": "newborn_screening", **AAV_NEG},
        "US",
        IV,
        NEEDS,
        ("genetic_confirmation_needed",),
    ),
    # --- nusinersen ---------------------------------------------------------------------------------
    ("US adult type 3", ADULT, "US", NUS, ELIGIBLE, ("approved",)),
    ("EU adult type 3", ADULT, "EU", NUS, ELIGIBLE, ("approved",)),
    ("CA baby", {}, "CA", NUS, ELIGIBLE, ("approved",)),
    ("AU baby", {}, "AU", NUS, ELIGIBLE, ("approved",)),
    ("UK baby: NICE recommends", {}, "UK", NUS, ELIGIBLE, ("nice_recommends",)),
    ("UK after Zolgensma", had(IV), "UK", NUS, CAUTION, ("nice_after_onasemnogene",)),
    ("UK with risdiplam ongoing", had(RIS, ongoing=True), "UK", NUS, CAUTION, ("nice_no_combination",)),
    ("JP 2 copies", {}, "JP", NUS, ELIGIBLE, ("approved",)),
    ("JP SMN2 unknown", {"genetics.smn2_copies": None}, "JP", NUS, NEEDS, ("missing_smn2_copies",)),
    ("JP 0 SMN2 copies", {"genetics.smn2_copies": 0}, "JP", NUS, NOT_ELIGIBLE, ("smn2_copy_required",)),
    ("JP 1 copy", {"genetics.smn2_copies": 1}, "JP", NUS, CAUTION, ("efficacy_not_established_smn2",)),
    (
        "JP presymptomatic 4 copies",
        {"genetics.smn2_copies": 4},
        "JP",
        NUS,
        CAUTION,
        ("efficacy_not_established_smn2", "presymptomatic_observation"),
    ),
    (
        "JP type 1 on tracheostomy",
        {**TYPE_1, "clinical.ventilation": "tracheostomy"},
        "JP",
        NUS,
        CAUTION,
        ("ventilated_efficacy_not_established",),
    ),
    # --- risdiplam ----------------------------------------------------------------------------------
    ("US baby under 2 months", {}, "US", RIS, ELIGIBLE, ("approved",)),
    ("US pregnant adult", {**ADULT, "sex": "female", "pregnant": True}, "US", RIS, CAUTION, ("pregnancy",)),
    ("US after Zolgensma", had(IV), "US", RIS, CAUTION, ("no_data_after_gene_therapy",)),
    ("EU presymptomatic 4 copies", {"genetics.smn2_copies": 4}, "EU", RIS, ELIGIBLE, ("approved",)),
    (
        "EU presymptomatic 5 copies",
        {"genetics.smn2_copies": 5},
        "EU",
        RIS,
        NOT_ELIGIBLE,
        ("indication_type_or_smn2",),
    ),
    ("EU type 2 with 5 copies", {**TYPE_2, "genetics.smn2_copies": 5}, "EU", RIS, ELIGIBLE, ("approved",)),
    (
        "EU type 4 with 5 copies",
        {**ADULT, **TYPE_4, "genetics.smn2_copies": 5},
        "EU",
        RIS,
        NOT_ELIGIBLE,
        ("indication_type_or_smn2",),
    ),
    (
        "EU type unknown, 5 copies",
        {"clinical.symptomatic": None, "genetics.smn2_copies": 5},
        "EU",
        RIS,
        NEEDS,
        ("missing_sma_type",),
    ),
    (
        "EU type 4, copies unknown",
        {**ADULT, **TYPE_4, "genetics.smn2_copies": None},
        "EU",
        RIS,
        NEEDS,
        ("missing_smn2_copies",),
    ),
    (
        "EU presymptomatic, 4 or more copies",
        {"genetics.smn2_copies": 4, "genetics.smn2_copies_is_minimum": True},
        "EU",
        RIS,
        NEEDS,
        ("missing_smn2_copies",),
    ),
    ("UK presymptomatic", {}, "UK", RIS, CAUTION, ("nice_presymptomatic",)),
    ("UK type 2", {**aged(14), **TYPE_2}, "UK", RIS, ELIGIBLE, ("nice_recommends",)),
    (
        "UK presymptomatic 5 copies",
        {"genetics.smn2_copies": 5},
        "UK",
        RIS,
        NOT_ELIGIBLE,
        ("nice_type_or_smn2",),
    ),
    (
        "UK with nusinersen ongoing",
        {**TYPE_2, **had(NUS, ongoing=True)},
        "UK",
        RIS,
        CAUTION,
        ("nice_no_combination",),
    ),
    ("UK after Zolgensma", {**TYPE_1, **had(IV)}, "UK", RIS, CAUTION, ("nice_after_onasemnogene",)),
    ("CA 1.9 months", aged(1.9), "CA", RIS, NOT_ELIGIBLE, ("below_minimum_age",)),
    ("CA 2.1 months", aged(2.1), "CA", RIS, ELIGIBLE, ("approved",)),
    (
        "JP type 3 with 5 copies",
        {**ADULT, "genetics.smn2_copies": 5},
        "JP",
        RIS,
        CAUTION,
        ("efficacy_not_established_smn2",),
    ),
    ("JP 1 copy", {"genetics.smn2_copies": 1}, "JP", RIS, CAUTION, ("efficacy_not_established_smn2",)),
    (
        "JP presymptomatic 4 copies",
        {"genetics.smn2_copies": 4},
        "JP",
        RIS,
        CAUTION,
        ("presymptomatic_observation",),
    ),
    ("JP SMN2 unknown", {"genetics.smn2_copies": None}, "JP", RIS, NEEDS, ("missing_smn2_copies",)),
    (
        "JP 4 or more copies",
        {**TYPE_2, "genetics.smn2_copies": 4, "genetics.smn2_copies_is_minimum": True},
        "JP",
        NUS,
        CAUTION,
        ("efficacy_not_established_smn2",),
    ),
    (
        "EU type and SMN2 both unknown",
        {"clinical.symptomatic": None, "genetics.smn2_copies": None},
        "EU",
        RIS,
        NEEDS,
        ("missing_sma_type", "missing_smn2_copies"),
    ),
    ("AU indication wording not read", {}, "AU", RIS, CAUTION, ("indication_unconfirmed",)),
    # --- onasemnogene abeparvovec IV: age -----------------------------------------------------------
    ("US 23.9 months", aged(23.9, weight_kg=12.0, **AAV_NEG), "US", IV, ELIGIBLE, ("approved",)),
    ("US 24.1 months", aged(24.1, weight_kg=12.0, **AAV_NEG), "US", IV, NOT_ELIGIBLE, ("age_limit",)),
    ("JP 23.9 months", aged(23.9, weight_kg=12.0, **AAV_NEG), "JP", IV, ELIGIBLE, ("approved",)),
    ("JP 24.1 months", aged(24.1, weight_kg=12.0, **AAV_NEG), "JP", IV, NOT_ELIGIBLE, ("age_limit",)),
    ("AU 8.9 months", aged(8.9, weight_kg=8.0, **AAV_NEG), "AU", IV, ELIGIBLE, ("approved",)),
    ("AU 9.1 months", aged(9.1, weight_kg=8.0, **AAV_NEG), "AU", IV, NOT_ELIGIBLE, ("age_limit",)),
    (
        "EU 30 months type 2, 3 copies (no EU age limit)",
        {**aged(30, weight_kg=12.0, **AAV_NEG), **TYPE_2, "genetics.smn2_copies": 3},
        "EU",
        IV,
        ELIGIBLE,
        ("approved",),
    ),
    # --- IV: weight ---------------------------------------------------------------------------------
    ("US 2.6 kg", {"weight_kg": 2.6, **AAV_NEG}, "US", IV, ELIGIBLE, ("approved",)),
    ("US 2.5 kg", {"weight_kg": 2.5, **AAV_NEG}, "US", IV, NOT_ELIGIBLE, ("weight_outside_dosing_table",)),
    ("EU 21.0 kg", {"weight_kg": 21.0, **AAV_NEG}, "EU", IV, ELIGIBLE, ("approved",)),
    ("EU 21.1 kg", {"weight_kg": 21.1, **AAV_NEG}, "EU", IV, NOT_ELIGIBLE, ("weight_outside_dosing_table",)),
    ("US weight missing", {"weight_kg": ..., **AAV_NEG}, "US", IV, NEEDS, ("missing_weight_kg",)),
    ("JP weight missing", {"weight_kg": ..., **AAV_NEG}, "JP", IV, NEEDS, ("missing_weight_kg",)),
    (
        "US weight from the latest assessment",
        {
            "weight_kg": ...,
            **AAV_NEG,
            "assessments": [{"date": AS_OF.isoformat(), "instrument": "WEIGHT_KG", "value": 4.4}],
        },
        "US",
        IV,
        ELIGIBLE,
        ("approved",),
    ),
    # --- IV: SMN2 and type --------------------------------------------------------------------------
    ("EU presymptomatic 3 copies", {"genetics.smn2_copies": 3, **AAV_NEG}, "EU", IV, ELIGIBLE, ("approved",)),
    (
        "EU presymptomatic 4 copies",
        {"genetics.smn2_copies": 4, **AAV_NEG},
        "EU",
        IV,
        NOT_ELIGIBLE,
        ("indication_type_or_smn2",),
    ),
    (
        "EU type 1 with 4 copies",
        {**TYPE_1, "genetics.smn2_copies": 4, **AAV_NEG},
        "EU",
        IV,
        ELIGIBLE,
        ("approved",),
    ),
    (
        "CA type 1 with 4 copies",
        {**TYPE_1, "genetics.smn2_copies": 4, **AAV_NEG},
        "CA",
        IV,
        ELIGIBLE,
        ("approved",),
    ),
    (
        "CA type 2 with 4 copies",
        {**aged(12, weight_kg=9.0, **AAV_NEG), **TYPE_2, "genetics.smn2_copies": 4},
        "CA",
        IV,
        NOT_ELIGIBLE,
        ("indication_type_or_smn2",),
    ),
    (
        "AU 4 copies",
        {"genetics.smn2_copies": 4, **AAV_NEG},
        "AU",
        IV,
        NOT_ELIGIBLE,
        ("smn2_outside_indication",),
    ),
    ("AU SMN2 unknown", {"genetics.smn2_copies": None, **AAV_NEG}, "AU", IV, NEEDS, ("missing_smn2_copies",)),
    # --- IV: anti-AAV9 ------------------------------------------------------------------------------
    ("US titre 0", AAV_NEG, "US", IV, ELIGIBLE, ("approved",)),
    ("US titre 1:50", {"labs.anti_aav9_titer": 50}, "US", IV, ELIGIBLE, ("approved",)),
    ("US titre 1:51", {"labs.anti_aav9_titer": 51}, "US", IV, NEEDS, ("anti_aav9_retest",)),
    ("US titre missing", {}, "US", IV, NEEDS, ("missing_anti_aav9_titer",)),
    ("EU titre 1:51", {"labs.anti_aav9_titer": 51}, "EU", IV, NEEDS, ("anti_aav9_retest",)),
    ("CA titre 1:51 (label not read)", {"labs.anti_aav9_titer": 51}, "CA", IV, NEEDS, ("anti_aav9_retest",)),
    ("JP titre 0", AAV_NEG, "JP", IV, ELIGIBLE, ("approved",)),
    ("JP titre 1:25", {"labs.anti_aav9_titer": 25}, "JP", IV, NOT_ELIGIBLE, ("anti_aav9_positive",)),
    ("JP titre missing", {}, "JP", IV, NEEDS, ("missing_anti_aav9_titer",)),
    ("AU titre 1:25 (PBS)", {"labs.anti_aav9_titer": 25}, "AU", IV, NEEDS, ("anti_aav9_positive_pbs",)),
    # --- IV: prior gene therapy, advanced disease, stability ----------------------------------------
    ("US after Zolgensma", {**had(IV), **AAV_NEG}, "US", IV, NOT_ELIGIBLE, ("prior_gene_therapy",)),
    ("EU after Itvisma", {**had(IT), **AAV_NEG}, "EU", IV, NOT_ELIGIBLE, ("prior_gene_therapy",)),
    (
        "US type 1 on tracheostomy",
        {**TYPE_1, "clinical.ventilation": "tracheostomy", **AAV_NEG},
        "US",
        IV,
        CAUTION,
        ("advanced_sma_not_evaluated",),
    ),
    (
        "US type 1 on NIV 16 h or more",
        {**TYPE_1, "clinical.ventilation": "niv_16h_or_more", **AAV_NEG},
        "US",
        IV,
        CAUTION,
        ("advanced_sma_not_evaluated",),
    ),
    (
        "JP type 1 on NIV 16 h or more",
        {**TYPE_1, "clinical.ventilation": "niv_16h_or_more", **AAV_NEG},
        "JP",
        IV,
        CAUTION,
        ("advanced_sma_not_evaluated",),
    ),
    (
        "US type 1 on NIV under 16 h",
        {**TYPE_1, "clinical.ventilation": "niv_under_16h", **AAV_NEG},
        "US",
        IV,
        ELIGIBLE,
        ("approved",),
    ),
    (
        "US active infection",
        {"clinical.active_infection": True, **AAV_NEG},
        "US",
        IV,
        CAUTION,
        ("postpone_for_infection",),
    ),
    (
        "US born at 32 weeks, 2 weeks old",
        {**aged(0.5), "gestational_age_weeks": 32, "weight_kg": 2.8, **AAV_NEG},
        "US",
        IV,
        CAUTION,
        ("delay_until_term",),
    ),
    (
        "US born at 32 weeks, 2 months old",
        {**aged(2), "gestational_age_weeks": 32, **AAV_NEG},
        "US",
        IV,
        ELIGIBLE,
        ("approved",),
    ),
    (
        "US ALT 2.5 x ULN",
        {"labs.alt_uln_ratio": 2.5, **AAV_NEG},
        "US",
        IV,
        CAUTION,
        ("liver_tests_not_studied",),
    ),
    (
        "US liver tests 2.0 x ULN",
        {
            "labs.alt_uln_ratio": 2.0,
            "labs.ast_uln_ratio": 1.0,
            "labs.total_bilirubin_uln_ratio": 0.5,
            **AAV_NEG,
        },
        "US",
        IV,
        ELIGIBLE,
        ("approved",),
    ),
    # --- IV: UK (NICE HST15 / HST24) ----------------------------------------------------------------
    (
        "UK type 1, 5 months",
        {**aged(5, weight_kg=6.0), **TYPE_1},
        "UK",
        IV,
        NEEDS,
        ("missing_anti_aav9_titer",),
    ),
    (
        "UK type 1, 5 months, tested",
        {**aged(5, weight_kg=6.0, **AAV_NEG), **TYPE_1},
        "UK",
        IV,
        ELIGIBLE,
        ("nice_recommends",),
    ),
    (
        "UK type 1, 9 months",
        {**aged(9, weight_kg=7.0, **AAV_NEG), **TYPE_1},
        "UK",
        IV,
        CAUTION,
        ("nice_national_team_agreement",),
    ),
    (
        "UK type 1, 13 months",
        {**aged(13, weight_kg=8.0, **AAV_NEG), **TYPE_1},
        "UK",
        IV,
        NOT_ELIGIBLE,
        ("nice_criteria_not_met",),
    ),
    (
        "UK presymptomatic 3 copies",
        {"genetics.smn2_copies": 3, **AAV_NEG},
        "UK",
        IV,
        ELIGIBLE,
        ("nice_recommends",),
    ),
    ("UK type unknown", {"clinical.symptomatic": None, **AAV_NEG}, "UK", IV, NEEDS, ("missing_sma_type",)),
    (
        "UK presymptomatic 4 copies",
        {"genetics.smn2_copies": 4, **AAV_NEG},
        "UK",
        IV,
        NOT_ELIGIBLE,
        ("nice_criteria_not_met",),
    ),
    (
        "UK type 1 on tracheostomy",
        {**aged(4, weight_kg=5.0, **AAV_NEG), **TYPE_1, "clinical.ventilation": "tracheostomy"},
        "UK",
        IV,
        NOT_ELIGIBLE,
        ("nice_permanent_ventilation",),
    ),
    (
        "UK type 1, ventilation unknown",
        {**aged(4, weight_kg=5.0, **AAV_NEG), **TYPE_1, "clinical.ventilation": None},
        "UK",
        IV,
        NEEDS,
        ("missing_ventilation",),
    ),
    # --- onasemnogene abeparvovec intrathecal (Itvisma) ---------------------------------------------
    ("US 23.9 months", aged(23.9), "US", IT, NOT_ELIGIBLE, ("below_minimum_age",)),
    ("US 24.1 months", aged(24.1), "US", IT, ELIGIBLE, ("approved",)),
    ("EU 23.9 months", aged(23.9), "EU", IT, NOT_ELIGIBLE, ("below_minimum_age",)),
    ("US adult", ADULT, "US", IT, ELIGIBLE, ("approved",)),
    ("US adult after Itvisma", {**ADULT, **had(IT)}, "US", IT, NOT_ELIGIBLE, ("prior_gene_therapy",)),
    (
        "US child after Zolgensma",
        {**aged(36), **TYPE_1, **had(IV)},
        "US",
        IT,
        CAUTION,
        ("after_zolgensma_not_studied",),
    ),
    (
        "EU adult titre 1:51",
        {**ADULT, "labs.anti_aav9_titer": 51},
        "EU",
        IT,
        CAUTION,
        ("anti_aav9_above_trial_limit",),
    ),
    ("EU adult titre 1:50", {**ADULT, "labs.anti_aav9_titer": 50}, "EU", IT, ELIGIBLE, ("approved",)),
    (
        "US adult on tracheostomy",
        {**ADULT, "clinical.ventilation": "tracheostomy"},
        "US",
        IT,
        CAUTION,
        ("advanced_sma_not_studied",),
    ),
    ("UK approval not confirmed", ADULT, "UK", IT, NEEDS, ("approval_unconfirmed",)),
    ("CA approval not confirmed", ADULT, "CA", IT, NEEDS, ("approval_unconfirmed",)),
    ("AU approval not confirmed", ADULT, "AU", IT, NEEDS, ("approval_unconfirmed",)),
    ("JP approval not confirmed", ADULT, "JP", IT, NEEDS, ("approval_unconfirmed",)),
    (
        "JP not confirmed and after Itvisma",
        {**ADULT, **had(IT)},
        "JP",
        IT,
        NOT_ELIGIBLE,
        ("prior_gene_therapy", "approval_unconfirmed"),
    ),
]


def _therapy(result: dict[str, Any], therapy: str) -> dict[str, Any]:
    return next(item for item in result["therapies"] if item["therapy"] == therapy)


@pytest.mark.parametrize(
    ("changes", "region", "therapy", "status", "codes"),
    [pytest.param(*row[1:], id=f"{row[2]} {row[3]}: {row[0]}") for row in SCENARIOS],
)
def test_scenario(
    changes: dict[str, Any], region: str, therapy: str, status: str, codes: tuple[str, ...]
) -> None:
    result = evaluate(record(**changes), region, as_of=AS_OF)
    entry = _therapy(result, therapy)
    found = [item["code"] for item in entry["reasons"]]
    assert entry["status"] == status, entry["reasons"]
    assert set(codes) <= set(found), found
    if status == ELIGIBLE:
        assert len(found) == 1, found  # only the approval or recommendation itself


# --- apitegromab (Isembyld): a real status in the US, by age and by the SMN treatment it is added to ------
# The US approval (11 Sep 2026) is known from the company's announcement; the label itself was not read,
# so a person who fits is `eligible_with_cautions` with a reason saying so, and a past gene therapy without
# ongoing nusinersen or risdiplam is asked about, not judged.

API = "apitegromab"
ON_RISDIPLAM = had(RIS, ongoing=True)
CHILD_3Y = {**aged(36, weight_kg=14.0), **TYPE_2}

APITEGROMAB_SCENARIOS: list[Scenario] = [
    (
        "US 3 years on risdiplam",
        {**CHILD_3Y, **ON_RISDIPLAM},
        "US",
        API,
        CAUTION,
        ("approved", "label_not_read"),
    ),
    ("US adult on nusinersen", {**ADULT, **had(NUS, ongoing=True)}, "US", API, CAUTION, ("label_not_read",)),
    ("US 2 years 0 months on risdiplam", {**aged(24.1), **TYPE_2, **ON_RISDIPLAM}, "US", API, CAUTION, ()),
    (
        "US 1 year 11 months on risdiplam",
        {**aged(23.9), **TYPE_2, **ON_RISDIPLAM},
        "US",
        API,
        NOT_ELIGIBLE,
        ("below_minimum_age",),
    ),
    ("US baby on risdiplam", ON_RISDIPLAM, "US", API, NOT_ELIGIBLE, ("below_minimum_age",)),
    ("US adult, no SMN treatment recorded", ADULT, "US", API, NEEDS, ("smn_treatment_not_recorded",)),
    (
        "US adult, nusinersen stopped",
        {**ADULT, **had(NUS)},
        "US",
        API,
        NEEDS,
        ("smn_treatment_not_recorded",),
    ),
    (
        "US 3 years after Zolgensma only",
        {**CHILD_3Y, **had(IV)},
        "US",
        API,
        NEEDS,
        ("gene_therapy_as_smn_treatment_unconfirmed",),
    ),
    (
        "US 3 years after Zolgensma, now on risdiplam",
        {**CHILD_3Y, "treatments": had(IV)["treatments"] + ON_RISDIPLAM["treatments"]},
        "US",
        API,
        CAUTION,
        ("label_not_read",),
    ),
    (
        "US adult with two SMN1 copies",
        {**ADULT, "genetics.smn1_copies": 2},
        "US",
        API,
        NOT_ELIGIBLE,
        ("not_5q_sma",),
    ),
    ("EU adult on risdiplam", {**ADULT, **ON_RISDIPLAM}, "EU", API, NEEDS, ("approval_unconfirmed",)),
    *[
        (f"{region} adult on risdiplam", {**ADULT, **ON_RISDIPLAM}, region, API, "not_approved_in_region", ())
        for region in ("UK", "CA", "JP", "AU")
    ],
]


@pytest.mark.parametrize(
    ("changes", "region", "therapy", "status", "codes"),
    [pytest.param(*row[1:], id=f"{row[2]} {row[3]}: {row[0]}") for row in APITEGROMAB_SCENARIOS],
)
def test_apitegromab_by_region_age_and_smn_treatment(
    changes: dict[str, Any], region: str, therapy: str, status: str, codes: tuple[str, ...]
) -> None:
    entry = _therapy(evaluate(record(**changes), region, as_of=AS_OF), therapy)
    found = [item["code"] for item in entry["reasons"]]
    assert entry["status"] == status, entry["reasons"]
    assert set(codes) <= set(found), found
    if "gene_therapy_as_smn_treatment_unconfirmed" in codes:
        # Only the open question is asked: gene therapy is recorded, so "no treatment" is not said.
        assert "smn_treatment_not_recorded" not in found
        assert any("not confirmed" in item["text"] for item in entry["reasons"])


def test_apitegromab_us_says_what_is_not_confirmed() -> None:
    entry = _therapy(evaluate(record(**CHILD_3Y, **ON_RISDIPLAM), "US", as_of=AS_OF), API)
    assert entry["name"] == "Isembyld (apitegromab)"
    assert entry["regimen"] is None  # the US dose was not read
    caution = next(item for item in entry["reasons"] if item["code"] == "label_not_read")
    assert "not confirmed" in caution["text"] and caution["sources"] == ["apitegromab_us_approval"]


# --- nusinersen higher-dose regimen (50 mg loading, 28 mg maintenance), worded by region -----------------
# region -> (phrases the regimen must contain, phrases it must not, the regimen-option note codes)
HIGH_DOSE_WORDING: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "US": (
        ("12 mg (5 mL)", "revised in March 2026", "not confirmed"),
        ("two 50 mg",),
        ("note_high_dose_us",),
    ),
    "EU": (
        (
            "days 0, 14, 28 and 63",
            "two 50 mg loading doses 14 days apart",
            "28 mg every 4 months",
            "one 50 mg dose in place of the next 12 mg dose",
        ),
        ("not confirmed",),
        ("note_high_dose_eu",),
    ),
    "JP": (
        (
            "9.6 mg",
            "19 September 2025",
            "50 mg at the first dose and again 2 weeks later",
            "28 mg every 4 months",
            "switch from the standard regimen in Japan was not read",
        ),
        (),
        ("note_high_dose_jp",),
    ),
    "UK": ((), ("50 mg",), ()),
    "CA": ((), ("50 mg",), ()),
    "AU": ((), ("50 mg",), ()),
}


@pytest.mark.parametrize("region", sorted(HIGH_DOSE_WORDING))
def test_nusinersen_high_dose_wording_by_region(region: str) -> None:
    required, forbidden, notes = HIGH_DOSE_WORDING[region]
    entry = _therapy(evaluate(record(**ADULT), region, as_of=AS_OF), NUS)
    regimen = entry["regimen"] or ""
    for phrase in required:
        assert phrase in regimen, (phrase, regimen)
    for phrase in forbidden:
        assert phrase not in regimen, (phrase, regimen)
    assert [item["code"] for item in entry["regimen_options"]] == list(notes)
    for item in entry["regimen_options"]:
        assert ("not confirmed" in item["text"]) is (region == "US"), item["text"]


def test_there_are_enough_scenarios_for_every_region_and_therapy() -> None:
    assert len(SCENARIOS) >= 45
    covered = {(row[2], row[3]) for row in SCENARIOS}
    for region in Region:
        for therapy in TherapyId:
            assert (region.value, therapy.value) in covered, (region, therapy)


@pytest.mark.parametrize("region", list(Region))
@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"genetics": ...},
        ADULT,
        {**TYPE_1, "clinical.ventilation": "tracheostomy", "labs.anti_aav9_titer": 400},
    ],
    ids=["baby", "untested", "adult", "ventilated type 1"],
)
def test_every_answer_is_complete_and_explained(region: Region, changes: dict[str, Any]) -> None:
    kb = load_knowledge()
    result = evaluate(record(**changes), region.value, as_of=AS_OF)
    therapies = result["therapies"]
    assert [item["therapy"] for item in therapies[:4]] == [item.value for item in TherapyId]
    for extra in therapies[4:]:
        assert extra["therapy"] not in {item.value for item in TherapyId}
    for entry in therapies:
        assert entry["status"] in {status.value for status in TherapyStatus}
        assert entry["reasons"], entry
        for item in entry["reasons"]:
            assert set(item) == {"code", "text", "sources"}
            assert item["text"] and "{" not in item["text"]
            assert item["sources"] and all(source in kb.sources for source in item["sources"])
        notes = [entry.get(kind, []) for kind in ("pre_treatment_tests", "warnings", "contraindications")]
        for note in notes[0] + notes[1] + notes[2]:
            assert note["sources"]
        assert entry["layer"] in {"label", "hta"}
        assert entry["rules"] and all(rule in kb.entries for rule in entry["rules"])


def test_uk_answers_are_worded_as_nice_recommendations() -> None:
    result = evaluate(record(), "UK", as_of=AS_OF)
    for therapy in (NUS, RIS, IV):
        entry = _therapy(result, therapy)
        assert entry["layer"] == "hta"
        assert any(item["text"].startswith("NICE recommends") for item in entry["reasons"])


def test_unconfirmed_points_say_so() -> None:
    entry = _therapy(evaluate(record(**ADULT), "CA", as_of=AS_OF), IT)
    assert "not confirmed" in entry["reasons"][0]["text"]
    entry = _therapy(evaluate(record(**{"labs.anti_aav9_titer": 51}), "UK", as_of=AS_OF), IV)
    assert any("not confirmed in smanav's knowledge base" in item["text"] for item in entry["reasons"])


def test_reasons_come_most_restrictive_first() -> None:
    entry = _therapy(evaluate(record(**aged(30, **AAV_NEG)), "US", as_of=AS_OF), IV)
    assert entry["status"] == NOT_ELIGIBLE
    assert entry["reasons"][0]["code"] == "age_limit"
    assert entry["reasons"][-1]["code"] == "approved"


def test_missing_information_names_the_field() -> None:
    entry = _therapy(evaluate(record(weight_kg=...), "US", as_of=AS_OF), IV)
    texts = " ".join(item["text"] for item in entry["reasons"])
    assert "(weight_kg)" in texts and "(labs.anti_aav9_titer)" in texts


def test_dosing_and_notes_are_shown_where_confirmed() -> None:
    result = evaluate(record(), "US", as_of=AS_OF)
    assert "0.15 mg/kg" in _therapy(result, RIS)["regimen"]
    assert _therapy(result, NUS)["pre_treatment_tests"][0]["code"] == "note_us_labs"
    assert _therapy(evaluate(record(), "CA", as_of=AS_OF), NUS)["regimen"] is None
    assert _therapy(evaluate(record(), "EU", as_of=AS_OF), NUS)["regimen_options"]


def _facts(changes: dict[str, Any], region: Region) -> Any:
    kb = load_knowledge()
    facts = derive_facts(validate_record(record(**changes), as_of=AS_OF), region=region, as_of=AS_OF)
    facts = dataclasses.replace(facts, diagnosis=interpret_genetics(facts, kb).status)
    classification = classify(facts, kb)
    return dataclasses.replace(
        facts, sma_type=classification.sma_type, functional_group=classification.functional_group
    )


def test_other_agents_follow_the_contract_four() -> None:
    kb = load_knowledge()
    for region in Region:
        entries = [
            item.to_json()
            for item in assess_therapies(_facts({}, region), kb, include_unapproved_agents=True)
        ]
        assert [item["therapy"] for item in entries[:4]] == [item.value for item in TherapyId]
        others = {item["therapy"]: item for item in entries[4:]}
        assert set(others) == {"apitegromab", "taldefgrobep_alfa", "salanersen"}
        for name in ("taldefgrobep_alfa", "salanersen"):
            assert others[name]["status"] == "not_approved_in_region"
            assert [reason["code"] for reason in others[name]["reasons"]] == ["not_approved"]
            assert "pre_treatment_tests" not in others[name]
    contract_only = assess_therapies(_facts({}, Region.US), kb)
    assert [item.therapy for item in contract_only] == [item.value for item in TherapyId]


def test_a_carrier_is_not_eligible_even_where_approval_is_unconfirmed() -> None:
    entry = _therapy(evaluate(record(**{"genetics.smn1_copies": 1}), "JP", as_of=AS_OF), IT)
    assert entry["status"] == NOT_ELIGIBLE
    assert {item["code"] for item in entry["reasons"]} == {"not_5q_sma", "approval_unconfirmed"}


def _therapies_document() -> dict[str, Any]:
    path = resources.files("smanav_core.knowledge") / "data" / "therapies.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _rule(**changes: Any) -> dict[str, Any]:
    base = {
        "id": "therapy.test.rule",
        "therapy": "risdiplam",
        "regions": ["US"],
        "layer": "label",
        "code": "test",
        "outcome": "eligible_with_cautions",
        "when": {"pregnant": True},
        "text": "A test rule.",
        "sources": ["evrysdi_us_pi"],
        "evidence": "label",
        "reviewed_on": "2026-11-21",
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not ...}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"when": {}}, "at least one condition"),
        ({"when": ...}, "exactly one of"),
        ({"require_any": [{"pregnant": True}]}, "exactly one of"),
        ({"outcome": "eligible"}, "outcome is"),
        ({"if_unknown": "needs_information"}, "unknown_text"),
    ],
)
def test_malformed_rules_are_rejected(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EligibilityRule.model_validate(_rule(**changes))


@pytest.mark.parametrize(
    ("offsets", "message"),
    [([14, 7], "increasing"), ([7, 7], "increasing"), ([-7, 7], "negative")],
)
def test_malformed_schedules_are_rejected(offsets: list[int], message: str) -> None:
    document = _therapies_document()["monitoring"][0]
    with pytest.raises(ValidationError, match=message):
        MonitoringSchedule.model_validate({**document, "offsets_days": offsets})


def test_the_catalogue_must_be_complete_and_consistent() -> None:
    document = _therapies_document()
    TherapiesFile.model_validate(document)
    TherapiesFile.model_validate({})  # an empty file is a valid (if useless) knowledge file

    reordered = dict(document, therapy=list(reversed(document["therapy"])))
    with pytest.raises(ValidationError, match="contract order"):
        TherapiesFile.model_validate(reordered)

    duplicated = dict(
        document, regional_status=[*document["regional_status"], document["regional_status"][0]]
    )
    with pytest.raises(ValidationError, match="already has a status"):
        TherapiesFile.model_validate(duplicated)

    missing = dict(document, regional_status=document["regional_status"][1:])
    with pytest.raises(ValidationError, match="no regional_status for US"):
        TherapiesFile.model_validate(missing)

    stray = dict(document, rule=[*document["rule"], _rule(therapy="unknown_agent")])
    with pytest.raises(ValidationError, match="unknown therapy unknown_agent"):
        TherapiesFile.model_validate(stray)
