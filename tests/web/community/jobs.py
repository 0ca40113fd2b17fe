"""Running the community's queued jobs inside a test's transaction.

`deliver()` runs each queued job as the worker would (claim, run, record the result) without leaving the
test's transaction; the real worker (`manage.py db_worker`, which closes its database connection when
it is done) runs in the tests marked `django_db(transaction=True)` with `tests.web.background.run_worker`.
"""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult


def deliver() -> None:
    """Every queued job, and those they queue (a notification's job queues the outbox's delivery)."""
    while jobs := list(DBTaskResult.objects.ready().order_by("enqueued_at")):
        for job in jobs:
            job.claim("test")
            arguments = job.args_kwargs
            job.set_successful(job.task.call(*arguments["args"], **arguments["kwargs"]))
