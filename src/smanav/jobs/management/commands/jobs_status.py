"""`manage.py jobs_status [--recover]`: the live workers, the jobs running and waiting, the progress of
the batches queued in the last day (how many of their jobs are done), and the failed jobs of the last
week; with `--recover`, queue again the jobs of dead workers at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from smanav.jobs import services
from smanav.jobs.batches import batches_since
from smanav.jobs.models import WorkerHeartbeat


class Command(BaseCommand):
    help = "Show the background workers and jobs; --recover queues again the jobs of dead workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recover", action="store_true", help="Queue again the jobs of dead workers now."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["recover"]:
            recovered = services.lost_jobs_recover(now=now)
            self.stdout.write(
                f"Jobs of dead workers: {recovered.requeued} queued again, {recovered.failed} failed."
            )
        cutoff = now - services.lease()
        for beat in WorkerHeartbeat.objects.order_by("started_at"):
            state = "alive" if beat.beat_at >= cutoff else "not heard from (taken for dead)"
            self.stdout.write(f"worker {beat.worker_id} on {beat.hostname}, pid {beat.pid}: {state}")
        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
        self.stdout.write(f"Jobs waiting: {waiting}")
        for job in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).order_by("started_at"):
            self.stdout.write(f"running since {job.started_at:%Y-%m-%d %H:%M:%S}: {job.task_path} ({job.pk})")
        # The progress of batches (the nightly refresh, split into ranges that any worker takes).
        for progress in batches_since(now - dt.timedelta(days=1)):
            self.stdout.write(str(progress))
        week_ago = now - dt.timedelta(days=7)
        for job in DBTaskResult.objects.failed().filter(finished_at__gte=week_ago).order_by("-finished_at"):
            self.stdout.write(
                f"failed {job.finished_at:%Y-%m-%d %H:%M}: {job.task_path} ({job.exception_class_path})"
            )
