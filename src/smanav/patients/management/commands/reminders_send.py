"""`manage.py reminders_send`: queue today's reminders of what is due, for the background worker.

Run daily (docs/deployment.md). The job (`patients.tasks.send_due_reminders`, run by `manage.py
db_worker`) sends at most one email per account and day, so running this twice is harmless. `--now`
queues and sends what is due in the outbox in this process instead.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from smanav.outbox.delivery import outbox_flush
from smanav.patients.services.reminders import reminders_send
from smanav.patients.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Email every account that turned reminders on what is due on its records (queued as a job)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--now", action="store_true", help="Send in this process instead of queueing.")

    def handle(self, *args: Any, now: bool = False, **options: Any) -> None:
        today = timezone.localdate()
        if now:
            count = reminders_send(as_of=today, site_url=settings.SMANAV_SITE_URL)
            delivery = outbox_flush()
            self.stdout.write(
                f"Queued {count} reminder emails for {today.isoformat()}; sent {delivery.sent} emails now."
            )
            return
        job = send_due_reminders.enqueue(as_of=today.isoformat())
        self.stdout.write(f"Queued the reminders for {today.isoformat()} (job {job.id}).")
