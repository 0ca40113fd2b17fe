"""Background jobs of patient records (django-tasks; run by `manage.py db_worker`).

Jobs only unpack their arguments and call the summary services: the refresh itself, and what it may
touch, is decided there. Arguments are stored as JSON, so dates travel as ISO strings. Every job can run
twice, or late, without harm (see `summary_refresh.patient_summaries_refresh`).
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from smanav.patients import summary_refresh


@task()
def refresh_clinic_summaries(*, clinic_id: int, as_of: str) -> int:
    """Work out the out-of-date summaries of one clinic's records for the day `as_of` (ISO date);
    answers how many were written."""
    return summary_refresh.clinic_summaries_refresh(clinic_id=clinic_id, as_of=dt.date.fromisoformat(as_of))


@task()
def refresh_all_summaries(*, as_of: str) -> int:
    """The nightly job: every record's summary for the day `as_of` (ISO date); answers how many."""
    return summary_refresh.all_summaries_refresh(as_of=dt.date.fromisoformat(as_of))
