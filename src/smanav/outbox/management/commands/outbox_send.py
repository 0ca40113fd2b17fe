"""`manage.py outbox_send`: send the e-mail that is due now (the worker does it on its own; this is for a
look by hand), and say how many went, wait for a retry or failed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from smanav.outbox.delivery import outbox_flush, outbox_recover
from smanav.outbox.models import MessageState, OutgoingMessage


class Command(BaseCommand):
    help = "Send the queued e-mail that is due, in batches, and show what waits."

    def handle(self, *args: Any, **options: Any) -> None:
        lost = outbox_recover()
        delivery = outbox_flush()
        waiting = OutgoingMessage.objects.filter(state=MessageState.QUEUED).count()
        self.stdout.write(
            f"sent {delivery.sent}, to try again {delivery.retrying}, failed {delivery.failed + lost}; "
            f"queued now {waiting}"
        )
