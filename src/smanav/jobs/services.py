"""Leases of background jobs: heartbeats of live workers, and the recovery of jobs whose worker died.

Every smanav job may run twice, or late, without harm (docs/deployment.md, "Background jobs"), so a job
whose worker is gone is simply queued again, up to `SMANAV_JOB_MAX_ATTEMPTS` runs in all; after that
it is marked failed with the reason, where `manage.py jobs_status` and the logs show it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from smanav.jobs.models import WorkerHeartbeat

logger = logging.getLogger("smanav.jobs")

# What a job failed with when its last worker died and it had no attempt left.
LOST_EXCEPTION = "smanav.jobs.WorkerLost"


@dataclass(frozen=True, slots=True)
class Recovery:
    requeued: int
    failed: int


def lease() -> dt.timedelta:
    """How long a worker may go without a heartbeat before it is taken for dead."""
    return dt.timedelta(seconds=settings.SMANAV_WORKER_LEASE_SECONDS)


def worker_beat(*, worker_id: str, started_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """Note that this worker is alive (now)."""
    at = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=at)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:200],
                "pid": os.getpid(),
                "started_at": started_at,
                "beat_at": at,
            },
        )


def worker_stopped(*, worker_id: str) -> None:
    """A worker that exits in good order forgets its row: it holds no job any more."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@transaction.atomic
def lost_jobs_recover(*, now: dt.datetime | None = None) -> Recovery:
    """Queue again every RUNNING job whose worker has not beaten within the lease (or never did), and
    mark failed those that have had their attempts. Safe to run by several workers at once: each job is
    changed only while it is still RUNNING with the same worker."""
    at = now or timezone.now()
    cutoff = at - lease()
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    # A job claimed within the lease may belong to a worker that has not beaten yet: leave it.
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    requeued = failed = 0
    for job in running.select_for_update(skip_locked=True).only("id", "worker_ids", "task_path"):
        last_worker = job.worker_ids[-1] if job.worker_ids else ""
        if last_worker in alive:
            continue
        still = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING)
        if len(job.worker_ids) >= settings.SMANAV_JOB_MAX_ATTEMPTS:
            changed = still.update(
                status=TaskResultStatus.FAILED,
                finished_at=at,
                exception_class_path=LOST_EXCEPTION,
                traceback=(
                    f"The worker running this job ({last_worker}) stopped without finishing it, "
                    f"{len(job.worker_ids)} times in all; not tried again."
                ),
            )
            failed += changed
            if changed:
                logger.warning("Job %s (%s): its worker died; no attempt left, failed", job.pk, job.task_path)
        else:
            changed = still.update(status=TaskResultStatus.READY, started_at=None)
            requeued += changed
            if changed:
                logger.warning(
                    "Job %s (%s): its worker %s died; queued again", job.pk, job.task_path, last_worker
                )
    # Rows of workers long gone (killed, so they never said goodbye) are forgotten after a day.
    WorkerHeartbeat.objects.filter(beat_at__lt=at - dt.timedelta(days=1)).delete()
    return Recovery(requeued=requeued, failed=failed)
