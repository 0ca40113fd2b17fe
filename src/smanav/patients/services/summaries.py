"""The worklist's headline of each record (`PatientSummary`), kept current.

`patient_summary_refresh` runs on every change of one record (`versioning.bump`); the functions below it
re-evaluate many records, a chunk at a time, for the nightly refresh and for a worklist that finds itself
out of date (the jobs in `tasks.py` and `manage.py patients_refresh` call them). Nothing else writes
summaries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TypedDict

from django.db import transaction
from django.db.models import Exists, OuterRef

from smanav.patients.alerts import alert_fingerprint
from smanav.patients.models import Patient, PatientSummary, SummaryRefreshRequest
from smanav.patients.range_work import range_work_run
from smanav.patients.seam import PatientEvaluation, RecordDocument, evaluate_record, record_for_patient
from smanav.patients.selectors import patient_id_ranges, patient_ids_for_summary_refresh
from smanav.patients.services.news import news_compare, news_compare_many
from smanav.patients.services.worklist_counts import (
    Flags,
    clinic_counts_recount,
    counts_follow_summaries,
    flags_of,
    summary_flags,
)
from smanav_core.codes import DueStatus, Severity, UrgencyLevel
from smanav_core.evaluation import JsonDocument

URGENCY_RANK = {UrgencyLevel.ROUTINE: 0, UrgencyLevel.PROMPT: 1, UrgencyLevel.URGENT: 2}
# How many of the dated items the worklist names (the earliest overdue or due soon).
DUE_ITEMS_KEPT = 5
# The due statuses of dated items that are not done: the reminders read them from the summary.
_DATED = (DueStatus.OVERDUE, DueStatus.DUE_SOON, DueStatus.SCHEDULED)
# Records evaluated per transaction. Each chunk locks its records while they are evaluated (about a
# millisecond each), so a clinician saving one of them waits a fraction of a second at most.
SUMMARY_CHUNK_SIZE = 200
# Refresh requests are only needed for the day they were made; a month is kept to look back on.
REFRESH_REQUESTS_KEPT_DAYS = 31
# Records per piece of the apps' work in the one-process refresh (the jobs' range size, tasks.py).
RANGE_WORK_SIZE = 2000


def patient_summaries_refresh(
    *, patient_ids: Sequence[int], as_of: dt.date, chunk_size: int = SUMMARY_CHUNK_SIZE
) -> int:
    """Work out the summaries of these records for `as_of`, `chunk_size` records per transaction.

    Answers how many summaries were written. Running it twice gives the same summaries. A summary
    already worked out for a later day is left alone, so a job that waited in the queue past midnight
    never sets a worklist back.
    """
    count = 0
    for start in range(0, len(patient_ids), chunk_size):
        count += _refresh_chunk(patient_ids[start : start + chunk_size], as_of=as_of)
    return count


@transaction.atomic
def _refresh_chunk(patient_ids: Sequence[int], *, as_of: dt.date) -> int:
    # The records are locked as the services lock them before a change, so a change saved meanwhile
    # is either seen by this evaluation or saved after it, and never overwritten by an older record.
    # Locked in id order, so two refreshes cannot deadlock; the later-day test is a subquery because
    # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    later = PatientSummary.objects.filter(patient=OuterRef("pk"), evaluated_on__gt=as_of)
    patients = (
        Patient.objects.select_for_update()
        .filter(pk__in=patient_ids)
        .exclude(Exists(later))
        .order_by("pk")
        .prefetch_related("assessments", "treatments__doses", "lab_tests")
    )
    return patient_summaries_rebuild(patients=patients, as_of=as_of)


def clinic_summaries_refresh(*, clinic_id: int, as_of: dt.date) -> int:
    """Bring one clinic's worklist up to `as_of`: the records shared with the clinic now whose summary is
    missing or older. Records of other clinics are not touched."""
    ids = patient_ids_for_summary_refresh(as_of=as_of, clinic_id=clinic_id)
    return patient_summaries_refresh(patient_ids=ids, as_of=as_of)


def all_summaries_refresh(*, as_of: dt.date) -> int:
    """The nightly refresh in one process: every record's summary for `as_of` (also those already worked
    out that day, so that a knowledge update reaches them), then forget refresh requests older than a
    month. The background job splits the same work into ranges (`range_summaries_refresh`)."""
    count = patient_summaries_refresh(patient_ids=patient_ids_for_summary_refresh(as_of=as_of), as_of=as_of)
    # What the apps above the records keep per record (range_work), in the ranges the jobs use.
    for first_id, last_id in patient_id_ranges(size=RANGE_WORK_SIZE):
        range_work_run(first_id=first_id, last_id=last_id, as_of=as_of)
    summary_refresh_requests_forget(as_of=as_of)
    clinic_counts_recount()
    return count


def range_summaries_refresh(*, first_id: int, last_id: int, as_of: dt.date) -> int:
    """One range of the nightly refresh (ids `first_id` to `last_id`, both included), which any worker
    may take: what `all_summaries_refresh` does for every record, for these. Run twice, or stopped
    half-way and run again, it writes the same summaries (each chunk replaces its records' summaries in
    one transaction)."""
    ids = patient_ids_for_summary_refresh(as_of=as_of, id_range=(first_id, last_id))
    # The chunk size is read when called, not when defined, so that a test can make chunks small.
    count = patient_summaries_refresh(patient_ids=ids, as_of=as_of, chunk_size=SUMMARY_CHUNK_SIZE)
    # After the summaries, which the apps' work may read (the registry's dashboard facts, ADR 0029).
    range_work_run(first_id=first_id, last_id=last_id, as_of=as_of)
    return count


def summary_refresh_requests_forget(*, as_of: dt.date) -> int:
    """Forget the worklists' refresh requests older than a month before `as_of`; answers how many."""
    deleted, _ = SummaryRefreshRequest.objects.filter(
        as_of__lt=as_of - dt.timedelta(days=REFRESH_REQUESTS_KEPT_DAYS)
    ).delete()
    return deleted


