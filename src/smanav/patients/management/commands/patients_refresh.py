"""`manage.py patients_refresh`: re-evaluate every record's worklist summary for today.

Run nightly (docs/deployment.md): overdue items depend on the date as well as on the record. With
`--enqueue` the refresh is queued for the background worker (`manage.py db_worker`) instead of running
in this process.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from smanav.patients.services.news_mail import news_emails_send
from smanav.patients.services.summaries import all_summaries_refresh
from smanav.patients.tasks import refresh_all_summaries


class Command(BaseCommand):
    help = "Refresh the stored evaluation summary of every patient record for today."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the refresh as a background job (run by `manage.py db_worker`) and return at once.",
        )

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        today = timezone.localdate()
        if enqueue:
            job = refresh_all_summaries.enqueue(as_of=today.isoformat())
            self.stdout.write(
                f"Queued the refresh of every patient summary for {today.isoformat()} (job {job.id})."
            )
            return
        count = all_summaries_refresh(as_of=today)
        emails = news_emails_send(site_url=settings.SMANAV_SITE_URL)
        self.stdout.write(
            f"Refreshed {count} patient summaries for {today.isoformat()}. "
            f"Emails that something changed for a record, queued for the worker: {emails}."
        )
