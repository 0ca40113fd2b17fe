"""The contract's documents as the engine wrote them, kept as digests: a record of the bytes, not a spec.

Every example of `examples/` in each of the six regions, and a few thousand records and triage answers
generated from a fixed seed (regions in turn), are run through `evaluate` and `triage`; the digest of
each answer's JSON (or of the problems, for the few invalid ones) is compared with `golden.json`. A
change of the engine's code that changes one byte of one answer fails `test_golden.py`.

The digests change whenever the knowledge base or a rule changes what smanav says, on purpose. Then,
after reviewing that change (the clinical tests say what it means), write them again:

    .venv/bin/python -m tests.core.golden write

and to look at one answer (to compare it with the same answer from another checkout):

    .venv/bin/python -m tests.core.golden show record 123
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from smanav_core import InvalidInput, evaluate, load_knowledge, triage
from smanav_core.codes import (
    Feeding,
    FunctionalGroup,
    GeneticMethod,
    Instrument,
    MonitoringTest,
    MotorMilestone,
    Regimen,
    Region,
    Sex,
    TreatmentTherapy,
    TriageCourse,
    TriageHistory,
    TriageOnset,
    TriageSymptom,
    Ventilation,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
GOLDEN_FILE = Path(__file__).with_name("golden.json")
SEED = 20261206
RECORDS = 3000
ANSWERS = 1000
EXAMPLE_AS_OF = dt.date(2026, 11, 21)
# Evaluation dates of the generated records: a spread of days, never the clock.
FIRST_AS_OF = dt.date(2024, 1, 1)
LAST_AS_OF = dt.date(2026, 12, 31)
REGIONS = tuple(Region)

# Plausible values of each instrument (inside the contract's ranges), for series that rise and fall.
INSTRUMENT_VALUES: dict[Instrument, tuple[float, float]] = {
    Instrument.CHOP_INTEND: (10, 64),
    Instrument.HINE2: (0, 26),
    Instrument.HFMSE: (0, 66),
    Instrument.RULM: (0, 37),
    Instrument.MFM32_PERCENT: (20, 100),
    Instrument.SIX_MWT_M: (50, 600),
    Instrument.FVC_PERCENT_PREDICTED: (30, 120),
    Instrument.PEAK_COUGH_FLOW_L_MIN: (60, 500),
    Instrument.WEIGHT_KG: (3, 90),
    Instrument.HEIGHT_CM: (45, 190),
    Instrument.COBB_DEG: (0, 90),
}


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _number(rng: random.Random, low: float, high: float) -> float | int:
    """A whole number or a number with one decimal, as people record them."""
    value = rng.uniform(low, high)
    return round(value) if rng.random() < 0.6 else round(value, 1)


def _maybe(rng: random.Random, share: float) -> bool:
    return rng.random() < share


def _genetics(rng: random.Random) -> dict[str, Any]:
    genetics: dict[str, Any] = {}
    if _maybe(rng, 0.9):
        genetics["smn1_copies"] = rng.choice([0, 0, 0, 0, 1, 1, 2, 3, None])
    if _maybe(rng, 0.15):
        genetics["smn1_intragenic_variant"] = rng.choice(["c.815A>G", "c.683T>A", "c.22dupA"])
    if _maybe(rng, 0.85):
        genetics["smn2_copies"] = rng.choice([0, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6, None])
    if _maybe(rng, 0.1):
        genetics["smn2_copies_is_minimum"] = True
    if _maybe(rng, 0.1):
        genetics["smn2_modifiers"] = rng.sample(["c.859G>C", "c.835-44A>G", "c.859 G>C"], rng.randint(1, 2))
    if _maybe(rng, 0.8):
        genetics["method"] = rng.choice([method.value for method in GeneticMethod])
    return genetics


def _clinical(rng: random.Random, age_months: float) -> dict[str, Any]:
    clinical: dict[str, Any] = {}
    if _maybe(rng, 0.9):
        clinical["symptomatic"] = rng.choice([True, True, True, False, None])
    if _maybe(rng, 0.7):
        clinical["symptom_onset_age_months"] = rng.choice(
            [0, _number(rng, 0, min(age_months, 900)), _number(rng, 0, 6), _number(rng, 6, 18)]
        )
    for name, values, share in (
        ("max_motor_milestone", [item.value for item in MotorMilestone], 0.8),
        ("current_motor_function", [item.value for item in FunctionalGroup], 0.85),
        ("ventilation", [item.value for item in Ventilation], 0.6),
        ("feeding", [item.value for item in Feeding], 0.5),
    ):
        if _maybe(rng, share):
            clinical[name] = rng.choice(values)
    if _maybe(rng, 0.4):
        clinical["active_infection"] = _maybe(rng, 0.2)
    if _maybe(rng, 0.3):
        clinical["scoliosis_cobb_deg"] = _number(rng, 0, 80)
    return clinical


def _labs(rng: random.Random, birth: dt.date, as_of: dt.date) -> dict[str, Any]:
    labs: dict[str, Any] = {}
    if _maybe(rng, 0.6):
        labs["anti_aav9_titer"] = rng.choice([0, 0, 25, 50, 100, 400])
    for name, high in (("alt_uln_ratio", 4), ("ast_uln_ratio", 4), ("total_bilirubin_uln_ratio", 3)):
        if _maybe(rng, 0.5):
            labs[name] = _number(rng, 0.2, high)
    if _maybe(rng, 0.4):
        labs["platelets_10e9_per_l"] = _number(rng, 40, 500)
    if labs and _maybe(rng, 0.8):
        labs["date"] = _day_between(rng, max(birth, as_of - dt.timedelta(days=400)), as_of).isoformat()
    return labs


def _treatments(rng: random.Random, birth: dt.date, as_of: dt.date) -> list[dict[str, Any]]:
    courses = []
    for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 3])):
        therapy = rng.choice([item.value for item in TreatmentTherapy])
        start = _day_between(rng, birth, as_of)
        course: dict[str, Any] = {"therapy": therapy, "start_date": start.isoformat()}
        if therapy.startswith("onasemnogene"):
            course["end_date"] = start.isoformat()
        elif _maybe(rng, 0.3):
            course["end_date"] = _day_between(rng, start, as_of).isoformat()
        else:
            course["end_date"] = None
        if therapy == TreatmentTherapy.NUSINERSEN.value and _maybe(rng, 0.6):
            course["regimen"] = rng.choice([item.value for item in Regimen])
        if therapy != TreatmentTherapy.OTHER.value and _maybe(rng, 0.5):
            last = dt.date.fromisoformat(course["end_date"]) if course["end_date"] else as_of
            days = sorted({_day_between(rng, start, last) for _ in range(rng.randint(1, 6))})
            doses: list[dict[str, Any]] = []
            for day in days:
                dose: dict[str, Any] = {"date": day.isoformat()}
                if _maybe(rng, 0.5):
                    dose["amount_mg"] = rng.choice([12, 28, 50, 5])
                doses.append(dose)
            course["doses"] = doses
        courses.append(course)
    return courses


def _assessments(rng: random.Random, birth: dt.date, as_of: dt.date) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for instrument in rng.sample(list(Instrument), rng.randint(0, 5)):
        low, high = INSTRUMENT_VALUES[instrument]
        value = rng.uniform(low, high)
        day = _day_between(rng, max(birth, as_of - dt.timedelta(days=1500)), as_of)
        visits = [day]
        for _ in range(rng.randint(0, 6)):
            visits.append(visits[-1] + dt.timedelta(days=rng.randint(60, 420)))
        for visit in visits:
            if visit > as_of:
                break
            value = min(max(value + rng.uniform(-(high - low) / 10, (high - low) / 14), low), high)
            written = round(value) if instrument is not Instrument.WEIGHT_KG else round(value, 1)
            found.append({"date": visit.isoformat(), "instrument": instrument.value, "value": written})
    rng.shuffle(found)
    return found


def _lab_tests(rng: random.Random, birth: dt.date, as_of: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "date": _day_between(rng, max(birth, as_of - dt.timedelta(days=500)), as_of).isoformat(),
            "test": test,
        }
        for test in rng.sample([item.value for item in MonitoringTest], rng.randint(0, 3))
    ]


def generated_records() -> Iterator[tuple[int, dict[str, Any], dt.date]]:
    """(number, record, evaluation date) for each generated record; the regions in turn."""
    rng = random.Random(SEED)
    for number in range(RECORDS):
        as_of = _day_between(rng, FIRST_AS_OF, LAST_AS_OF)
        age_days = rng.choice(
            [rng.randint(0, 60), rng.randint(0, 730), rng.randint(0, 7300), rng.randint(6000, 25000)]
        )
        birth = as_of - dt.timedelta(days=age_days)
        record: dict[str, Any] = {
            "id": f"golden-{number}",
            "region": REGIONS[number % len(REGIONS)].value,
            "birth_date": birth.isoformat(),
        }
        if _maybe(rng, 0.6):
            record["sex"] = rng.choice([item.value for item in Sex])
        if _maybe(rng, 0.2):
            record["gestational_age_weeks"] = _number(rng, 24, 42)
        if _maybe(rng, 0.7):
            record["weight_kg"] = _number(rng, 2.5, 80)
        if _maybe(rng, 0.1):
            record["pregnant"] = _maybe(rng, 0.3)
        if _maybe(rng, 0.9):
            record["genetics"] = _genetics(rng)
        if _maybe(rng, 0.9):
            record["clinical"] = _clinical(rng, age_days / 30.44)
        if _maybe(rng, 0.5):
            record["labs"] = _labs(rng, birth, as_of)
        record["treatments"] = _treatments(rng, birth, as_of)
        record["assessments"] = _assessments(rng, birth, as_of)
        if _maybe(rng, 0.3):
            record["lab_tests"] = _lab_tests(rng, birth, as_of)
        if _maybe(rng, 0.02):
            # A few records with a mistake: the problems the engine lists are part of the contract too.
            record["birth_date"] = (as_of + dt.timedelta(days=3)).isoformat()
        yield number, record, as_of


def generated_answers() -> Iterator[tuple[int, dict[str, Any], dt.date]]:
    """(number, triage answers, date) for each generated questionnaire."""
    rng = random.Random(SEED + 1)
    for number in range(ANSWERS):
        answers: dict[str, Any] = {"age_years": rng.choice([rng.randint(0, 17), rng.randint(18, 90)])}
        if _maybe(rng, 0.7):
            answers["sex"] = rng.choice([item.value for item in Sex])
        if _maybe(rng, 0.5):
            answers["region"] = REGIONS[number % len(REGIONS)].value
        answers["history"] = rng.sample([item.value for item in TriageHistory], rng.randint(0, 3))
        answers["symptoms"] = rng.sample([item.value for item in TriageSymptom], rng.randint(0, 6))
        if _maybe(rng, 0.8):
            answers["onset"] = rng.choice([item.value for item in TriageOnset])
        if _maybe(rng, 0.8):
            answers["course"] = rng.choice([item.value for item in TriageCourse])
        if _maybe(rng, 0.3):
            answers["genetics"] = _genetics(rng)
        yield number, answers, _day_between(rng, FIRST_AS_OF, LAST_AS_OF)


def example_documents() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, name, document) of every example file: `evaluate` for records, `triage` for answers."""
    for path in sorted(EXAMPLES.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        yield ("triage" if path.name.startswith("triage-") else "evaluate"), path.stem, document


def answer_text(kind: str, document: dict[str, Any], *, as_of: dt.date, region: str | None = None) -> str:
    """The answer as the CLI and the API write it (one JSON document), or its problems."""
    try:
        if kind == "triage":
            result = triage(document, as_of=as_of)
        else:
            result = evaluate(document, region=region, as_of=as_of)
    except InvalidInput as error:
        return json.dumps({"problems": [list(problem) for problem in error.problems]}, ensure_ascii=False)
    return json.dumps(result, ensure_ascii=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def answers() -> Iterator[tuple[str, str]]:
    """(key, answer text) of every document the golden digests cover, in a fixed order."""
    for kind, name, document in example_documents():
        if kind == "triage":
            yield f"example {name}", answer_text(kind, document, as_of=EXAMPLE_AS_OF)
            continue
        for region in REGIONS:
            yield (
                f"example {name} {region.value}",
                answer_text(kind, document, as_of=EXAMPLE_AS_OF, region=region.value),
            )
    for number, record, as_of in generated_records():
        yield f"record {number}", answer_text("evaluate", record, as_of=as_of)
    for number, document, as_of in generated_answers():
        yield f"answers {number}", answer_text("triage", document, as_of=as_of)


def current_digests() -> dict[str, str]:
    return {key: digest(text) for key, text in answers()}


def write() -> None:
    golden = {"knowledge_version": load_knowledge().version, "digests": current_digests()}
    GOLDEN_FILE.write_text(json.dumps(golden, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {len(golden['digests'])} digests to {GOLDEN_FILE.relative_to(REPO)}")


def show(key: str) -> None:
    for found, text in answers():
        if found == key:
            print(json.dumps(json.loads(text), ensure_ascii=False, indent=2))
            return
    raise SystemExit(f"no document {key!r}")


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["write"]:
            write()
        case ["show", *key]:
            show(" ".join(key))
        case _:
            raise SystemExit(__doc__)