class SummaryFields(TypedDict):
    """The fields of a `PatientSummary`, from one evaluation."""

    evaluated_on: dt.date
    last_assessment_on: dt.date | None
    knowledge_version: str
    diagnosis: str
    sma_type: str
    functional_group: str
    urgency: str
    urgency_rank: int
    # The alerts as the contract's document writes them (the worklist shows them as kept).
    alerts: list[JsonDocument]
    alert_fingerprints: list[str]
    alert_count: int
    high_alert_count: int
    alert_codes: str
    overdue_count: int
    due_soon_count: int
    due_items: list[dict[str, str]]
    dated_items: list[dict[str, str]]
    problem: str


def summary_values(evaluation: PatientEvaluation, *, as_of: dt.date) -> SummaryFields:
    """The worklist headline of one evaluation (also used by bulk refreshes)."""
    assessments = evaluation.record.get("assessments")
    entries = assessments if isinstance(assessments, list) else []
    last = max((str(entry["date"]) for entry in entries if isinstance(entry, dict)), default=None)
    last_assessment_on = None if last is None else dt.date.fromisoformat(last)
    result = evaluation.result
    if result is None:
        return SummaryFields(
            evaluated_on=as_of,
            last_assessment_on=last_assessment_on,
            knowledge_version="",
            diagnosis="",
            sma_type="",
            functional_group="",
            urgency="",
            urgency_rank=0,
            alerts=[],
            alert_fingerprints=[],
            alert_count=0,
            high_alert_count=0,
            alert_codes="",
            overdue_count=0,
            due_soon_count=0,
            due_items=[],
            dated_items=[],
            problem="; ".join(f"{field}: {message}" for field, message in evaluation.problems)[:300],
        )
    alerts = result.alerts
    documents = [alert.to_json() for alert in alerts]
    classification = result.classification
    dated = sorted(
        (item for item in result.care_plan if item.due_status in (DueStatus.OVERDUE, DueStatus.DUE_SOON)),
        key=lambda item: item.due_on or dt.date.max,
    )
    ahead_or_passed = sorted(
        (item for item in result.care_plan if item.due_on is not None and item.due_status in _DATED),
        key=lambda item: item.due_on or dt.date.max,
    )
    return SummaryFields(
        evaluated_on=as_of,
        last_assessment_on=last_assessment_on,
        knowledge_version=result.knowledge_version,
        diagnosis=result.diagnosis.status.value,
        sma_type="" if classification.sma_type is None else classification.sma_type.value,
        functional_group=_code(classification.functional_group),
        urgency=result.urgency.level.value,
        urgency_rank=URGENCY_RANK[result.urgency.level],
        alerts=documents,
        alert_fingerprints=[alert_fingerprint(document) for document in documents],
        alert_count=len(alerts),
        high_alert_count=sum(1 for alert in alerts if alert.severity is Severity.HIGH),
        alert_codes=" ".join(sorted({alert.code.value for alert in alerts}))[:300],
        overdue_count=sum(1 for item in dated if item.due_status is DueStatus.OVERDUE),
        due_soon_count=sum(1 for item in dated if item.due_status is DueStatus.DUE_SOON),
        due_items=[
            {"title": item.title, "due_on": _iso(item.due_on), "status": _code(item.due_status)}
            for item in dated[:DUE_ITEMS_KEPT]
        ],
        dated_items=[
            {"due_on": _iso(item.due_on), "status": _code(item.due_status)} for item in ahead_or_passed
        ],
        problem="",
    )


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def _code(code: StrEnum | None) -> str:
    return "" if code is None else code.value


