"""`manage.py db_worker`: django-tasks' database worker, with a lease on the jobs it runs.

It replaces the command of the same name from django_tasks_db (this app comes first in INSTALLED_APPS)
and takes the same options. Before it takes its first job it queues again the jobs of dead workers;
while it runs, a heartbeat thread notes every `SMANAV_WORKER_HEARTBEAT_SECONDS` that it is alive and
every lease looks for dead workers' jobs again (ADR 0023).

A database that goes away (restarted, a network fault) does not end the worker: it closes its
connections, waits (1 s, doubling up to `MAX_WAIT_SECONDS`) and starts again under a new worker id. A job
it was running when the database went away is either marked failed (if that could still be written) or,
since the old id beats no more, queued again by the lease once it is over; jobs may run twice without
harm (docs/deployment.md, "Background jobs").
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from typing import Any

from django.db import InterfaceError, OperationalError, connection, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from smanav.jobs import services
from smanav.jobs.heartbeat import Heartbeat

logger = logging.getLogger("smanav.jobs")

MAX_WAIT_SECONDS = 30.0


def _leave(signum: int, frame: object) -> None:
    sys.exit(0)


class Command(DatabaseWorkerCommand):
    help = "Run the background jobs queued in the database, with a lease: a dead worker's job runs again."

    def handle(self, *args: Any, **options: Any) -> None:
        wait = 1.0
        while True:
            began = time.monotonic()
            try:
                self._work(*args, **options)
                return
            except (OperationalError, InterfaceError) as error:
                if time.monotonic() - began > MAX_WAIT_SECONDS * 2:
                    wait = 1.0  # it had been working: a new outage starts with a short wait
                reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                message = (
                    f"Worker {options['worker_id']}: the database cannot be reached ({reason}); "
                    f"trying again in {wait:.0f} s"
                )
                logger.warning(message)
                self.stderr.write(message)
            connections.close_all()
            # While it waits the worker holds no job: a stop signal ends it at once.
            for stop in (signal.SIGINT, signal.SIGTERM):
                signal.signal(stop, _leave)
            time.sleep(wait)
            wait = min(wait * 2, MAX_WAIT_SECONDS)
            # A new id: the old one stops beating, so a job it held is found by the lease.
            options = {**options, "worker_id": get_random_string(32)}

    def _work(self, *args: Any, **options: Any) -> None:
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
