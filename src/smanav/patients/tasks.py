"""Background jobs of patient records (django-tasks; run by `manage.py db_worker`), and the one place that
queues them.

Jobs only unpack their arguments and call the summary services (`services/summaries.py`): the refresh
itself, and what it may touch, is decided there. Arguments are stored as JSON, so dates travel as ISO
strings. Every job can run twice, or late, without harm (see `patient_summaries_refresh`).

The nightly refresh is a batch of jobs (`smanav.jobs.batches`) that several workers on several machines
share from one database: the first plans it and queues one job per range of records, any worker takes
any range, and the last job sends the emails once no range waits or runs.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks.base import TaskResultStatus

from smanav.accounts.models import Clinic
from smanav.jobs.batches import batch_jobs, batch_progress
from smanav.patients.models import SummaryRefreshRequest
from smanav.patients.selectors import patient_id_ranges, patient_ids_for_summary_refresh
from smanav.patients.services import news_mail, reminders, summaries, worklist_counts

logger = logging.getLogger("smanav.patients")

# Records per job of the nightly refresh: a few seconds of one worker's time each (the engine and the
# writes take a few milliseconds a record), small enough to share out among workers and to lose little
# when one dies, large enough that 150,000 records make 75 jobs rather than thousands.
SUMMARY_RANGE_SIZE = 2000
# How long the job that finishes the nightly refresh waits before it looks again for unfinished ranges.
FINISH_RECHECK_SECONDS = 30.0


@task()
def refresh_clinic_summaries(*, clinic_id: int, as_of: str) -> int:
    """Work out the out-of-date summaries of one clinic's records for the day `as_of` (ISO date);
    answers how many were written."""
    return summaries.clinic_summaries_refresh(clinic_id=clinic_id, as_of=dt.date.fromisoformat(as_of))


@task(takes_context=True)
def refresh_all_summaries(
    context: TaskContext,
    *,
    as_of: str,
    range_size: int = SUMMARY_RANGE_SIZE,
    recheck_seconds: float = FINISH_RECHECK_SECONDS,
) -> int:
    """The nightly job: every record's summary for the day `as_of` (ISO date), split into jobs of
    `range_size` records that any worker may take (`refresh_summary_range`), then the emails about what
    changed for the records, once every range is done (`finish_summary_refresh`). Answers how many
    records are to be refreshed. The batch is named after this job, so that running it again (its
    worker died after it queued the ranges) queues nothing twice."""
    return all_summaries_refresh_queue(
        as_of=dt.date.fromisoformat(as_of),
        batch=str(context.task_result.id),
        range_size=range_size,
        recheck_seconds=recheck_seconds,
    )


@task()
def refresh_summary_range(*, as_of: str, first_id: int, last_id: int, batch: str) -> int:
    """One range of the nightly refresh: the summaries of records `first_id` to `last_id` for the day
    `as_of` (ISO date); answers how many were written. Safe to run again after its worker died half-way.
    `batch` only names the refresh it belongs to."""
    return summaries.range_summaries_refresh(
        first_id=first_id, last_id=last_id, as_of=dt.date.fromisoformat(as_of)
    )


# Workers take the highest priority first: this job comes after every range that waits.
@task(priority=-10)
def finish_summary_refresh(*, as_of: str, batch: str, recheck_seconds: float) -> int:
    """The end of the nightly refresh: once no range of `batch` waits or runs, forget old refresh
    requests, count every clinic's worklist numbers afresh and email what changed for the records;
    until then, look again in `recheck_seconds`. Answers how many emails went (0 when it only looked)."""
    progress = batch_progress(batch=batch, task_path=refresh_summary_range.module_path)
    if progress.unfinished:
        with transaction.atomic():
            # Run twice (its worker died after queueing the next look), it still queues one look.
            looks = batch_jobs(batch=batch, task_path=finish_summary_refresh.module_path)
            if not looks.filter(status=TaskResultStatus.READY).exists():
                later = timezone.now() + dt.timedelta(seconds=recheck_seconds)
                finish_summary_refresh.using(run_after=later).enqueue(
                    as_of=as_of, batch=batch, recheck_seconds=recheck_seconds
                )
        return 0
    if progress.failed:
        logger.warning(
            "Nightly refresh %s: %s range(s) failed after their attempts (manage.py jobs_status)",
            batch,
            progress.failed,
        )
    summaries.summary_refresh_requests_forget(as_of=dt.date.fromisoformat(as_of))
    # Every clinic's headline numbers counted afresh once a night: mends any drift.
    worklist_counts.clinic_counts_recount()
    return news_mail.news_emails_send(site_url=settings.SMANAV_SITE_URL)


@task()
def send_due_reminders(*, as_of: str) -> int:
    """The daily job: email every account that asked for reminders what is due (`services/reminders.py`);
    answers how many emails went."""
    return reminders.reminders_send(as_of=dt.date.fromisoformat(as_of), site_url=settings.SMANAV_SITE_URL)


@transaction.atomic
def all_summaries_refresh_queue(
    *, as_of: dt.date, batch: str, range_size: int, recheck_seconds: float
) -> int:
    """Queue the nightly refresh for `as_of` as one job per range of `range_size` records and the job
    that finishes it, all of batch `batch`; answers how many records are to be refreshed. Everything is
    queued in one transaction, and nothing if `batch` was queued before."""
    if not batch_jobs(batch=batch, task_path=finish_summary_refresh.module_path).exists():
        day = as_of.isoformat()
        for first_id, last_id in patient_id_ranges(size=range_size):
            refresh_summary_range.enqueue(as_of=day, first_id=first_id, last_id=last_id, batch=batch)
        finish_summary_refresh.enqueue(as_of=day, batch=batch, recheck_seconds=recheck_seconds)
    return len(patient_ids_for_summary_refresh(as_of=as_of))


def clinic_summaries_refresh_request(*, clinic: Clinic, as_of: dt.date) -> SummaryRefreshRequest:
    """Queue a refresh of the clinic's worklist for `as_of`, unless one was queued for that day already.

    Answers the day's request (made now or earlier). The worklist calls this on every page load that
    finds summaries behind; once a request exists that costs one indexed read.
    """
    existing = SummaryRefreshRequest.objects.filter(clinic=clinic, as_of=as_of).first()
    if existing is not None:
        return existing
    try:
        # The job row and the request row commit together (the database backend queues in the same
        # database): a request never exists without its job, nor a job without its request.
        with transaction.atomic():
            job = refresh_clinic_summaries.enqueue(clinic_id=clinic.pk, as_of=as_of.isoformat())
            return SummaryRefreshRequest.objects.create(clinic=clinic, as_of=as_of, job_id=str(job.id))
    except IntegrityError:
        # Another request (or server) queued it first; its job is the day's one, ours was rolled back.
        return SummaryRefreshRequest.objects.get(clinic=clinic, as_of=as_of)
