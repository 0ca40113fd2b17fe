"""A synthetic national cohort: realistic, made-up people for demos, tests and benchmarks.

`generate(patients=N, seed=S, as_of=D)` yields the same people for the same three arguments, on any
machine (each person has a random stream of their own, seeded from the seed and their number, so a
chunk can be made without the ones before it); `digest` sums them up in one SHA-256. Nothing here
touches the database: `synth_write` (registry.synth_write) stores them with bulk inserts.

Every clinical figure below comes from the project's reference notes or the knowledge base and names
its source (the notes' source labels, e.g. [P1], are listed in docs/registry.md with the full
reference). What the sources do not give is marked DESIGN: a choice made for the synthetic cohort, not a
clinical fact, kept as plain as possible. None of this is used for any person's care.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from smanav_core import load_knowledge
from smanav_core.facts import add_months

K = TypeVar("K")
DAYS_PER_YEAR = 365.25

# SMA type mix. Feldkötter 2002 (the prior of its Table 6): type 1 0.51, type 2 0.32, type 3 0.17 [P1];
# type 4 "about 1% or less" of SMA [C1], taken as 1% and the other three scaled to the remaining 99%.
# Type 0 (<1%, death usually before 6 months [C1]) is left out of a cohort of living people.
TYPE_MIX = {"1": 0.51 * 0.99, "2": 0.32 * 0.99, "3": 0.17 * 0.99, "4": 0.01}

# SMN2 copies given the type: Bayes' rule on the knowledge base's `genetics.smn2_distribution.*` (the
# share of each type for 2, 3 and 4 copies, Feldkötter 2002 [P1]) with the same weight for each copy
# number (DESIGN: no source read gives the copy-number mix of an affected population). One copy is left
# out (it means type 0 or early type 1, almost never alive in a registry). Type 4: Wirth 2006 found 4
# copies in 3 of 4 type 4 patients and 6 in the other [P5].
TYPE_4_SMN2 = {4: 0.75, 6: 0.25}

# Age at symptom onset, months, by type [C1][C7]: type 1 before 6 months, type 2 6-18 months, type 3a
# 18-36 months, type 3b from 36 months to 10 years (NICE: up to 10 years [C5]), type 4 in adulthood, range
# 20-60 years [C6]. Uniform within each range (DESIGN).
ONSET_MONTHS = {
    "1": (0.5, 6.0),
    "2": (6.0, 18.0),
    "3a": (18.0, 36.0),
    "3b": (36.0, 120.0),
    "4": (240.0, 720.0),
}
# Type 3a and 3b in Zerres 1997: 195 and 134 patients [P12].
TYPE_3A_SHARE = 195 / (195 + 134)
# Still walking 10 and 40 years after onset, Zerres 1997 [P12]: 3a 70.3% and 22.0%, 3b 96.7% and 58.7%;
# straight lines between (0 y, 100%), (10 y, ...), (40 y, ...), flat after (DESIGN).
STILL_WALKING = {"3a": (0.703, 0.220), "3b": (0.967, 0.587)}

# Untreated type 1: all died or needed permanent ventilation by 2 years [C1][P3]; the living type 1
# cohort is born in the treatment era, from the first approval (nusinersen, US, 23 Dec 2016 [L1]).
# The approval dates of the treatment eras (US dates for every region: DESIGN, a simplification):
# nusinersen 23 Dec 2016 [L1], onasemnogene IV 24 May 2019 (under 2 years [L11]), risdiplam 7 Aug 2020 [L7].
APPROVED_ON = {
    "nusinersen": dt.date(2016, 12, 23),
    "onasemnogene_abeparvovec_iv": dt.date(2019, 5, 24),
    "risdiplam": dt.date(2020, 8, 7),
}
GENE_THERAPY_MAX_AGE_MONTHS = 24  # onasemnogene IV, US label: under 2 years [L11]

# Newborn screening: SMA on the US recommended panel from July 2018 [N7]; about 53% of EU newborns
# screened in April 2023 [N9], used as the chance a child born from July 2018 was screened (DESIGN: one
# figure for every region). Screened children with 2 or 3 copies are treated at once [N1], within 6 weeks
# (SPR1NT [P3]). Outcome: with 2 copies more than 70% walk independently (German screening cohort [N3]);
# with 3 copies 14 of 15 walked (SPR1NT [P3]). Before 24 months (SPR1NT's window [P3]) the current
# function is left unknown.
SCREENING_FROM = dt.date(2018, 7, 1)
SCREENED_SHARE = 0.53
SCREENED_TREATED_BY_DAYS = 42
SCREENED_WALKS = {2: 0.70, 3: 14 / 15}
OUTCOME_KNOWN_FROM_MONTHS = 24

# Visit schedules by current function: breathing reviews at least every 3 months for non-sitters and
# every 6 months for sitters (knowledge base, care plan: respiratory reviews); walkers have no interval in
# the sources: yearly (DESIGN). Follow-up in the registry covers at most the last 10 years (DESIGN).
VISIT_MONTHS = {"non_sitter": 3, "sitter": 6, "walker": 12}
FOLLOW_UP_YEARS = 10

# Weight and height are recorded at every hospital visit, for every functional group (the family guide
# to the standards of care, nutrition and growth [A9]). Growth follows the median of the CDC 2000 growth
# charts [CDC2000] (Kuczmarski 2002; the M column of its weight-for-age and stature-for-age tables, 2 to
# 20 years, read at the ages below, except the boys' height at 240 months: the one at 216.5, held flat);
# below 2 years, straight lines from birth through 12 months, rounded from a published infant weight
# median for boys (3.27 kg at birth, 10.15 kg at 12 months) and the NCHS length medians (50.5 and
# 49.9 cm at birth, 76.1 and 74.3 cm at 12 months), the same for both sexes (DESIGN); flat after the
# last age. Each person keeps their own place around the median (DESIGN: weight x
# N(1, 0.12) within 0.7-1.4, height x N(1, 0.04) within 0.88-1.12), and about 4 in 10 type 2 patients had
# growth failure in one survey [G5-feeding-sitters]: a sitter is lighter by 15% with that chance (DESIGN:
# the size). Weighings vary by N(0, 1%) from visit to visit (DESIGN); heights do not.
GROWTH_MEDIANS = {
    # sex: ((age in months, weight kg, height cm), ...)
    "male": (
        (0.0, 3.3, 50.0),
        (12.0, 10.0, 75.0),
        (24.0, 12.67, 87.6),
        (60.5, 18.49, 109.9),
        (120.5, 32.09, 138.8),
        (181.5, 56.91, 170.5),
        (216.5, 67.29, 176.2),
        (240.0, 70.6, 176.2),
    ),
    "female": (
        (0.0, 3.3, 50.0),
        (12.0, 10.0, 75.0),
        (24.0, 12.06, 86.5),
        (60.5, 18.02, 108.4),
        (126.5, 35.19, 141.0),
        (180.5, 52.14, 161.9),
        (216.5, 56.23, 163.1),
    ),
}
WEIGHT_SPREAD = (1.0, 0.12, 0.7, 1.4)
HEIGHT_SPREAD = (1.0, 0.04, 0.88, 1.12)
SITTER_GROWTH_FAILURE = (0.4, 0.85)
WEIGHING_NOISE = 0.01

# Nusinersen doses as the label gives them [L1][L4]: 12 mg; four loading doses on days 0, 14, 28 and 63,
# then one every 4 months, up to the cohort's date (every dose given on its day: DESIGN).
NUSINERSEN_MG = 12.0
NUSINERSEN_LOADING_DAYS = (0, 14, 28, 63)
NUSINERSEN_MAINTENANCE_MONTHS = 4

# Trajectories, points per year, and the treatment effect where a source gives one:
# CHOP INTEND (0-64): untreated -1.3/year [O3]; treated +9.0 (SD 8.0) within 6 months, German EAP [O2];
#   untreated type 1 never reach or keep 40 after 6 months [O1], so baselines lie below it.
# MFM-32 (0-100%): SUNFISH 12-month change 1.36 treated, -0.19 untreated [O16]; after the first year
#   treated people stay level (DESIGN).
# RULM (0-37): untreated mean -0.41/year, SD 2.93 [O11]; treated people stay level (DESIGN).
# 6MWT (metres): untreated type 3 -1.46 m/year [O13]; treated people stay level (DESIGN).
CHOP_UNTREATED_PER_YEAR = -1.3
CHOP_TREATED_GAIN = (9.0, 8.0)
MFM_PER_YEAR = {"treated_first_year": 1.36, "untreated": -0.19}
RULM_UNTREATED_PER_YEAR = (-0.41, 2.93)
SIX_MWT_UNTREATED_PER_YEAR = -1.46
# Baselines at the first visit, uniform (DESIGN, inside each scale's range and, for CHOP INTEND, below
# the untreated ceiling of 40 [O1]).
CHOP_BASELINE = (10.0, 40.0)
MFM_BASELINE = {"sitter": (25.0, 60.0), "walker": (60.0, 95.0)}
RULM_BASELINE = {"sitter": (10.0, 30.0), "walker": (25.0, 37.0)}
SIX_MWT_BASELINE = (150.0, 500.0)
SCALE_MAX = {"CHOP_INTEND": 64.0, "MFM32_PERCENT": 100.0, "RULM": 37.0, "6MWT_M": 1000.0}

# DESIGN: who the synthetic people are, where they live, what they consented to.
REGIONS = ("US", "EU", "UK", "CA", "JP", "AU")
MAX_AGE_YEARS = {"2": 60, "3": 70, "4": 80}
# Every synthetic person takes part in the registry and agrees to care sharing and research; one in 20
# later withdraws research use, so exports and dashboards always meet a withdrawal.
CONSENTED = ("clinical_care", "registry", "research")
WITHDRAWS_RESEARCH = 0.05


@dataclass(frozen=True, slots=True)
class SynthTreatment:
    therapy: str
    start_date: dt.date
    # The doses given, for a therapy whose doses are recorded one by one (nusinersen).
    doses: tuple[dt.date, ...] = ()
    dose_mg: float | None = None


@dataclass(frozen=True, slots=True)
class SynthPerson:
    number: int
    birth_date: dt.date
    region: str
    sex: str
    smn2_copies: int
    sma_type: str  # "1", "2", "3a", "3b", "4", or "presymptomatic" for a screened, treated child
    screened: bool
    symptomatic: bool
    onset_months: float | None
    current_function: str | None
    treatments: tuple[SynthTreatment, ...]
    # (date, instrument, value), in date order.
    assessments: tuple[tuple[dt.date, str, float], ...]
    withdraws_research: bool

    @property
    def display_name(self) -> str:
        return f"Synthetic {self.number:06d}"

    def as_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "birth_date": self.birth_date.isoformat(),
            "region": self.region,
            "sex": self.sex,
            "smn2_copies": self.smn2_copies,
            "sma_type": self.sma_type,
            "screened": self.screened,
            "symptomatic": self.symptomatic,
            "onset_months": self.onset_months,
            "current_function": self.current_function,
            "treatments": [
                [t.therapy, t.start_date.isoformat(), [d.isoformat() for d in t.doses], t.dose_mg]
                for t in self.treatments
            ],
            "assessments": [[d.isoformat(), i, v] for d, i, v in self.assessments],
            "withdraws_research": self.withdraws_research,
        }


@cache
def smn2_given_type() -> dict[str, dict[int, float]]:
    """P(SMN2 copies | type) from the knowledge base's P(type | copies), equal weight per copy number."""
    table: dict[str, dict[int, float]] = {"1": {}, "2": {}, "3": {}}
    for row in load_knowledge().genetics.smn2_distribution:
        if row.smn2_copies < 2:
            continue
        for sma_type, probability in row.type_probabilities.items():
            if sma_type in table:
                table[sma_type][row.smn2_copies] = probability
    return {
        sma_type: {copies: p / sum(row.values()) for copies, p in sorted(row.items())}
        for sma_type, row in table.items()
    }


