"""Trial matching: table-driven scenarios on the SAMPLE trials, the curated layer, API, CLI and page."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.core.test_knowledge_trials import with_review

from smanav.trials import curation, selectors, services
from smanav.trials.ages import parse_age_limit
from smanav.trials.curation import SAMPLE_CURATED_DIR, curated_trials, load_curated_dir
from smanav.trials.eligibility import read_criteria
from smanav.trials.matching import TrialFacts, assess_trial
from smanav.trials.models import Trial
from smanav.trials.selectors import patient_facts
from smanav.trials.services import trials_match_document
from smanav_core.knowledge.loader import build_knowledge
from smanav_core.knowledge.schema.trials import CuratedTrial

AS_OF = dt.date(2026, 11, 21)
SAMPLE_TRIALS = Path(__file__).resolve().parents[2] / "src/smanav/trials/sample_data/sample_trials.ndjson"

PRESYMPTOMATIC_NEWBORN: dict[str, Any] = {
    "birth_date": "2026-11-01",
    "genetics": {"smn1_copies": 0, "smn2_copies": 2, "method": "mlpa"},
    "clinical": {"symptomatic": False, "ventilation": "none"},
}
SITTER_CHILD: dict[str, Any] = {
    "birth_date": "2021-03-01",
    "weight_kg": 14.5,
    "genetics": {"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"},
    "clinical": {
        "symptomatic": True,
        "symptom_onset_age_months": 9,
        "current_motor_function": "sitter",
        "ventilation": "niv_sleep_only",
    },
    "treatments": [{"therapy": "risdiplam", "start_date": "2022-01-10"}],
}
WALKING_ADULT: dict[str, Any] = {
    "birth_date": "1990-05-05",
    "sex": "female",
    "genetics": {"smn1_copies": 0, "smn2_copies": 4, "method": "mlpa"},
    "clinical": {"symptomatic": True, "symptom_onset_age_months": 30, "current_motor_function": "walker"},
    "treatments": [{"therapy": "nusinersen", "start_date": "2019-01-01"}],
}
ONLY_A_BIRTH_DATE: dict[str, Any] = {"birth_date": "2026-11-10"}


@pytest.fixture
def sample_trials(db: None) -> None:
    call_command("import_trials", str(SAMPLE_TRIALS), "--sample", stdout=StringIO())


def by_id(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {trial["nct_id"]: trial for trial in answer["trials"]}


@pytest.mark.parametrize(
    "record,first,possible,impossible",
    [
        (
            PRESYMPTOMATIC_NEWBORN,
            "NCT99990001",
            {"NCT99990001"},
            {"NCT99990002", "NCT99990003", "NCT99990004"},
        ),
        (SITTER_CHILD, "NCT99990002", {"NCT99990002", "NCT99990004"}, {"NCT99990001", "NCT99990003"}),
        (WALKING_ADULT, "NCT99990003", {"NCT99990003", "NCT99990004"}, {"NCT99990001", "NCT99990002"}),
    ],
    ids=["presymptomatic newborn", "sitting child on risdiplam", "walking adult"],
)
def test_scenarios_rank_the_trial_that_fits_first(
    sample_trials: None, record: dict[str, Any], first: str, possible: set[str], impossible: set[str]
) -> None:
    answer = trials_match_document(record, as_of=AS_OF)
    trials = by_id(answer)
    assert answer["trials"][0]["nct_id"] == first
    assert "NCT99990005" not in trials  # completed trials are never offered
    assert {k for k, t in trials.items() if t["possible"]} == possible
    assert {k for k, t in trials.items() if not t["possible"]} == impossible


def test_newborn_criteria_met_and_free_text_quoted(sample_trials: None) -> None:
    trial = by_id(trials_match_document(PRESYMPTOMATIC_NEWBORN, as_of=AS_OF))["NCT99990001"]
    met = " ".join(item["text"] for item in trial["criteria"]["met"])
    assert "from 2 to 3 SMN2 copies; the record has 2" in met
    assert "before symptoms start" in met
    assert trial["curated_review"] == {"reviewed_on": "2026-11-21", "changed_since_review": False}
    # Lines the curated review did not turn into a rule are quoted exactly as the record writes them.
    quotes = [item["quote"] for item in trial["criteria"]["to_check"]]
    assert "Parent or guardian unable to attend all study visits" in quotes
    assert "Age up to 6 weeks at first dose" in quotes
    # Lines the curated review did encode are not repeated as "to check".
    assert "Two or three copies of SMN2" not in quotes
    sources = {item["source"] for item in trial["criteria"]["met"]}
    assert "smanav curated review of NCT99990001, 2026-11-21" in sources


def test_missing_facts_are_to_check_never_met(sample_trials: None) -> None:
    trial = by_id(trials_match_document(ONLY_A_BIRTH_DATE, as_of=AS_OF))["NCT99990001"]
    assert trial["possible"]
    texts = " ".join(item["text"] for item in trial["criteria"]["to_check"])
    assert "the record has no SMN2 copy number" in texts
    assert "the record lists no treatments" in texts
    assert "does not say whether there are symptoms" in texts
    assert [item["text"] for item in trial["criteria"]["met"]] == [
        "The trial is for people aged up to 6 weeks (until the day before they are 7 weeks old); "
        "the person is 11 days old on 21 Nov 2026."
    ]


def test_changed_record_is_flagged_and_uncurated_trial_is_all_to_check(sample_trials: None) -> None:
    trials = by_id(trials_match_document(SITTER_CHILD, as_of=AS_OF))
    assert trials["NCT99990002"]["curated_review"]["changed_since_review"] is True
    uncurated = trials["NCT99990004"]
    assert uncurated["curated_review"] is None
    assert [item["quote"] for item in uncurated["criteria"]["to_check"]] == [
        "Confirmed diagnosis of SMA",
        "Receiving a stable dose of an approved SMA treatment for at least 6 months",
        "Participation in another interventional study within 3 months",
    ]


def test_smn2_minimum_and_weight_and_ventilation_rules(sample_trials: None) -> None:
    record = json.loads(json.dumps(SITTER_CHILD))
    record["genetics"]["smn2_copies_is_minimum"] = True
    record["clinical"]["ventilation"] = "tracheostomy"
    record["weight_kg"] = 8.0
    trial = by_id(trials_match_document(record, as_of=AS_OF))["NCT99990002"]
    not_met = " ".join(item["text"] for item in trial["criteria"]["not_met"])
    assert "at least 10 kg; the record says 8 kg" in not_met
    assert "ventilation through a tracheostomy" in not_met
    newborn = json.loads(json.dumps(PRESYMPTOMATIC_NEWBORN))
    newborn["genetics"].update(smn2_copies=4, smn2_copies_is_minimum=True)
    first = by_id(trials_match_document(newborn, as_of=AS_OF))["NCT99990001"]
    assert any("4 or more" in item["text"] for item in first["criteria"]["not_met"])


def test_nearest_sites_with_distances(sample_trials: None) -> None:
    trial = by_id(trials_match_document(SITTER_CHILD, as_of=AS_OF, near="39.95, -75.16"))["NCT99990002"]
    distances = [site["distance_km"] for site in trial["nearest_sites"]]
    assert distances == sorted(distances) and distances[0] < 5
    assert trial["nearest_sites"][0]["city"] == "Philadelphia"


def test_age_texts_and_free_text_sections() -> None:
    assert [getattr(parse_age_limit(text), "words", None) for text in ("18 Years", "1 Year")] == [
        "18 years",
        "1 year",
    ]
    assert parse_age_limit("N/A") is None and parse_age_limit("") is None
    lines = read_criteria("Inclusion Criteria:\n\n* A\n1. B\n\nExclusion Criteria:\n\n- C")
    assert [(item.section, item.text) for item in lines] == [
        ("inclusion", "A"),
        ("inclusion", "B"),
        ("exclusion", "C"),
    ]


def test_structured_sex_limit() -> None:
    facts = patient_facts({"birth_date": "2000-01-01", "sex": "male"}, as_of=AS_OF)
    result = assess_trial(facts, TrialFacts("NCT00000001", sex="FEMALE"), None)
    assert [f.outcome for f in result.findings] == ["not_met"]
    unknown = patient_facts({"birth_date": "2000-01-01"}, as_of=AS_OF)
    assert [
        f.outcome for f in assess_trial(unknown, TrialFacts("NCT00000001", sex="FEMALE"), None).findings
    ] == ["to_check"]


def test_curated_files_are_valid_and_named_after_their_trial(tmp_path: Path) -> None:
    curated = curated_trials()
    assert {"NCT99990001", "NCT99990002", "NCT99990003"} <= set(curated)
    assert all(item.sample for item in curated.values() if item.nct_id.startswith("NCT9999"))
    assert len(list(SAMPLE_CURATED_DIR.glob("*.toml"))) == len(curated)
    (tmp_path / "NCT00000009.toml").write_text(
        'nct_id = "NCT00000008"\nreviewed_on = 2026-01-01\nreviewed_by = "x y"\n'
    )
    with pytest.raises(RuntimeError, match="file name must be the NCT id"):
        load_curated_dir(tmp_path)


def test_api_match(sample_trials: None, client: Client) -> None:
    response = client.post(
        "/api/v1/trials/match",
        {"record": SITTER_CHILD, "as_of": "2026-11-21", "near": "39.95, -75.16"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["person"] == {
        "age_months": 68.7,
        "age_label": "5 years 8 months",
        "diagnosis": "confirmed_5q_sma",
        "sma_type": "2",
        "functional_group": "sitter",
        "smn2_copies": 3,
    }
    assert body["trials"][0]["nct_id"] == "NCT99990002" and body["trials"][0]["is_sample"] is True
    bad = client.post(
        "/api/v1/trials/match",
        {"record": {"birth_date": "2030-01-01", "weight_kg": "heavy"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "weight_kg" in {p["field"] for p in bad.json()["errors"]}
    missing = client.post("/api/v1/trials/match", {"patient": {}}, content_type="application/json")
    assert missing.status_code == 422


def test_cli_and_demo_load_are_idempotent(db: None, tmp_path: Path) -> None:
    out = StringIO()
    call_command("directory_demo_load", stdout=out)
    call_command("directory_demo_load", stdout=out)
    assert "SAMPLE trials: added 0, updated 0, unchanged 5" in out.getvalue()
    assert Trial.objects.filter(is_sample=True).count() == 5
    record = tmp_path / "record.json"
    record.write_text(json.dumps(WALKING_ADULT))
    text = StringIO()
    call_command("trials_match", str(record), "--as-of", "2026-11-21", stdout=text)
    assert text.getvalue().splitlines()[0].startswith("NCT99990003 [SAMPLE] Demonstration study C")
    search = StringIO()
    call_command(
        "services_search", "41.88, -87.63", "--discipline", "sleep_studies", "--format", "json", stdout=search
    )
    assert (
        json.loads(search.getvalue())["results"][0]["name"]
        == "SAMPLE Lakeshore Neuromuscular Program, Chicago"
    )


def test_families_page(sample_trials: None, client: Client) -> None:
    assert client.get("/trials/").status_code == 200
    page = client.post(
        "/trials/",
        {
            "birth_date": "2021-03-01",
            "smn1_copies": "0",
            "smn2_copies": "3",
            "symptomatic": "yes",
            "motor": "sitter",
            "weight_kg": "14",
            "treatments": ["risdiplam"],
        },
    ).content.decode()
    assert "Demonstration study B" in page and "sample data: not a real trial" in page
    # An exclusion of the record is listed as a reason to be left out, never as a requirement.
    leaves_out = page.index("The trial leaves out people with any of these")
    assert page.index("<li>Spinal surgery planned within the next 12 months</li>") > leaves_out
    assert page.index("Demonstration study B") < page.index("Demonstration study A")
    future = client.post("/trials/", {"birth_date": "2999-01-01"}).content.decode()
    assert "Please check these answers" in future


# --- properties -------------------------------------------------------------------------------------


RECORDS = st.fixed_dictionaries(
    {"birth_date": st.dates(min_value=dt.date(1950, 1, 1), max_value=AS_OF).map(dt.date.isoformat)},
    optional={
        "weight_kg": st.floats(min_value=0.5, max_value=150),
        "sex": st.sampled_from(["female", "male", "other", "unknown"]),
        "genetics": st.fixed_dictionaries(
            {},
            optional={
                "smn1_copies": st.integers(0, 4),
                "smn2_copies": st.integers(0, 8),
                "smn2_copies_is_minimum": st.booleans(),
            },
        ),
        "clinical": st.fixed_dictionaries(
            {},
            optional={
                "symptomatic": st.booleans(),
                "current_motor_function": st.sampled_from(["non_sitter", "sitter", "walker"]),
                "ventilation": st.sampled_from(
                    ["none", "niv_sleep_only", "niv_under_16h", "niv_16h_or_more", "tracheostomy"]
                ),
            },
        ),
    },
)
SAMPLE_VIEWS = [
    TrialFacts(
        "NCT99990001",
        maximum_age="6 Weeks",
        eligibility_criteria="Inclusion Criteria:\n* Two or three copies of SMN2\n* Something else",
    ),
    TrialFacts("NCT99990002", minimum_age="2 Years", maximum_age="12 Years"),
    TrialFacts("NCT99990003", minimum_age="18 Years", maximum_age="65 Years", sex="FEMALE"),
]


@settings(max_examples=150, deadline=None)
@given(record=RECORDS)
def test_matching_never_calls_an_unknown_fact_met(record: dict[str, Any]) -> None:
    facts = patient_facts(record, as_of=AS_OF)
    curated = curated_trials()
    for view in SAMPLE_VIEWS:
        first = assess_trial(facts, view, curated[view.nct_id])
        assert first == assess_trial(facts, view, curated[view.nct_id])  # deterministic
        for finding in first.findings:
            if finding.outcome == "met":
                assert "the record has no" not in finding.text and "does not say" not in finding.text
        smn2 = [f for f in first.findings if "SMN2 copies" in f.text]
        if facts.smn2_copies is None:
            assert all(f.outcome == "to_check" for f in smn2)


def test_families_page_says_whose_record_and_which_sites(sample_trials: None, client: Client) -> None:
    answers = {"birth_date": "2021-03-01", "smn1_copies": "0", "smn2_copies": "3", "motor": "sitter"}
    page = client.post("/trials/", answers).content.decode()
    # The quote comes from the trial's record, the person's answer from theirs.
    assert "the record says able to sit but not to walk (sitter)." in page
    assert "(the trial record says: “Able to walk at least 25 metres without help”)" in page
    # Without a place the sites listed are not the nearest ones.
    assert "Some of its sites" in page and "Nearest sites" not in page
    near = client.post("/trials/", {**answers, "near": "39.95, -75.16"}).content.decode()
    assert "Nearest sites" in near and "Some of its sites" not in near
    assert " km: " in near and " miles: " not in near
    # A reader in the United States reads the distances in miles.
    american = client.post("/trials/", {**answers, "near": "39.95, -75.16"}, HTTP_ACCEPT_LANGUAGE="en-US")
    assert " miles: " in american.content.decode()


def test_phases_in_words(sample_trials: None, client: Client) -> None:
    trials = by_id(trials_match_document(WALKING_ADULT, as_of=AS_OF))
    assert trials["NCT99990003"]["phases"] == ["PHASE2", "PHASE3"]  # the record's codes stay as they are
    assert trials["NCT99990003"]["phases_label"] == "phase 2, phase 3"
    Trial.objects.filter(nct_id="NCT99990004").update(phases=["EARLY_PHASE1", "NA"])
    trials = by_id(trials_match_document(WALKING_ADULT, as_of=AS_OF))
    assert trials["NCT99990004"]["phases_label"] == "early phase 1, phase not applicable"
    page = client.post("/trials/", {"birth_date": "1990-05-05"}).content.decode()
    assert "NCT99990003 · recruiting · phase 2, phase 3" in page


@pytest.mark.parametrize(
    "criterion,problem",
    [
        ('kind = "smn2_copies"', "give min, max or both"),
        ('kind = "weight_kg"\nmin = 20\nmax = 10', "min (20) is above max (10)"),
        ('kind = "prior_therapy"', "give either excluded or required_any"),
        (
            'kind = "prior_therapy"\nexcluded = ["risdiplam"]\nrequired_any = ["nusinersen"]',
            "give either excluded or required_any",
        ),
    ],
    ids=["range without bounds", "bounds reversed", "no therapy list", "both therapy lists"],
)
def test_curated_criteria_that_would_mislead_are_refused(
    tmp_path: Path, criterion: str, problem: str
) -> None:
    """A range without bounds would be "met" by everyone; a second therapy list would go unread."""
    (tmp_path / "NCT00000009.toml").write_text(
        'nct_id = "NCT00000009"\nreviewed_on = 2026-01-01\nreviewed_by = "x y"\n\n'
        f'[[criterion]]\nquote = "As the record writes it"\n{criterion}\n'
    )
    with pytest.raises(RuntimeError, match=re.escape(problem)):
        load_curated_dir(tmp_path)


def test_a_line_the_review_quoted_only_in_part_stays_to_check() -> None:
    facts = patient_facts(SITTER_CHILD, as_of=AS_OF)
    curated = CuratedTrial.model_validate(
        {
            "nct_id": "NCT00000007",
            "reviewed_on": "2026-01-01",
            "reviewed_by": "x y",
            "sample": True,
            "criterion": [
                {"kind": "smn2_copies", "min": 2, "max": 3, "quote": "Two or three copies of SMN2"}
            ],
        }
    )
    text = (
        "Inclusion Criteria:\n* Two or three copies of SMN2\n"
        "* Two or three copies of SMN2 and no spinal surgery planned\n"
    )
    result = assess_trial(facts, TrialFacts("NCT00000007", eligibility_criteria=text), curated)
    assert [f.quote for f in result.of("to_check")] == [
        "Two or three copies of SMN2 and no spinal surgery planned"
    ]
    assert [f.text for f in result.of("met")] == [
        "The trial asks for from 2 to 3 SMN2 copies; the record has 3."
    ]


def test_a_real_trials_review_comes_from_the_knowledge_base(
    db: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The finder reads real trials' criteria from the loaded knowledge, with their sources and version."""
    kb = build_knowledge(with_review())
    for module in (curation, selectors, services):
        monkeypatch.setattr(module, "load_knowledge", lambda: kb)
    # The reviews are read once per process: read them again now, and again after the test.
    curated_trials.cache_clear()
    request.addfinalizer(curated_trials.cache_clear)
    study = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT01234567", "briefTitle": "A trial"},
            "statusModule": {"overallStatus": "RECRUITING"},
            "conditionsModule": {"conditions": ["Spinal Muscular Atrophy"]},
            "eligibilityModule": {
                "eligibilityCriteria": "Inclusion Criteria:\n\n* Two or three copies of SMN2"
            },
        }
    }
    (tmp_path / "study.json").write_text(json.dumps(study))
    call_command("import_trials", str(tmp_path / "study.json"), stdout=StringIO())
    answer = trials_match_document(SITTER_CHILD, as_of=AS_OF)
    trial = by_id(answer)["NCT01234567"]
    assert answer["knowledge_version"] == kb.version
    assert trial["curated_review"] == {"reviewed_on": "2026-12-01", "changed_since_review": False}
    [met] = trial["criteria"]["met"]
    assert met["text"] == "The trial asks for from 2 to 3 SMN2 copies; the record has 3."
    assert met["source"] == (
        "smanav curated review of NCT01234567, 2026-12-01, read from: "
        "ClinicalTrials.gov record NCT01234567, version of 2026-11-20"
    )
    assert trial["criteria"]["to_check"] == []  # the review quotes the record's only criterion


