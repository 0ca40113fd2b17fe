"""The delivery job (django-tasks; run by `manage.py db_worker`). It sends batches while messages are
due, then queues itself for the earliest retry, if any. Two copies running at once share the work."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from smanav.outbox import delivery as services

# One job sends at most this many batches, then queues a successor, so it never holds a worker for long.
BATCHES_PER_JOB = 20


def _another_waits() -> bool:
    """Whether a delivery job is queued already (every queueing adds one): one successor is enough."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=deliver_outbox.module_path, status=TaskResultStatus.READY
    ).exists()


@task()
def deliver_outbox() -> int:
    """Send what is due; answers how many messages went."""
    services.outbox_recover()
    services.outbox_prune()
    sent = 0
    for _batch in range(BATCHES_PER_JOB):
        delivery = services.outbox_deliver()
        sent += delivery.sent
        if delivery.sent + delivery.retrying + delivery.failed == 0:
            break
    due = services.next_due()
    if due is not None and not _another_waits():
        later = max(due, timezone.now() + dt.timedelta(seconds=1))
        deliver_outbox.using(run_after=later).enqueue()
    return sent
