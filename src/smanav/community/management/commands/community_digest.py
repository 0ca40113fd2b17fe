"""Send the community's weekly digest: `manage.py community_digest` (queued in the outbox and sent now,
in this process) or `manage.py community_digest --enqueue` (as a job for the worker, which queues them
and lets the outbox's delivery job send them). Run it once a week, on Monday morning: it covers the
seven days before that Monday, and a second run that week sends nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from smanav.community.notices.digests import digests_send
from smanav.community.tasks import send_weekly_digests
from smanav.outbox.delivery import outbox_flush


class Command(BaseCommand):
    help = "Send the community's weekly digest of the week before this one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="queue it as a job for the worker")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="the day to send for (ISO date)")

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date = options["today"] or timezone.localdate()
        if options["enqueue"]:
            result = send_weekly_digests.enqueue(today=today.isoformat())
            self.stdout.write(f"Queued the weekly digest (job {result.id}).")
            return
        queued = digests_send(today=today)
        delivery = outbox_flush()
        self.stdout.write(f"Queued {queued} weekly digest e-mail(s); sent {delivery.sent} e-mail(s) now.")
