"""Batches: many jobs queued together for one piece of work (the nightly refresh split into ranges of
records), which any worker on any machine may take, and the progress of each batch.

A job belongs to a batch when it is queued with a keyword argument `batch` (a string, the same for every
job of the batch; the nightly refresh uses its planning job's id). Nothing else is stored: the queue's
own rows say which jobs of a batch wait, run, are done or failed, and `manage.py jobs_status` shows it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """How many jobs of one task in one batch wait (or were queued again after their worker died), run,
    are done, or failed."""

    task_path: str
    batch: str
    waiting: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.waiting + self.running + self.done + self.failed

    @property
    def unfinished(self) -> int:
        return self.waiting + self.running

    def __str__(self) -> str:
        return (
            f"batch {self.batch}, {self.task_path}: {self.done} of {self.total} done, "
            f"{self.running} running, {self.waiting} waiting, {self.failed} failed"
        )


def batch_jobs(*, batch: str, task_path: str) -> DBTaskResultQuerySet:
    """The jobs of one task queued in `batch`."""
    return DBTaskResult.objects.filter(task_path=task_path, args_kwargs__kwargs__batch=batch)


def batch_progress(*, batch: str, task_path: str) -> BatchProgress:
    """Where the jobs of one task in `batch` are (one query)."""
    statuses = batch_jobs(batch=batch, task_path=task_path).values_list("status", flat=True)
    return _progress(task_path, batch, statuses)


def batches_since(since: dt.datetime) -> list[BatchProgress]:
    """The progress of every batch with a job queued since `since`, oldest first, one line per task."""
    jobs = (
        DBTaskResult.objects.filter(enqueued_at__gte=since, args_kwargs__kwargs__has_key="batch")
        .order_by("enqueued_at")
        .values_list("task_path", "args_kwargs", "status")
    )
    statuses: dict[tuple[str, str], list[str]] = {}
    for task_path, args_kwargs, status in jobs:
        batch = str(args_kwargs["kwargs"]["batch"])
        statuses.setdefault((task_path, batch), []).append(status)
    return [_progress(task_path, batch, found) for (task_path, batch), found in statuses.items()]


def _progress(task_path: str, batch: str, statuses: Iterable[str]) -> BatchProgress:
    counts = Counter(str(status) for status in statuses)
    return BatchProgress(
        task_path=task_path,
        batch=batch,
        waiting=counts[TaskResultStatus.READY],
        running=counts[TaskResultStatus.RUNNING],
        done=counts[TaskResultStatus.SUCCESSFUL],
        failed=counts[TaskResultStatus.FAILED],
    )