def test_a_person_is_read_by_the_core_without_a_region() -> None:
    """Trial criteria are the same everywhere: the record's region is not needed, and none is made up."""
    from smanav.trials.selectors import patient_facts
    from smanav_core.facts import PatientFacts, Person

    document = {
        "birth_date": "2025-11-01",
        "genetics": {"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"},
    }
    person = patient_facts(document, as_of=dt.date(2026, 11, 21))
    assert isinstance(person, Person) and not isinstance(person, PatientFacts)
    assert not hasattr(person, "region")
    assert person.diagnosis.value == "confirmed_5q_sma"


def test_smn2_age_and_weight_criteria_are_judged_by_the_cores_tests() -> None:
    """ "3 or more" copies meets "at least 2" (the core's reading of a minimum), and is to check against
    "2 to 3"; the weight is the core's current weight."""
    from smanav.trials.matching import _curated_finding
    from smanav.trials.selectors import patient_facts
    from smanav_core.knowledge.schema.trials import Smn2Copies, WeightKg

    document = {
        "birth_date": "2024-11-01",
        "genetics": {"smn1_copies": 0, "smn2_copies": 3, "smn2_copies_is_minimum": True},
        "assessments": [{"date": "2026-10-01", "instrument": "WEIGHT_KG", "value": 11.5}],
    }
    person = patient_facts(document, as_of=dt.date(2026, 11, 21))
    quote = {"quote": "as written", "sources": ["smanav-curation"]}

    def outcome(criterion: object) -> str:
        return _curated_finding(person, criterion, "review").outcome

    assert outcome(Smn2Copies.model_validate({"kind": "smn2_copies", "min": 2, **quote})) == "met"
    assert (
        outcome(Smn2Copies.model_validate({"kind": "smn2_copies", "min": 2, "max": 3, **quote})) == "to_check"
    )
    assert outcome(Smn2Copies.model_validate({"kind": "smn2_copies", "max": 2, **quote})) == "not_met"
    assert outcome(WeightKg.model_validate({"kind": "weight_kg", "min": 10, **quote})) == "met"
    assert outcome(WeightKg.model_validate({"kind": "weight_kg", "max": 10, **quote})) == "not_met"
