"""Keeping the worklist summaries current: the writes behind the nightly refresh and behind a worklist
that finds itself out of date.

Part of the app's write path next to `services.py` (which refreshes one record's summary on every
change): these functions re-evaluate many records, a chunk at a time, through
`services.patient_summaries_rebuild`. The background jobs in `tasks.py` and `manage.py patients_refresh`
call them; nothing else writes summaries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from smanav.accounts.models import Clinic
from smanav.patients.models import Patient, PatientSummary, SummaryRefreshRequest
from smanav.patients.selectors import patient_ids_for_summary_refresh
from smanav.patients.services import patient_summaries_rebuild

# Records evaluated per transaction. Each chunk locks its records while they are evaluated (about a
# millisecond each), so a clinician saving one of them waits a fraction of a second at most.
SUMMARY_CHUNK_SIZE = 200
# Refresh requests are only needed for the day they were made; a month is kept to look back on.
REFRESH_REQUESTS_KEPT_DAYS = 31


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
    """The nightly refresh: every record's summary for `as_of` (also those already worked out that day,
    so that a knowledge update reaches them), then forget refresh requests older than a month."""
    count = patient_summaries_refresh(patient_ids=patient_ids_for_summary_refresh(as_of=as_of), as_of=as_of)
    SummaryRefreshRequest.objects.filter(
        as_of__lt=as_of - dt.timedelta(days=REFRESH_REQUESTS_KEPT_DAYS)
    ).delete()
    return count


def clinic_summaries_refresh_request(*, clinic: Clinic, as_of: dt.date) -> SummaryRefreshRequest:
    """Queue a refresh of the clinic's worklist for `as_of`, unless one was queued for that day already.

    Answers the day's request (made now or earlier). The worklist calls this on every page load that
    finds summaries behind; once a request exists that costs one indexed read.
    """
    existing = SummaryRefreshRequest.objects.filter(clinic=clinic, as_of=as_of).first()
    if existing is not None:
        return existing
    # Imported here because the tasks module imports this one to run the refresh.
    from smanav.patients.tasks import refresh_clinic_summaries

    try:
        # The job row and the request row commit together (the database backend queues in the same
        # database): a request never exists without its job, nor a job without its request.
        with transaction.atomic():
            job = refresh_clinic_summaries.enqueue(clinic_id=clinic.pk, as_of=as_of.isoformat())
            return SummaryRefreshRequest.objects.create(clinic=clinic, as_of=as_of, job_id=str(job.id))
    except IntegrityError:
        # Another request (or server) queued it first; its job is the day's one, ours was rolled back.
        return SummaryRefreshRequest.objects.get(clinic=clinic, as_of=as_of)
