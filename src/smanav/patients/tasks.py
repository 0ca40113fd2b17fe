"""Background jobs of patient records (django-tasks; run by `manage.py db_worker`), and the one place that
queues them.

Jobs only unpack their arguments and call the summary services (`services/summaries.py`): the refresh
itself, and what it may touch, is decided there. Arguments are stored as JSON, so dates travel as ISO
strings. Every job can run twice, or late, without harm (see `patient_summaries_refresh`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django_tasks import task

from smanav.accounts.models import Clinic
from smanav.patients.models import SummaryRefreshRequest
from smanav.patients.services import news_mail, reminders, summaries


@task()
def refresh_clinic_summaries(*, clinic_id: int, as_of: str) -> int:
    """Work out the out-of-date summaries of one clinic's records for the day `as_of` (ISO date);
    answers how many were written."""
    return summaries.clinic_summaries_refresh(clinic_id=clinic_id, as_of=dt.date.fromisoformat(as_of))


@task()
def refresh_all_summaries(*, as_of: str) -> int:
    """The nightly job: every record's summary for the day `as_of` (ISO date), then the emails about
    what changed for the records (`services/news_mail.py`); answers how many summaries."""
    count = summaries.all_summaries_refresh(as_of=dt.date.fromisoformat(as_of))
    news_mail.news_emails_send(site_url=settings.SMANAV_SITE_URL)
    return count


@task()
def send_due_reminders(*, as_of: str) -> int:
    """The daily job: email every account that asked for reminders what is due (`services/reminders.py`);
    answers how many emails went."""
    return reminders.reminders_send(as_of=dt.date.fromisoformat(as_of), site_url=settings.SMANAV_SITE_URL)


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
