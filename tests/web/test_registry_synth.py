"""The synthetic cohort: the same seed and date make the same people, every record is one the core
accepts, the stored rows match what was made, consents (and withdrawals) are stored with it, and a
second run of a seed is refused without writing anything."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smanav.audit.models import AuditAction, AuditEvent
from smanav.patients.models import Assessment, Dose, Patient, Treatment
from smanav.patients.seam import evaluate_patient
from smanav.registry.models import Consent, ConsentPurpose
from smanav.registry.selectors import consented_patients
from smanav.registry.synth import (
    GROWTH_MEDIANS,
    NUSINERSEN_LOADING_DAYS,
    TYPE_MIX,
    digest,
    generate,
    person,
    smn2_given_type,
)
from smanav.registry.synth_write import SynthRefused, synth_write
from smanav_core import load_knowledge
from smanav_core.facts import add_months

AS_OF = dt.date(2027, 1, 10)
# The digest of the first 50 people of cohort 1 on AS_OF. It changes only when the generator's figures
# or logic change on purpose: then write the new value here and say why in the commit.
# 2026-12-07: weight and height at every visit, and nusinersen doses, added (issue 13: a denser cohort).
GOLDEN_DIGEST_50 = "f9b1ad2aec5d73e5ff9dda97df1d21669f62e6c5adcc3d77bc9835b4f682d651"


def test_the_same_seed_and_date_make_the_same_people() -> None:
    first = digest(generate(patients=200, seed=7, as_of=AS_OF))
    assert first == digest(generate(patients=200, seed=7, as_of=AS_OF))
    assert first != digest(generate(patients=200, seed=8, as_of=AS_OF))
    assert first != digest(generate(patients=200, seed=7, as_of=AS_OF + dt.timedelta(days=1)))
    # A chunk made on its own is the same as in a whole run (workers may make chunks apart).
    assert list(generate(patients=5, seed=7, as_of=AS_OF, start=101)) == [
        person(number=n, seed=7, as_of=AS_OF) for n in range(101, 106)
    ]


def test_the_golden_digest_of_cohort_1() -> None:
    assert digest(generate(patients=50, seed=1, as_of=AS_OF)) == GOLDEN_DIGEST_50


def test_smn2_copies_follow_the_knowledge_base() -> None:
    table = smn2_given_type()
    for row in table.values():
        assert sum(row.values()) == pytest.approx(1.0)
    # Feldkötter 2002 via the knowledge base: type 1 mostly 2 copies, type 2 mostly 3, type 3 mostly 4.
    assert max(table["1"], key=table["1"].__getitem__) == 2
    assert max(table["2"], key=table["2"].__getitem__) == 3
    assert max(table["3"], key=table["3"].__getitem__) == 4
    # Bayes' rule with equal weight per copy number: P(3 copies | type 2) = P(type 2 | 3) / sum over 2-4.
    type_2_given = {
        row.smn2_copies: row.type_probabilities.get("2", 0.0)
        for row in load_knowledge().genetics.smn2_distribution
        if row.smn2_copies >= 2
    }
    assert table["2"][3] == pytest.approx(type_2_given[3] / sum(type_2_given.values()))


def test_the_type_mix_follows_the_cited_prior() -> None:
    people = list(generate(patients=3000, seed=3, as_of=AS_OF))
    types = Counter(p.sma_type for p in people if not p.screened)
    screened = [p for p in people if p.screened]
    assert screened and all(p.birth_date >= dt.date(2018, 7, 1) and p.smn2_copies in (2, 3) for p in screened)
    # Type 1 is the largest group, type 4 the smallest (TYPE_MIX), also after screening takes children out.
    assert TYPE_MIX["1"] > TYPE_MIX["2"] > TYPE_MIX["3"] > TYPE_MIX["4"]
    assert types["2"] > types["3a"] + types["3b"] > types["4"] > 0
    assert all(p.birth_date >= dt.date(2016, 12, 23) for p in people if p.sma_type == "1")


def test_weight_and_height_are_measured_at_every_visit_and_heights_never_fall() -> None:
    for one in generate(patients=300, seed=11, as_of=AS_OF):
        by_day: dict[dt.date, set[str]] = {}
        for day, instrument, _ in one.assessments:
            by_day.setdefault(day, set()).add(instrument)
        assert by_day, one
        assert all({"WEIGHT_KG", "HEIGHT_CM"} <= measured for measured in by_day.values()), one
        # Every visit also has the motor measure of the person's function, as before.
        assert all(len(measured) >= 3 for measured in by_day.values()), one
        heights = [value for _, instrument, value in one.assessments if instrument == "HEIGHT_CM"]
        assert heights == sorted(heights), one
        weights = [value for _, instrument, value in one.assessments if instrument == "WEIGHT_KG"]
        assert all(2.0 <= weight <= 110.0 for weight in weights), one


def test_growth_follows_the_cited_medians_in_a_large_cohort() -> None:
    # Adults (the last row of each table) weigh about the median: the personal factors average 1, the
    # sitters' growth failure pulls a little below it.
    adult: dict[str, list[float]] = {"male": [], "female": []}
    for one in generate(patients=2000, seed=12, as_of=AS_OF):
        last_day, _, _ = one.assessments[-1]
        if (last_day - one.birth_date).days > 21 * 365:
            adult[one.sex].extend(v for _, i, v in one.assessments[-4:] if i == "WEIGHT_KG")
    for sex, weights in adult.items():
        median_weight = GROWTH_MEDIANS[sex][-1][1]
        mean = sum(weights) / len(weights)
        assert 0.88 * median_weight < mean < 1.02 * median_weight, (sex, mean)


def test_nusinersen_doses_follow_the_label_schedule() -> None:
    courses = [
        course
        for one in generate(patients=300, seed=13, as_of=AS_OF)
        for course in one.treatments
        if course.therapy == "nusinersen"
    ]
    assert courses
    for course in courses:
        days = [(dose - course.start_date).days for dose in course.doses]
        assert days[:4] == list(NUSINERSEN_LOADING_DAYS)[: len(days)]
        for number, dose in enumerate(course.doses[4:], start=1):
            assert dose == add_months(course.doses[3], 4 * number)
        assert course.doses[-1] <= AS_OF < add_months(course.doses[-1], 4) or len(course.doses) < 4
        assert course.dose_mg == 12.0
    others = [
        course
        for one in generate(patients=300, seed=13, as_of=AS_OF)
        for course in one.treatments
        if course.therapy != "nusinersen"
    ]
    assert others and all(course.doses == () for course in others)


@pytest.mark.django_db
def test_a_stored_cohort_matches_what_was_made_and_the_core_accepts_every_record() -> None:
    report = synth_write(patients=40, seed=5, as_of=AS_OF, chunk=15)
    made = list(generate(patients=40, seed=5, as_of=AS_OF))
    assert report.digest == digest(iter(made))
    assert Patient.objects.count() == 40
    assert Assessment.objects.count() == report.assessments == sum(len(p.assessments) for p in made)
    assert Treatment.objects.count() == report.treatments == sum(len(p.treatments) for p in made)
    assert report.doses > 0
    assert Dose.objects.count() == report.doses == sum(len(t.doses) for p in made for t in p.treatments)
    assert set(Dose.objects.values_list("amount_mg", flat=True)) == {12.0}
    stored = {p.display_name: p for p in Patient.objects.all()}
    for one in made:
        row = stored[one.display_name]
        assert (row.birth_date, row.region, row.genetics["smn2_copies"]) == (
            one.birth_date,
            one.region,
            one.smn2_copies,
        )
        evaluation = evaluate_patient(row, as_of=AS_OF)
        assert evaluation.problems == [], (one, evaluation.problems)
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, actor__isnull=True)
    assert created.count() == 40


@pytest.mark.django_db
def test_synthetic_consents_and_withdrawals_reach_the_cohort_selector() -> None:
    synth_write(patients=120, seed=9, as_of=AS_OF)
    made = list(generate(patients=120, seed=9, as_of=AS_OF))
    withdrew = {p.display_name for p in made if p.withdraws_research}
    assert withdrew  # one in twenty of 120
    research = set(
        consented_patients(purpose=ConsentPurpose.RESEARCH, on=AS_OF).values_list("display_name", flat=True)
    )
    registry = set(
        consented_patients(purpose=ConsentPurpose.REGISTRY, on=AS_OF).values_list("display_name", flat=True)
    )
    assert registry == {p.display_name for p in made}
    assert research == registry - withdrew
    assert (
        Consent.objects.filter(given_as="parent").exists()
        and Consent.objects.filter(given_as="self").exists()
    )


@pytest.mark.django_db
def test_a_second_run_of_a_seed_is_refused_and_writes_nothing() -> None:
    synth_write(patients=3, seed=4, as_of=AS_OF)
    with pytest.raises(SynthRefused, match="--seed: a synthetic cohort with seed 4 is already stored"):
        synth_write(patients=3, seed=4, as_of=AS_OF)
    assert Patient.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--patients", "0"], "--patients: must be a whole number of at least 1 (got 0)"),
        (
            ["--patients", "2", "--as-of", "2027-02-30"],
            "--as-of: must be a date as YYYY-MM-DD (got 2027-02-30)",
        ),
        (["--patients", "2", "--as-of", "2020-01-01"], "--as-of: no consent text"),
    ],
)
def test_the_command_names_the_option_that_is_wrong(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("synth", *arguments)
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_the_command_prints_counts_rate_and_digest(capsys: Any) -> None:
    call_command("synth", "--patients", "50", "--seed", "1", "--as-of", AS_OF.isoformat())
    out = capsys.readouterr().out
    assert out.startswith("Made 50 synthetic patients as of 2027-01-10 (seed 1)")
    assert out.strip().endswith(f"Digest {GOLDEN_DIGEST_50}")
