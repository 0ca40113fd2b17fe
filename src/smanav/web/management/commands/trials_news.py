"""`manage.py trials_news`: tell the families near the trials an import found newly recruiting (the
records with consent to trial contact whose family chose a place, `web/trial_news.py`).

`manage.py import_trials` queues it itself (`--enqueue`) when the import found such a trial.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from smanav.web.tasks import queue_trial_news
from smanav.web.trial_news import trial_news_now


class Command(BaseCommand):
    help = "Work out the news of newly recruiting trials for the consenting families near them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue it as background jobs (run by `manage.py db_worker`) and return at once.",
        )

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        today = timezone.localdate()
        if enqueue:
            job = queue_trial_news.enqueue(on=today.isoformat())
            self.stdout.write(f"Queued the news of newly recruiting trials (job {job.id}).")
            return
        count = trial_news_now(on=today, site_url=settings.SMANAV_SITE_URL)
        self.stdout.write(f"Trial news written for records of consenting families nearby: {count}.")
