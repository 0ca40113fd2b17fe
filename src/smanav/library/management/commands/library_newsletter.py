"""`manage.py library_newsletter`: queue the newsletter digests that are due now (or `--enqueue` the job);
the outbox's worker sends them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from smanav.library.newsletter import newsletter_digests_queue
from smanav.library.tasks import send_newsletter_digests


class Command(BaseCommand):
    help = "Queue the library newsletter's digests that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="queue the job for the worker instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            send_newsletter_digests.enqueue()
            self.stdout.write("queued the newsletter job")
            return
        queued = newsletter_digests_queue(now=timezone.now(), today=timezone.localdate())
        self.stdout.write(f"queued {queued} newsletter digest(s)")
