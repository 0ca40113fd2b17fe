"""Store a synthetic cohort (`registry.synth`) with bulk inserts (`COPY` for the measurements and doses
on PostgreSQL), a chunk of people per transaction.

Each person becomes a `Patient` (named "Synthetic NNNNNN", with `creation_key` `synth:SEED:NUMBER`, so a
second run of the same seed is refused instead of doubling the cohort), their treatment courses with
their doses, their measurements, their consents (to the newest texts published by `as_of`, given by a
parent while the person is under the consent age) and one audit event each ("created by the server's
command line"). Summaries for the worklist are not worked out here: run `manage.py patients_refresh`
afterwards.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from smanav.audit.models import AuditAction
from smanav.audit.services import audit_by_command_line
from smanav.patients.models import Assessment, Dose, Patient, Treatment
from smanav.registry.consent import decides_for_themselves
from smanav.registry.models import Consent, ConsentGivenAs, ConsentText
from smanav.registry.selectors import current_texts
from smanav.registry.synth import CONSENTED, Digest, SynthPerson, generate
from smanav.registry.texts import publish_missing


class SynthRefused(Exception):
    """The cohort cannot be made as asked; the message says why, naming the option."""


@dataclass(frozen=True, slots=True)
class SynthReport:
    patients: int
    treatments: int
    doses: int
    assessments: int
    consents: int
    seconds: float
    digest: str

    @property
    def rows(self) -> int:
        # The audit events (one a patient) are rows too.
        return 2 * self.patients + self.treatments + self.doses + self.assessments + self.consents

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def _patient(one: SynthPerson, seed: int) -> Patient:
    clinical: dict[str, object] = {"symptomatic": one.symptomatic}
    if one.onset_months is not None:
        clinical["symptom_onset_age_months"] = one.onset_months
    if one.current_function is not None:
        clinical["current_motor_function"] = one.current_function
    return Patient(
        display_name=one.display_name,
        birth_date=one.birth_date,
        region=one.region,
        sex=one.sex,
        genetics={
            "smn1_copies": 0,
            "smn2_copies": one.smn2_copies,
            # A newborn-screen positive is a screen result, not a diagnosis: it is confirmed on a fresh
            # sample with a quantitative diagnostic test and the SMN2 copy number ([N5][N10]; [G1][G6][G19]
            # in clinical-genetics.md §1.7), before the treatment these children start by 6 weeks. MLPA is
            # the test for everyone here (DESIGN).
            "method": "mlpa",
        },
        clinical=clinical,
        creation_key=f"synth:{seed}:{one.number}",
    )


def _texts(as_of: dt.date) -> dict[str, ConsentText]:
    publish_missing()
    texts = current_texts(on=as_of)
    missing = [purpose for purpose in CONSENTED if purpose not in texts]
    if missing:
        raise SynthRefused(
            f"--as-of: no consent text for {', '.join(missing)} was published by {as_of.isoformat()}; "
            "choose a later date"
        )
    return texts


def _copy_or_bulk_insert(model: type[Model], columns: tuple[str, ...], rows: Sequence[Model]) -> None:
    """The cohort's largest tables: PostgreSQL takes them with COPY (same rows, same transaction), other
    databases with the ORM's bulk insert. `columns` are the table's columns (each also the attribute of
    the model), `recorded_at` added here."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=5000)
        return
    now = timezone.now()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    copy_sql = f"COPY {table} ({names}, recorded_at) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for item in rows:
            copy.write_row((*(getattr(item, column) for column in columns), now))


@transaction.atomic
def _write_chunk(
    people: list[SynthPerson], *, seed: int, as_of: dt.date, texts: dict[str, ConsentText]
) -> tuple[int, int, int, int]:
    patients = Patient.objects.bulk_create([_patient(one, seed) for one in people])
    treatments: list[Treatment] = []
    assessments: list[Assessment] = []
    consents: list[Consent] = []
    withdrawn_at = dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC)
    given: list[tuple[Treatment, tuple[dt.date, ...], float | None]] = []
    for one, row in zip(people, patients, strict=True):
        for course in one.treatments:
            treatment = Treatment(patient=row, therapy=course.therapy, start_date=course.start_date)
            treatments.append(treatment)
            if course.doses:
                given.append((treatment, course.doses, course.dose_mg))
        assessments.extend(
            Assessment(patient=row, date=day, instrument=instrument, value=value)
            for day, instrument, value in one.assessments
        )
        adult = decides_for_themselves(birth_date=one.birth_date, region=one.region, on=as_of)
        for purpose in CONSENTED:
            consents.append(
                Consent(
                    patient=row,
                    purpose=purpose,
                    text=texts[purpose],
                    given_as=ConsentGivenAs.SELF if adult else ConsentGivenAs.PARENT,
                    given_on=as_of,
                    reviewed_on=as_of,
                    withdrawn_at=withdrawn_at if purpose == "research" and one.withdraws_research else None,
                )
            )
    Treatment.objects.bulk_create(treatments)
    doses = [
        Dose(treatment=treatment, date=day, amount_mg=amount)
        for treatment, days, amount in given
        for day in days
    ]
    _copy_or_bulk_insert(Dose, ("treatment_id", "date", "amount_mg", "given_by"), doses)
    _copy_or_bulk_insert(Assessment, ("patient_id", "date", "instrument", "value"), assessments)
    Consent.objects.bulk_create(consents, batch_size=5000)
    audit_by_command_line(
        patient_ids=[row.pk for row in patients],
        action=AuditAction.CREATE,
        what="synthetic patient (smanav synth)",
    )
    return len(treatments), len(doses), len(assessments), len(consents)


def synth_write(
    *,
    patients: int,
    seed: int,
    as_of: dt.date,
    chunk: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> SynthReport:
    """Make and store `patients` synthetic people of cohort `seed` as of `as_of`."""
    if patients < 1:
        raise SynthRefused(f"--patients: must be a whole number of at least 1 (got {patients})")
    if chunk < 1:
        raise SynthRefused(f"--chunk: must be a whole number of at least 1 (got {chunk})")
    if Patient.objects.filter(creation_key__startswith=f"synth:{seed}:").exists():
        raise SynthRefused(
            f"--seed: a synthetic cohort with seed {seed} is already stored; choose another seed"
        )
    texts = _texts(as_of)
    started = time.perf_counter()
    running = Digest()
    totals = [0, 0, 0, 0]
    batch: list[SynthPerson] = []

    def flush() -> None:
        written = _write_chunk(batch, seed=seed, as_of=as_of, texts=texts)
        for index, count in enumerate(written):
            totals[index] += count
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for one in generate(patients=patients, seed=seed, as_of=as_of):
        running.add(one)
        batch.append(one)
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return SynthReport(
        patients=patients,
        treatments=totals[0],
        doses=totals[1],
        assessments=totals[2],
        consents=totals[3],
        seconds=time.perf_counter() - started,
        digest=running.hexdigest(),
    )
