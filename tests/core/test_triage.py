"""Triage: "SMA, paraspinal muscle atrophy, or something else?" — table-driven scenarios and invariants.

The scenarios run against a knowledge base built from `triage.toml` and the sources it cites only, so
work in progress in other knowledge files cannot make these tests fail (and vice versa).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from smanav_core import InvalidInput, triage
from smanav_core.codes import TriageHistory, TriageSymptom
from smanav_core.knowledge.loader import Knowledge, build_knowledge
from smanav_core.knowledge.schema.triage import Clause, TriageFile, TriageRule
from smanav_core.record import Genetics
from smanav_core.triage import TRIAGE_SCHEMA, genetics_signal

AS_OF = dt.date(2026, 11, 21)
REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "smanav_core" / "knowledge" / "data"
EXAMPLES = REPO / "examples"


def _triage_knowledge() -> Knowledge:
    raw = (DATA / "triage.toml").read_bytes()
    document = tomllib.loads(raw.decode("utf-8"))
    cited = {
        source
        for table in document.values()
        if isinstance(table, list)
        for entry in table
        for source in entry.get("sources", [])
    }
    # Keep only the bibliography entries triage cites: split sources.toml at each `[key]` header.
    blocks = re.split(r"(?m)^(?=\[[a-z0-9_]+\]\s*$)", (DATA / "sources.toml").read_text(encoding="utf-8"))
    kept = [block for block in blocks if (m := re.match(r"\[([a-z0-9_]+)\]", block)) and m.group(1) in cited]
    return build_knowledge({"sources.toml": "\n".join(kept).encode(), "triage.toml": raw})


KB = _triage_knowledge()


def run(answers: dict[str, Any]) -> dict[str, Any]:
    return triage(answers, as_of=AS_OF, knowledge=KB)


@dataclass(frozen=True)
class Case:
    name: str
    answers: dict[str, Any]
    pattern: str
    recommendation: str
    urgency: str
    codes: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    not_conditions: tuple[str, ...] = ()
    words: tuple[str, ...] = field(default=())


PARA = ("consistent_with_paraspinal_muscle_atrophy", "see_primary_care_or_spine_specialist", "routine")
NONSPEC = ("nonspecific", "see_primary_care_or_spine_specialist", "routine")
EMERG = ("emergency_red_flags", "seek_emergency_care", "emergency")
NEURO = ("suggests_neuromuscular_disease", "see_neurologist", "routine")
NEURO_URGENT = ("suggests_neuromuscular_disease", "see_neurologist", "urgent")
SMA = "5q spinal muscular atrophy (SMA)"
PARASPINAL = "Paraspinal muscle atrophy (wasting of the back muscles beside the spine)"
SMA_CONFIRMED = "5q spinal muscular atrophy (SMA), genetically confirmed"

CASES = [
    # --- paraspinal muscle atrophy and nothing specific
    Case(
        "contract_example_back_pain_after_spine_surgery",
        {"age_years": 54, "history": ["spinal_surgery"], "symptoms": ["low_back_pain", "trunk_weakness"]},
        *PARA,
        codes=("paraspinal.back_only_with_cause", "note.terminology"),
        conditions=("Paraspinal muscle atrophy (wasting of the back muscles beside the spine)",),
        words=("paraspinal muscle atrophy", "low back pain", "back surgery"),
    ),
    Case(
        "degenerative_spine_posture_only",
        {
            "age_years": 67,
            "history": ["degenerative_spine_disease"],
            "symptoms": ["rounded_upper_back"],
            "onset": "years",
        },
        *PARA,
        codes=("paraspinal.back_only_with_cause",),
    ),
    Case(
        "back_pain_without_cause",
        {"age_years": 40, "symptoms": ["low_back_pain"]},
        *NONSPEC,
        codes=("nonspecific",),
    ),
    Case(
        "back_pain_years_after_a_back_injury",
        {"age_years": 35, "history": ["back_injury"], "symptoms": ["low_back_pain"], "onset": "years"},
        *PARA,
        codes=("paraspinal.back_only_after_injury",),
        conditions=(PARASPINAL,),
        words=("animal experiment",),
    ),
    Case(
        "trunk_weakness_after_a_brace_in_a_teenager",
        {"age_years": 15, "history": ["bracing_or_immobilisation"], "symptoms": ["trunk_weakness"]},
        *PARA,
        codes=("paraspinal.back_only_after_immobilisation", "note.under_16"),
        # Still worth asking about: a brace is not shown to waste the trunk muscles.
        conditions=("Axial myopathy or myasthenia gravis (weakness of the neck and trunk muscles)",),
        words=("no conclusive evidence",),
    ),
    # --- paraspinal muscle atrophy without any weakness reported (the pattern the sources describe)
    Case(
        "after_spine_surgery_back_pain_and_rounded_upper_back_no_weakness",
        {"age_years": 58, "history": ["spinal_surgery"], "symptoms": ["low_back_pain", "rounded_upper_back"]},
        *PARA,
        codes=("paraspinal.back_only_with_cause", "note.terminology"),
        conditions=(PARASPINAL,),
        words=("Weakness does not have to be present", "Nothing reported goes beyond the back"),
    ),
    Case(
        "after_spine_surgery_deep_lumbar_curve_only",
        {"age_years": 49, "history": ["spinal_surgery"], "symptoms": ["excess_lumbar_curve"]},
        *PARA,
        codes=("paraspinal.back_only_with_cause",),
    ),
    Case(
        "after_spine_surgery_balance_problems_and_back_pain",
        {"age_years": 71, "history": ["spinal_surgery"], "symptoms": ["balance_problems", "low_back_pain"]},
        *PARA,
        codes=("paraspinal.back_only_with_cause", "note.balance"),
        words=("body sway",),
    ),
    Case(
        "after_a_back_injury_back_pain_and_balance_problems",
        {
            "age_years": 44,
            "history": ["back_injury"],
            "symptoms": ["low_back_pain", "balance_problems"],
            "onset": "months",
        },
        *PARA,
        codes=("paraspinal.back_only_after_injury", "note.balance"),
        conditions=(PARASPINAL,),
    ),
    Case(
        "after_bed_rest_rounded_upper_back_and_balance_problems",
        {
            "age_years": 63,
            "history": ["bracing_or_immobilisation"],
            "symptoms": ["rounded_upper_back", "balance_problems"],
        },
        *PARA,
        codes=("paraspinal.back_only_after_immobilisation", "note.balance"),
        conditions=(PARASPINAL,),
        words=("60 days",),
    ),
    Case(
        "after_a_brace_deep_lumbar_curve_and_back_pain",
        {
            "age_years": 22,
            "history": ["bracing_or_immobilisation"],
            "symptoms": ["excess_lumbar_curve", "low_back_pain"],
        },
        *PARA,
        codes=("paraspinal.back_only_after_immobilisation",),
    ),
    Case(
        "spine_wear_posture_and_balance_no_weakness",
        {
            "age_years": 76,
            "history": ["degenerative_spine_disease"],
            "symptoms": ["rounded_upper_back", "balance_problems"],
            "onset": "years",
        },
        *PARA,
        codes=("paraspinal.back_only_with_cause", "note.balance"),
    ),
    Case(
        "balance_problems_alone_after_surgery_are_not_enough",
        {"age_years": 70, "history": ["spinal_surgery"], "symptoms": ["balance_problems"]},
        *NONSPEC,
        codes=("nonspecific", "note.balance"),
        not_conditions=(PARASPINAL,),
    ),
    Case(
        "posture_change_without_a_cause_is_nonspecific",
        {"age_years": 66, "symptoms": ["rounded_upper_back", "low_back_pain"]},
        *NONSPEC,
        codes=("nonspecific",),
        not_conditions=(PARASPINAL,),
    ),
    Case(
        "injury_with_sudden_pain_is_an_emergency_not_paraspinal",
        {
            "age_years": 30,
            "history": ["back_injury"],
            "symptoms": ["low_back_pain", "rounded_upper_back"],
            "onset": "days",
        },
        *EMERG,
        codes=("red_flag.recent_injury",),
    ),
    Case(
        "limb_weakness_after_surgery_goes_to_a_neurologist",
        {
            "age_years": 52,
            "history": ["spinal_surgery"],
            "symptoms": ["low_back_pain", "proximal_leg_weakness"],
        },
        *NEURO,
        codes=("neuromuscular.signs",),
        not_conditions=(PARASPINAL,),
    ),
    # --- blanks are "not known", never "absent"
    Case(
        "no_onset_course_or_sex_given_still_paraspinal",
        {"age_years": 57, "history": ["degenerative_spine_disease"], "symptoms": ["low_back_pain"]},
        *PARA,
        words=("Nothing reported goes beyond the back",),
    ),
    Case(
        "no_genetic_result_is_not_a_normal_result",
        {"age_years": 33, "symptoms": ["proximal_leg_weakness"], "onset": "years"},
        *NEURO,
        codes=("note.genetics_not_tested",),
        conditions=(SMA,),
        words=("No SMN1 test result was given",),
    ),
    Case("empty_symptom_list", {"age_years": 30}, *NONSPEC, codes=("nonspecific", "note.no_symptoms")),
    Case(
        "unconfirmed_symptoms_change_nothing",
        {
            "age_years": 70,
            "history": ["spinal_surgery"],
            "symptoms": ["tremor", "balance_problems", "low_back_pain"],
        },
        *NONSPEC,
        codes=("note.unconfirmed_symptoms",),
        words=("not confirmed",),
    ),
    Case(
        "cramps_alone_noted",
        {"age_years": 44, "symptoms": ["muscle_cramps"]},
        *NONSPEC,
        codes=("note.cramps",),
    ),
    Case(
        "trunk_weakness_without_cause_axial",
        {"age_years": 72, "symptoms": ["trunk_weakness"], "onset": "months"},
        *NONSPEC,
        conditions=("Axial myopathy or myasthenia gravis (weakness of the neck and trunk muscles)",),
    ),
    # --- emergency red flags
    Case(
        "saddle_numbness",
        {
            "age_years": 47,
            "history": ["degenerative_spine_disease"],
            "symptoms": ["low_back_pain", "saddle_numbness"],
        },
        *EMERG,
        codes=("red_flag.cauda_equina",),
        conditions=("Cauda equina syndrome (squeezed nerves at the bottom of the spine)",),
        words=("numbness around the genitals or buttocks",),
    ),
    Case(
        "bladder_or_bowel",
        {"age_years": 39, "symptoms": ["low_back_pain", "bladder_or_bowel_dysfunction"], "onset": "days"},
        *EMERG,
        codes=("red_flag.cauda_equina",),
        words=("trouble controlling the bladder or bowel",),
    ),
    Case(
        "fever_is_urgent_not_emergency",
        {"age_years": 58, "symptoms": ["low_back_pain", "fever_or_weight_loss"]},
        "emergency_red_flags",
        "see_primary_care_or_spine_specialist",
        "urgent",
        codes=("red_flag.infection_or_cancer",),
        conditions=("Infection or cancer in the spine",),
    ),
    Case(
        "night_pain_is_urgent",
        {"age_years": 63, "history": ["spinal_surgery"], "symptoms": ["low_back_pain", "night_pain"]},
        "emergency_red_flags",
        "see_primary_care_or_spine_specialist",
        "urgent",
        codes=("red_flag.infection_or_cancer",),
    ),
    Case(
        "sudden_weakness",
        {"age_years": 66, "symptoms": ["asymmetric_weakness"], "onset": "sudden"},
        *EMERG,
        codes=("red_flag.sudden_weakness",),
        conditions=("Stroke or transient ischaemic attack (mini-stroke)",),
    ),
    Case(
        "weakness_over_days",
        {"age_years": 29, "symptoms": ["distal_weakness", "numbness_or_tingling"], "onset": "days"},
        *EMERG,
        codes=("red_flag.rapid_weakness", "neuromuscular.signs", "note.numbness"),
        conditions=("Guillain-Barré syndrome",),
    ),
    Case(
        "acute_breathing_difficulty",
        {"age_years": 52, "symptoms": ["breathing_difficulty"], "onset": "sudden"},
        *EMERG,
        codes=("red_flag.acute_breathing",),
    ),
    Case(
        "sudden_speech_problem",
        {"age_years": 75, "symptoms": ["speech_or_swallowing_difficulty"], "onset": "sudden"},
        *EMERG,
        codes=("red_flag.sudden_speech",),
    ),
    Case(
        "injury_with_sudden_back_pain",
        {"age_years": 33, "history": ["back_injury"], "symptoms": ["low_back_pain"], "onset": "sudden"},
        *EMERG,
        codes=("red_flag.recent_injury",),
    ),
    Case(
        "emergency_outranks_neuromuscular",
        {"age_years": 36, "symptoms": ["proximal_leg_weakness", "saddle_numbness"], "onset": "years"},
        *EMERG,
        codes=("red_flag.cauda_equina", "neuromuscular.signs"),
    ),
    # --- nerve and muscle disease, SMA and its mimics
    Case(
        "adult_sma_like",
        {
            "age_years": 31,
            "history": ["childhood_motor_delay"],
            "symptoms": ["proximal_leg_weakness", "difficulty_rising_or_climbing"],
            "onset": "since_childhood",
            "course": "progressive",
        },
        *NEURO,
        codes=("neuromuscular.signs", "neuromuscular.history", "note.genetics_not_tested"),
        conditions=(
            SMA,
            "A muscle disease (myopathy), including inflammatory myositis and inclusion body myositis",
        ),
        words=("weakness of the hips or thighs",),
    ),
    Case(
        "family_history_overrides_back_pattern",
        {
            "age_years": 25,
            "history": ["spinal_surgery", "family_history_neuromuscular"],
            "symptoms": ["low_back_pain"],
        },
        *NEURO,
        codes=("neuromuscular.history",),
        conditions=(SMA,),
    ),
    Case(
        "als_upper_and_lower_motor_neuron",
        {
            "age_years": 61,
            "symptoms": ["brisk_reflexes_or_stiffness", "fasciculations", "asymmetric_weakness"],
            "onset": "years",
        },
        *NEURO_URGENT,
        codes=("neuromuscular.upper_motor_neuron",),
        conditions=("Amyotrophic lateral sclerosis (ALS), a motor neuron disease",),
        not_conditions=("Benign fasciculations (harmless muscle twitching)",),
    ),
    Case(
        "kennedy_disease",
        {
            "age_years": 48,
            "sex": "male",
            "symptoms": ["breast_enlargement_in_male", "fasciculations", "speech_or_swallowing_difficulty"],
            "onset": "years",
            "course": "progressive",
        },
        *NEURO_URGENT,
        codes=("neuromuscular.bulbar",),
        conditions=("Spinal and bulbar muscular atrophy (Kennedy disease)",),
    ),
    Case(
        "kennedy_disease_by_bulbar_signs",
        {
            "age_years": 50,
            "sex": "male",
            "symptoms": ["speech_or_swallowing_difficulty", "proximal_leg_weakness"],
        },
        *NEURO_URGENT,
        conditions=("Spinal and bulbar muscular atrophy (Kennedy disease)",),
        codes=("note.onset_unknown",),
    ),
    Case(
        "breast_enlargement_answer_with_sex_female",
        {"age_years": 50, "sex": "female", "symptoms": ["breast_enlargement_in_male"], "onset": "years"},
        *NEURO,
        not_conditions=("Spinal and bulbar muscular atrophy (Kennedy disease)",),
    ),
    Case(
        "late_onset_pompe",
        {
            "age_years": 42,
            "symptoms": ["breathing_difficulty", "proximal_leg_weakness", "trunk_weakness"],
            "onset": "years",
        },
        *NEURO_URGENT,
        codes=("neuromuscular.breathing",),
        conditions=("Late-onset Pompe disease (acid maltase deficiency)",),
    ),
    Case(
        "multifocal_motor_neuropathy",
        {
            "age_years": 45,
            "symptoms": ["distal_weakness", "asymmetric_weakness"],
            "onset": "months",
            "course": "stable",
        },
        *NEURO,
        conditions=(
            "A nerve disease (neuropathy) such as multifocal motor neuropathy (MMN) or chronic inflammatory "
            "demyelinating polyneuropathy (CIDP)",
        ),
    ),
    Case(
        "cidp_numbness_with_weakness",
        {"age_years": 57, "symptoms": ["numbness_or_tingling", "proximal_leg_weakness"], "onset": "years"},
        *NEURO,
        codes=("note.numbness",),
        conditions=(
            "A nerve disease (neuropathy) such as multifocal motor neuropathy (MMN) or chronic inflammatory "
            "demyelinating polyneuropathy (CIDP)",
        ),
    ),
    Case(
        "progressive_over_months",
        {"age_years": 55, "symptoms": ["proximal_arm_weakness"], "onset": "months", "course": "progressive"},
        *NEURO_URGENT,
        codes=("neuromuscular.progressive",),
    ),
    Case(
        "lower_motor_neuron_only_progressive_weeks",
        {
            "age_years": 58,
            "symptoms": ["fasciculations", "distal_weakness"],
            "onset": "weeks",
            "course": "progressive",
        },
        *NEURO_URGENT,
        conditions=(
            "Progressive muscular atrophy (a lower-motor-neuron form of motor neuron disease; not paraspinal "
            "muscle atrophy)",
        ),
    ),
    Case(
        "fasciculations_without_weakness",
        {"age_years": 24, "symptoms": ["fasciculations"], "onset": "months", "course": "stable"},
        *NEURO,
        conditions=("Benign fasciculations (harmless muscle twitching)",),
    ),
    Case("frequent_falls", {"age_years": 68, "symptoms": ["frequent_falls"], "onset": "months"}, *NEURO),
    # --- genetics in the answers
    Case(
        "genetics_zero_smn1_copies_confirms_sma",
        {
            "age_years": 28,
            "symptoms": ["low_back_pain"],
            "history": ["spinal_surgery"],
            "genetics": {"smn1_copies": 0},
        },
        *NEURO,
        codes=("neuromuscular.sma_confirmed",),
        conditions=(SMA_CONFIRMED,),
        not_conditions=(SMA, "Paraspinal muscle atrophy (wasting of the back muscles beside the spine)"),
        words=("confirms 5q spinal muscular atrophy",),
    ),
    Case(
        "genetics_compound_heterozygote_confirms_sma",
        {"age_years": 20, "genetics": {"smn1_copies": 1, "smn1_intragenic_variant": "c.815A>G"}},
        *NEURO,
        codes=("neuromuscular.sma_confirmed",),
        conditions=(SMA_CONFIRMED,),
    ),
    Case(
        "genetics_two_copies_makes_sma_unlikely",
        {
            "age_years": 50,
            "symptoms": ["proximal_leg_weakness"],
            "onset": "years",
            "genetics": {"smn1_copies": 2},
        },
        *NEURO,
        codes=("note.genetics_two_or_more",),
        not_conditions=(SMA, SMA_CONFIRMED),
        words=("5q SMA is unlikely",),
    ),
    Case(
        "genetics_one_copy_inconclusive",
        {
            "age_years": 38,
            "symptoms": ["proximal_leg_weakness"],
            "onset": "years",
            "genetics": {"smn1_copies": 1},
        },
        *NEURO,
        codes=("note.genetics_one_copy",),
        conditions=(SMA,),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_scenario(case: Case) -> None:
    result = run(case.answers)
    assert (result["pattern"], result["recommendation"], result["urgency"]) == (
        case.pattern,
        case.recommendation,
        case.urgency,
    )
    codes = [item["code"] for item in result["reasons"]]
    assert set(case.codes) <= set(codes), codes
    conditions = [item["condition"] for item in result["possible_conditions"]]
    assert set(case.conditions) <= set(conditions), conditions
    assert not set(case.not_conditions) & set(conditions), conditions
    text = json.dumps(result, ensure_ascii=False)
    for words in case.words:
        assert words in text


def test_at_least_twenty_scenarios_cover_every_pattern() -> None:
    assert len(CASES) >= 20
    assert {case.pattern for case in CASES} == {
        "emergency_red_flags",
        "suggests_neuromuscular_disease",
        "consistent_with_paraspinal_muscle_atrophy",
        "nonspecific",
    }


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_result_shape_and_sources(case: Case) -> None:
    result = run(case.answers)
    assert result["schema"] == TRIAGE_SCHEMA
    assert result["as_of"] == AS_OF.isoformat()
    assert result["disclaimer"]
    assert result["reasons"], "every result explains itself"
    assert result["next_steps"]
    assert len(result["next_steps"]) == len(set(result["next_steps"]))
    for item in result["reasons"]:
        assert set(item) == {"code", "text", "sources"}
        assert item["text"] and item["sources"]
        assert "{" not in item["text"], "an unfilled placeholder"
        assert all(source in KB.sources for source in item["sources"])
    for item in result["possible_conditions"]:
        assert item["condition"] and item["why"] and item["sources"]
        assert all(source in KB.sources for source in item["sources"])
    for item in result["features"]:
        assert item["meaning"] and all(source in KB.sources for source in item["sources"])
    json.dumps(result)  # JSON-ready


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_abbreviation_is_never_used(case: Case) -> None:
    """The three letters mean two different things; the result always writes the name out."""
    assert not re.search(r"\bPMA\b", json.dumps(run(case.answers)))


def test_paraspinal_result_says_paraspinal_muscle_atrophy_and_not_sma() -> None:
    result = run({"age_years": 54, "history": ["spinal_surgery"], "symptoms": ["low_back_pain"]})
    first = result["reasons"][0]["text"]
    assert "paraspinal muscle atrophy" in first
    assert "not spinal muscular atrophy" in first


def test_reasons_name_the_answers_that_fired() -> None:
    result = run({"age_years": 40, "symptoms": ["proximal_arm_weakness", "fasciculations", "low_back_pain"]})
    signs = next(item for item in result["reasons"] if item["code"] == "neuromuscular.signs")
    assert "weakness of the shoulders or upper arms and muscle twitching" in signs["text"]
    assert "low back pain" not in signs["text"]


def test_most_urgent_rule_decides_and_leads_the_reasons() -> None:
    result = run({"age_years": 60, "symptoms": ["fever_or_weight_loss", "saddle_numbness"]})
    assert result["urgency"] == "emergency"
    assert result["recommendation"] == "seek_emergency_care"
    assert result["reasons"][0]["code"] == "red_flag.cauda_equina"


def test_unconfirmed_notes_say_so() -> None:
    result = run({"age_years": 35, "symptoms": ["tremor", "low_back_pain"]})
    note = next(item for item in result["reasons"] if item["code"] == "note.unconfirmed_symptoms")
    assert "tremor" in note["text"]
    assert "low back pain" not in note["text"], "only the unconfirmed symptoms are named"
    tremor = next(item for item in result["features"] if item["answer"] == "tremor")
    assert "not confirmed" in tremor["meaning"]


def test_a_brace_is_explained_with_what_the_review_found() -> None:
    result = run({"age_years": 35, "history": ["bracing_or_immobilisation"], "symptoms": ["low_back_pain"]})
    braced = next(item for item in result["features"] if item["answer"] == "bracing_or_immobilisation")
    assert "no conclusive evidence" in braced["meaning"]
    assert "azadinia_2017_orthoses_review" in braced["sources"]


# Words that read an unticked box as "absent". The answers list what is present; anything else is not known.
ABSENCE_CLAIMS = re.compile(
    r"there is no weakness|no weakness of|symptoms stay in the back|confined to the back|"
    r"you do not have|you have no\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_no_text_reads_an_unticked_box_as_absent(case: Case) -> None:
    result = run(case.answers)
    texts = [item["text"] for item in result["reasons"]] + list(result["next_steps"])
    texts += [item["why"] for item in result["possible_conditions"]]
    texts += [item["meaning"] for item in result["features"]]
    for text in texts:
        assert not ABSENCE_CLAIMS.search(text), text


def test_every_knowledge_text_treats_unreported_as_not_known() -> None:
    """The same check over the whole file, so a rule that no scenario reaches is covered too."""
    statements = [*KB.triage.rule, *KB.triage.possible_condition, *KB.triage.feature]
    for entry in statements:
        for text in (entry.text, *entry.next_steps):
            assert not ABSENCE_CLAIMS.search(text), (entry.id, text)


def test_no_paraspinal_rule_needs_an_answer_to_be_missing() -> None:
    """A rule may ask that something *reported* is absent from a set, never that a box was left blank."""
    blank_signals = {"symptoms:none", "onset:unknown", "course:unknown", "genetics:not_tested"}
    for rule in KB.triage.rule:
        if rule.pattern is None or rule.pattern.value != "consistent_with_paraspinal_muscle_atrophy":
            continue
        for clause in rule.when:
            assert not blank_signals & set(clause.all_of), rule.id


def test_features_explain_each_answer_once_in_order() -> None:
    result = run(
        {
            "age_years": 50,
            "history": ["spinal_surgery"],
            "symptoms": ["trunk_weakness", "low_back_pain", "low_back_pain"],
        }
    )
    assert [item["answer"] for item in result["features"]] == [
        "trunk_weakness",
        "low_back_pain",
        "spinal_surgery",
    ]


def test_default_knowledge_is_loaded_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    # `smanav_core.triage` the attribute is the function; the module is reached through importlib.
    monkeypatch.setattr(importlib.import_module("smanav_core.triage"), "load_knowledge", lambda: KB)
    result = triage({"age_years": 40, "symptoms": ["low_back_pain"]}, as_of=AS_OF)
    assert result["knowledge_version"] == KB.version


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("triage-back-pain-after-surgery", "consistent_with_paraspinal_muscle_atrophy"),
        ("triage-posture-after-immobilisation", "consistent_with_paraspinal_muscle_atrophy"),
        ("triage-adult-proximal-weakness", "suggests_neuromuscular_disease"),
        ("triage-back-pain-red-flag", "emergency_red_flags"),
    ],
)
def test_examples(name: str, pattern: str) -> None:
    answers = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    assert run(answers)["pattern"] == pattern


# --- genetics signal -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("genetics", "signal"),
    [
        (None, "genetics:not_tested"),
        (Genetics(smn2_copies=3), "genetics:not_tested"),
        (Genetics(smn1_copies=0), "genetics:smn1_absent"),
        (Genetics(smn1_copies=1), "genetics:smn1_one_copy"),
        (Genetics(smn1_copies=1, smn1_intragenic_variant="c.815A>G"), "genetics:smn1_compound_heterozygote"),
        (Genetics(smn1_copies=3), "genetics:smn1_two_or_more"),
    ],
)
def test_genetics_signal(genetics: Genetics | None, signal: str) -> None:
    assert genetics_signal(genetics) == signal


# --- invalid answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"age_years": 40, "symptoms": ["low_back_pain", "sore_toe"]}, "symptoms[1]"),
        ({"age_years": 40, "history": ["space_travel"]}, "history[0]"),
        ({"age_years": 121}, "age_years"),
        ({"age_years": -1}, "age_years"),
        ({"age_years": 40, "colour": "blue"}, "colour"),
        ({"symptoms": ["low_back_pain"]}, "age_years"),
        ({"age_years": 40, "onset": "yesterday"}, "onset"),
        ({"age_years": 40, "course": "worse"}, "course"),
        ({"age_years": 40, "genetics": {"smn1_copies": 9}}, "genetics.smn1_copies"),
        (["not", "an", "object"], "answers"),
    ],
)
def test_invalid_answers_name_the_field(answers: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        run(answers)
    assert field in [path for path, _ in raised.value.problems]


def test_as_of_must_be_a_date() -> None:
    with pytest.raises(InvalidInput) as raised:
        triage({"age_years": 40}, as_of="2026-11-21", knowledge=KB)  # type: ignore[arg-type]
    assert raised.value.problems[0][0] == "as_of"


# --- the knowledge file itself -------------------------------------------------------------------------


def test_every_answer_has_exactly_one_meaning() -> None:
    answers = [feature.answer for feature in KB.triage.feature]
    expected = {member.value for member in TriageSymptom} | {member.value for member in TriageHistory}
    assert sorted(answers) == sorted(expected)


def test_every_pattern_has_a_rule_and_nonspecific_always_matches() -> None:
    patterns = {rule.pattern for rule in KB.triage.rule if rule.pattern is not None}
    assert len(patterns) == 4
    fallback = [
        rule for rule in KB.triage.rule if rule.pattern is not None and rule.pattern.value == "nonspecific"
    ]
    assert fallback and all(clause == Clause() for rule in fallback for clause in rule.when)


def _rule(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "triage.test",
        "text": "A test rule.",
        "sources": ["nhs_back_pain"],
        "evidence": "guideline",
        "reviewed_on": "2026-11-21",
        "when": [{"any_of": ["low_back_pain"]}],
    }
    return base | overrides


def test_an_unconfirmed_rule_cannot_decide() -> None:
    with pytest.raises(ValidationError, match="unconfirmed"):
        TriageRule.model_validate(
            _rule(confirmed=False, pattern="nonspecific", recommendation="see_neurologist", urgency="routine")
        )


def test_a_decision_needs_all_three_parts() -> None:
    with pytest.raises(ValidationError, match="go together"):
        TriageRule.model_validate(_rule(pattern="nonspecific"))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"rule": [_rule(when=[{"any_of": ["sore_toe"]}])]}, "unknown triage signal"),
        ({"rule": [_rule(when=[{"any_of": ["set:nowhere"]}])]}, "unknown feature set"),
        ({"rule": [_rule(when=[{"only_symptoms_in": "nowhere"}])]}, "unknown feature set"),
        (
            {"feature_set": [{"id": "a", "description": "abc", "members": ["onset:sudden"]}]},
            "symptom or history",
        ),
        (
            {
                "feature_set": [
                    {"id": "a", "description": "abc", "members": ["low_back_pain"]},
                    {"id": "a", "description": "abc", "members": ["tremor"]},
                ]
            },
            "unique",
        ),
        (
            {"feature": [_rule(id="triage.f", answer="sore_toe", label="sore toe")]},
            "unknown triage answer",
        ),
        (
            {
                "feature": [
                    {**_rule(id="triage.f1"), "answer": "tremor", "label": "tremor", "when": None},
                    {**_rule(id="triage.f2"), "answer": "tremor", "label": "tremor", "when": None},
                ]
            },
            "only one feature",
        ),
    ],
)
def test_triage_file_rejects_broken_references(document: dict[str, Any], message: str) -> None:
    for feature in document.get("feature", []):
        feature.pop("when", None)
    with pytest.raises(ValidationError, match=message):
        TriageFile.model_validate(document)


# --- emergency numbers ---------------------------------------------------------------------------------

RED_FLAG = {"age_years": 47, "symptoms": ["low_back_pain", "saddle_numbness"], "onset": "days"}
NUMBERS = {"US": "911", "UK": "999", "EU": "112", "AU": "000", "CA": "911", "JP": "119"}


def _advice_texts(result: dict[str, Any]) -> str:
    """Everything the result says apart from the emergency numbers themselves."""
    parts = [item["text"] for item in result["reasons"]] + list(result["next_steps"])
    parts += [item["why"] for item in result["possible_conditions"]]
    parts += [step for item in result["possible_conditions"] for step in item["tests"]]
    parts += [item["meaning"] for item in result["features"]]
    return "\n".join(parts)


@pytest.mark.parametrize(("region", "number"), sorted(NUMBERS.items()))
def test_red_flag_gives_the_number_of_the_region_once(region: str, number: str) -> None:
    result = run(RED_FLAG | {"region": region})
    assert result["recommendation"] == "seek_emergency_care"
    assert result["region"] == region
    [given] = result["emergency_numbers"]
    assert (given["region"], given["number"]) == (region, number)
    assert number in given["text"].replace("-", "")
    assert given["sources"] and all(source in KB.sources for source in given["sources"])
    # The number is said once, by the emergency block; the advice says "the emergency number".
    assert not re.search(rf"\b{number}\b", _advice_texts(result))


def test_red_flag_without_a_region_gives_every_regions_number() -> None:
    result = run(RED_FLAG)
    assert result["region"] is None
    given = {item["region"]: item["number"] for item in result["emergency_numbers"]}
    assert given == NUMBERS


@pytest.mark.parametrize(
    "answers",
    [
        {"age_years": 52, "symptoms": ["breathing_difficulty"], "onset": "sudden"},
        {"age_years": 66, "symptoms": ["asymmetric_weakness"], "onset": "sudden"},
        {"age_years": 75, "symptoms": ["speech_or_swallowing_difficulty"], "onset": "days"},
        {"age_years": 33, "history": ["back_injury"], "symptoms": ["low_back_pain"], "onset": "sudden"},
        {"age_years": 29, "symptoms": ["distal_weakness"], "onset": "days"},
    ],
)
def test_no_emergency_advice_names_a_number_of_its_own(answers: dict[str, Any]) -> None:
    result = run(answers | {"region": "JP"})
    assert result["recommendation"] == "seek_emergency_care"
    assert [item["number"] for item in result["emergency_numbers"]] == ["119"]
    assert not re.search(r"\b(911|999|112|000|119)\b", _advice_texts(result))


@pytest.mark.parametrize(
    "answers",
    [
        {"age_years": 58, "region": "UK", "symptoms": ["low_back_pain", "fever_or_weight_loss"]},
        {"age_years": 54, "region": "US", "history": ["spinal_surgery"], "symptoms": ["low_back_pain"]},
        {"age_years": 40},
    ],
)
def test_no_emergency_number_without_an_emergency(answers: dict[str, Any]) -> None:
    assert "emergency_numbers" not in run(answers)


def test_every_region_has_exactly_one_emergency_number() -> None:
    regions = [item.region.value for item in KB.triage.emergency_number]
    assert sorted(regions) == sorted(NUMBERS)
    assert {item.region.value: item.number for item in KB.triage.emergency_number} == NUMBERS


def test_the_region_must_be_one_of_the_contracts() -> None:
    with pytest.raises(InvalidInput) as raised:
        run(RED_FLAG | {"region": "FR"})
    assert [path for path, _ in raised.value.problems] == ["region"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {
                "emergency_number": [
                    {**_rule(id="triage.e1"), "region": "UK", "number": "999", "text": "Call 999."},
                    {**_rule(id="triage.e2"), "region": "UK", "number": "112", "text": "Call 112."},
                ]
            },
            "only one emergency number",
        ),
        (
            {
                "emergency_number": [
                    {**_rule(id="triage.e1"), "region": "UK", "number": "999", "text": "Call."}
                ]
            },
            "must give the number",
        ),
    ],
)
def test_emergency_numbers_are_checked(document: dict[str, Any], message: str) -> None:
    for item in document["emergency_number"]:
        item.pop("when")
    with pytest.raises(ValidationError, match=message):
        TriageFile.model_validate(document)
