"""`manage.py outbox_send`: send the e-mail that is due now (the worker does it on its own; this is for a
look by hand), and say how many went, wait for a retry or failed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from smanav.outbox.models import MessageState, OutgoingMessage
from smanav.outbox.services import outbox_deliver, outbox_recover


class Command(BaseCommand):
    help = "Send the queued e-mail that is due, in batches, and show what waits."

    def handle(self, *args: Any, **options: Any) -> None:
        lost = outbox_recover()
        sent = retrying = failed = 0
        while True:
            delivery = outbox_deliver()
            sent, retrying, failed = (
                sent + delivery.sent,
                retrying + delivery.retrying,
                failed + delivery.failed,
            )
            if delivery.sent + delivery.retrying + delivery.failed == 0:
                break
        waiting = OutgoingMessage.objects.filter(state=MessageState.QUEUED).count()
        self.stdout.write(
            f"sent {sent}, to try again {retrying}, failed {failed + lost}; queued now {waiting}"
        )