def _sort_copies(patient: Patient) -> dict[str, object]:
    """The record's own fields the worklist sorts on, kept in its summary beside the evaluation's."""
    return {"display_name": patient.display_name, "birth_date": patient.birth_date}


def patient_summary_refresh(
    *, patient: Patient, as_of: dt.date, record: RecordDocument | None = None
) -> PatientSummary:
    """Evaluate the record and keep the headline the worklist sorts and filters on. A caller that has
    just built the record from the rows passes it as `record`, so they are not read again."""
    if record is None:
        record = record_for_patient(patient)
    evaluation = evaluate_record(record, as_of=as_of)
    before = summary_flags([patient.pk])
    summary, _ = PatientSummary.objects.update_or_create(
        patient=patient, defaults={**summary_values(evaluation, as_of=as_of), **_sort_copies(patient)}
    )
    counts_follow_summaries(before=before, after={patient.pk: _flags(summary)})
    # A person's own change: the baseline follows it silently (news only of a knowledge update).
    news_compare(patient=patient, evaluation=evaluation.result, edited=True)
    return summary


@transaction.atomic
def patient_summaries_rebuild(*, patients: Iterable[Patient], as_of: dt.date) -> int:
    """Re-evaluate many records at once (nightly job, imports, benchmarks): patients should come with
    their assessments, treatments (with their doses) and lab tests prefetched; summaries are replaced in
    bulk."""
    rows = []
    evaluated = []
    for patient in patients:
        record = record_for_patient(
            patient,
            assessments=patient.assessments.all(),
            treatments=patient.treatments.all(),
            lab_tests=patient.lab_tests.all(),
        )
        evaluation = evaluate_record(record, as_of=as_of)
        evaluated.append((patient, evaluation.result))
        rows.append(
            PatientSummary(
                patient=patient, **summary_values(evaluation, as_of=as_of), **_sort_copies(patient)
            )
        )
    before = summary_flags(row.patient_id for row in rows)
    PatientSummary.objects.filter(patient__in=[row.patient for row in rows]).delete()
    PatientSummary.objects.bulk_create(rows, batch_size=1000)
    # Nobody edited these records: what their new evaluation changed for the person is news.
    news_compare_many(evaluated)
    # Last, so that the clinics' rows of numbers are locked for the shortest time.
    counts_follow_summaries(before=before, after={row.patient_id: _flags(row) for row in rows})
    return len(rows)


def _flags(summary: PatientSummary) -> Flags:
    return flags_of(
        urgency=summary.urgency,
        alert_count=summary.alert_count,
        overdue_count=summary.overdue_count,
        due_soon_count=summary.due_soon_count,
    )
