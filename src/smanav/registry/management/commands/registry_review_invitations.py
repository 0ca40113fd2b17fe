"""`manage.py registry_review_invitations`: queue today's invitations to review registry data and
consents, for the background worker (`--now`: send in this process). Run it daily (docs/deployment.md);
a participant is invited once for each due date, so a second run the same day sends nothing."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from smanav.registry.invitations import review_invitations_send
from smanav.registry.tasks import send_review_invitations


class Command(BaseCommand):
    help = "Invite registry participants whose review of their data and consents is due (queued as a job)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--now", action="store_true", help="Send in this process instead of queueing.")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="the day to send for (ISO date)")

    def handle(self, *args: Any, now: bool = False, **options: Any) -> None:
        today: dt.date = options["today"] or timezone.localdate()
        if now:
            count = review_invitations_send(on=today, site_url=settings.SMANAV_SITE_URL)
            self.stdout.write(f"Invited {count} registry participant(s) to review for {today.isoformat()}.")
            return
        job = send_review_invitations.enqueue(today=today.isoformat())
        self.stdout.write(f"Queued the registry review invitations for {today.isoformat()} (job {job.id}).")