def _pick(rng: random.Random, weights: Mapping[K, float]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _days(years: float) -> dt.timedelta:
    return dt.timedelta(days=round(years * DAYS_PER_YEAR))


def _walking_probability(subtype: str, years_since_onset: float) -> float:
    at_10, at_40 = STILL_WALKING[subtype]
    if years_since_onset <= 10:
        return 1 - (1 - at_10) * years_since_onset / 10
    if years_since_onset <= 40:
        return at_10 - (at_10 - at_40) * (years_since_onset - 10) / 30
    return at_40


def _clip(value: float, instrument: str) -> float:
    return round(min(max(value, 0.0), SCALE_MAX[instrument]), 1)


def _treatment(
    rng: random.Random, *, birth_date: dt.date, from_date: dt.date, as_of: dt.date
) -> SynthTreatment | None:
    """The first therapy approved on or after `from_date` (diagnosis, here: onset), chosen evenly among
    those approved by then and allowed at that age (DESIGN: even choice)."""
    start = max(from_date, APPROVED_ON["nusinersen"])
    if start > as_of:
        return None
    age_months = (start - birth_date).days / (DAYS_PER_YEAR / 12)
    choices = [
        therapy
        for therapy, approved in APPROVED_ON.items()
        if approved <= start
        and (therapy != "onasemnogene_abeparvovec_iv" or age_months < GENE_THERAPY_MAX_AGE_MONTHS)
    ]
    return SynthTreatment(therapy=rng.choice(choices), start_date=start)


def _visits(*, first: dt.date, as_of: dt.date, every_months: int) -> list[dt.date]:
    start = max(first, add_months(as_of, -12 * FOLLOW_UP_YEARS))
    dates = []
    step = 0
    while (day := add_months(start, step * every_months)) <= as_of:
        dates.append(day)
        step += 1
    return dates


def _trajectories(
    rng: random.Random, *, function: str, visits: list[dt.date], treated_from: dt.date | None
) -> list[tuple[dt.date, str, float]]:
    """Each visit's measures for the person's current function, from cited slopes (see the header)."""
    if not visits:
        return []
    first = visits[0]
    rows: list[tuple[dt.date, str, float]] = []

    def years(a: dt.date, b: dt.date) -> float:
        return max((b - a).days, 0) / DAYS_PER_YEAR

    if function == "non_sitter":
        baseline = rng.uniform(*CHOP_BASELINE)
        gain = rng.gauss(*CHOP_TREATED_GAIN)
        for day in visits:
            untreated_until = day if treated_from is None else min(day, treated_from)
            value = baseline + CHOP_UNTREATED_PER_YEAR * years(first, untreated_until)
            if treated_from is not None and day > treated_from:
                value += gain * min(years(treated_from, day) / 0.5, 1.0)
            rows.append((day, "CHOP_INTEND", _clip(value, "CHOP_INTEND")))
        return rows
    mfm = rng.uniform(*MFM_BASELINE[function])
    rulm = rng.uniform(*RULM_BASELINE[function])
    rulm_slope = rng.gauss(*RULM_UNTREATED_PER_YEAR)
    walk = rng.uniform(*SIX_MWT_BASELINE)
    for day in visits:
        untreated_until = day if treated_from is None else min(max(treated_from, first), day)
        untreated_years = years(first, untreated_until)
        treated_years = 0.0 if treated_from is None else years(max(treated_from, first), day)
        mfm_value = (
            mfm
            + MFM_PER_YEAR["untreated"] * untreated_years
            + MFM_PER_YEAR["treated_first_year"] * min(treated_years, 1.0)
        )
        rows.append((day, "MFM32_PERCENT", _clip(mfm_value, "MFM32_PERCENT")))
        rows.append((day, "RULM", _clip(rulm + rulm_slope * untreated_years, "RULM")))
        if function == "walker":
            value = walk + SIX_MWT_UNTREATED_PER_YEAR * untreated_years
            rows.append((day, "6MWT_M", _clip(value, "6MWT_M")))
    return rows


def _median_growth(sex: str, age_months: float) -> tuple[float, float]:
    """The median weight (kg) and height (cm) at an age, by straight lines between GROWTH_MEDIANS."""
    table = GROWTH_MEDIANS[sex]
    if age_months >= table[-1][0]:
        return table[-1][1], table[-1][2]
    for (age_a, weight_a, height_a), (age_b, weight_b, height_b) in itertools.pairwise(table):
        if age_months <= age_b:
            share = max(age_months - age_a, 0.0) / (age_b - age_a)
            return weight_a + share * (weight_b - weight_a), height_a + share * (height_b - height_a)
    raise AssertionError("unreachable: the last row caught every older age")


def _bounded_gauss(rng: random.Random, spread: tuple[float, float, float, float]) -> float:
    mean, sd, low, high = spread
    return min(max(rng.gauss(mean, sd), low), high)


def _growth(
    rng: random.Random, *, sex: str, birth_date: dt.date, function: str, visits: list[dt.date]
) -> list[tuple[dt.date, str, float]]:
    """Weight and height at each visit (see GROWTH_MEDIANS)."""
    weight_factor = _bounded_gauss(rng, WEIGHT_SPREAD)
    height_factor = _bounded_gauss(rng, HEIGHT_SPREAD)
    chance, lighter = SITTER_GROWTH_FAILURE
    if function == "sitter" and rng.random() < chance:
        weight_factor *= lighter
    rows: list[tuple[dt.date, str, float]] = []
    for day in visits:
        weight, height = _median_growth(sex, (day - birth_date).days / (DAYS_PER_YEAR / 12))
        weighed = weight * weight_factor * rng.gauss(1.0, WEIGHING_NOISE)
        rows.append((day, "WEIGHT_KG", round(weighed, 1)))
        rows.append((day, "HEIGHT_CM", round(height * height_factor, 1)))
    return rows


def _with_doses(treatment: SynthTreatment, *, as_of: dt.date) -> SynthTreatment:
    """A nusinersen course with its doses on the label's days (NUSINERSEN_*); other courses as they are."""
    if treatment.therapy != "nusinersen":
        return treatment
    start = treatment.start_date
    doses = [start + dt.timedelta(days=day) for day in NUSINERSEN_LOADING_DAYS]
    last_loading = doses[-1]
    step = 1
    while (day := add_months(last_loading, step * NUSINERSEN_MAINTENANCE_MONTHS)) <= as_of:
        doses.append(day)
        step += 1
    given = tuple(day for day in doses if day <= as_of)
    return SynthTreatment(therapy=treatment.therapy, start_date=start, doses=given, dose_mg=NUSINERSEN_MG)


def person(*, number: int, seed: int, as_of: dt.date) -> SynthPerson:
    """Synthetic person `number` of the cohort `seed`, as of `as_of`."""
    rng = random.Random(f"smanav-synth:{seed}:{number}")
    region = rng.choice(REGIONS)
    sex = rng.choice(("female", "male"))
    screening_offered = rng.random() < SCREENED_SHARE
    sma_type = _pick(rng, TYPE_MIX)
    copies = _pick(rng, TYPE_4_SMN2 if sma_type == "4" else smn2_given_type()[sma_type])
    subtype = sma_type
    if sma_type == "3":
        subtype = "3a" if rng.random() < TYPE_3A_SHARE else "3b"
    onset_low, onset_high = ONSET_MONTHS[subtype]
    onset_months = round(rng.uniform(onset_low, onset_high), 1)

    # Date of birth: type 1 in the treatment era; the others old enough to have had their onset (DESIGN:
    # uniform ages).
    if sma_type == "1":
        span = (as_of - APPROVED_ON["nusinersen"]).days
        birth_date = as_of - dt.timedelta(days=rng.randint(round(onset_months * 30.44) + 1, span))
    else:
        min_days = round(onset_months * 30.44) + 1
        birth_date = as_of - dt.timedelta(
            days=rng.randint(min_days, round(MAX_AGE_YEARS[sma_type] * DAYS_PER_YEAR))
        )

    screened = birth_date >= SCREENING_FROM and screening_offered and copies in SCREENED_WALKS
    age_months = (as_of - birth_date).days / (DAYS_PER_YEAR / 12)
    treatments: list[SynthTreatment] = []
    if screened:
        start = birth_date + dt.timedelta(days=rng.randint(7, SCREENED_TREATED_BY_DAYS))
        chosen = _treatment(rng, birth_date=birth_date, from_date=start, as_of=as_of)
        treatments = [chosen] if chosen is not None and chosen.start_date == start else []
    if screened and treatments:
        walks = rng.random() < SCREENED_WALKS[copies]
        function = None if age_months < OUTCOME_KNOWN_FROM_MONTHS else ("walker" if walks else "sitter")
        symptomatic = function == "sitter"
        shown_type = "presymptomatic"
        shown_onset = None
        visit_function = function or "non_sitter"
    else:
        screened = False
        onset_date = birth_date + dt.timedelta(days=round(onset_months * 30.44))
        function = {"1": "non_sitter", "2": "sitter", "3a": "walker", "3b": "walker", "4": "walker"}[subtype]
        if subtype in STILL_WALKING:
            years_since = (as_of - onset_date).days / DAYS_PER_YEAR
            function = "walker" if rng.random() < _walking_probability(subtype, years_since) else "sitter"
        chosen = _treatment(rng, birth_date=birth_date, from_date=onset_date, as_of=as_of)
        treatments = [] if chosen is None else [chosen]
        symptomatic = True
        shown_type = subtype
        shown_onset = onset_months
        visit_function = function
    first_visit = (
        treatments[0].start_date if screened else birth_date + dt.timedelta(days=round(onset_months * 30.44))
    )
    visits = _visits(first=first_visit, as_of=as_of, every_months=VISIT_MONTHS[visit_function])
    treated_from = treatments[0].start_date if treatments else None
    assessments = _trajectories(rng, function=visit_function, visits=visits, treated_from=treated_from)
    # Growth draws from a stream of its own, so the rest of the person does not depend on it.
    growth_rng = random.Random(f"smanav-synth-growth:{seed}:{number}")
    measured = _growth(growth_rng, sex=sex, birth_date=birth_date, function=visit_function, visits=visits)
    assessments = sorted(assessments + measured, key=lambda row: row[0])
    treatments = [_with_doses(one, as_of=as_of) for one in treatments]
    return SynthPerson(
        number=number,
        birth_date=birth_date,
        region=region,
        sex=sex,
        smn2_copies=copies,
        sma_type=shown_type,
        screened=screened,
        symptomatic=symptomatic,
        onset_months=shown_onset,
        current_function=function,
        treatments=tuple(treatments),
        assessments=tuple(assessments),
        withdraws_research=rng.random() < WITHDRAWS_RESEARCH,
    )


def generate(*, patients: int, seed: int, as_of: dt.date, start: int = 1) -> Iterator[SynthPerson]:
    """People `start` .. `start + patients - 1` of the cohort `seed`."""
    for number in range(start, start + patients):
        yield person(number=number, seed=seed, as_of=as_of)


class Digest:
    """A running SHA-256 of the people made, in order: equal digests, equal cohorts."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, one: SynthPerson) -> None:
        self._hash.update(json.dumps(one.as_json(), sort_keys=True, separators=(",", ":")).encode())
        self._hash.update(b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def digest(people: Iterator[SynthPerson]) -> str:
    running = Digest()
    for one in people:
        running.add(one)
    return running.hexdigest()
