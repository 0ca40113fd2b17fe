"""`manage.py db_worker`: django-tasks' database worker, with a lease on the jobs it runs.

It replaces the command of the same name from django_tasks_db (this app comes first in INSTALLED_APPS)
and takes the same options. Before it takes its first job it queues again the jobs of dead workers;
while it runs, a heartbeat thread notes every `SMANAV_WORKER_HEARTBEAT_SECONDS` that it is alive and
every lease looks for dead workers' jobs again (ADR 0023).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from smanav.jobs import services
from smanav.jobs.heartbeat import Heartbeat


class Command(DatabaseWorkerCommand):
    help = "Run the background jobs queued in the database, with a lease: a dead worker's job runs again."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id: str = options["worker_id"]
        started_at = timezone.now()
        services.worker_beat(worker_id=worker_id, started_at=started_at)
        recovered = services.lost_jobs_recover()
        if recovered.requeued or recovered.failed:
            self.stdout.write(
                f"Jobs of dead workers: {recovered.requeued} queued again, {recovered.failed} failed."
            )
        # An in-memory SQLite database (the tests) is one connection shared by every thread: no thread.
        heartbeat = None
        in_memory = getattr(connection, "is_in_memory_db", None)
        if not (connection.vendor == "sqlite" and callable(in_memory) and in_memory()):
            heartbeat = Heartbeat(worker_id=worker_id, started_at=started_at)
            heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            if heartbeat is not None:
                heartbeat.stop()
            services.worker_stopped(worker_id=worker_id)
