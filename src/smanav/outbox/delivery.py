"""Sending the outbox: claim a batch of due messages, send them over one connection, record each
outcome; back-off, recovery of messages a dead worker left `sending`. The rules: ADR 0024 and
`services.py`."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from smanav.outbox.models import MessageState, OutgoingMessage

logger = logging.getLogger("smanav.outbox")

LONGEST_BACK_OFF = dt.timedelta(hours=6)


def back_off(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: one minute, doubled each time."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), LONGEST_BACK_OFF)


def message_id(row: OutgoingMessage) -> str:
    """The same Message-ID for every attempt of a message, so that a repeat can be recognised."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<smanav.{row.pk}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"


def email_of(row: OutgoingMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        to=[row.to],
        headers={**row.headers, "Message-ID": message_id(row)},
    )
    if row.body_html:
        email.attach_alternative(row.body_html, "text/html")
    return email


@dataclass(frozen=True, slots=True)
class Delivery:
    sent: int
    retrying: int
    failed: int


def _claim(*, now: dt.datetime, batch: int) -> list[OutgoingMessage]:
    with transaction.atomic():
        due = (
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(state=MessageState.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        ids = list(due)
        OutgoingMessage.objects.filter(pk__in=ids, state=MessageState.QUEUED).update(
            state=MessageState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        return list(OutgoingMessage.objects.filter(pk__in=ids, state=MessageState.SENDING, claimed_at=now))


def _failed(row: OutgoingMessage, error: BaseException, now: dt.datetime) -> bool:
    """Record a failed attempt; answers whether the message will be tried again."""
    text = f"{type(error).__name__}: {error}"[:1000]
    again = row.attempts < settings.SMANAV_OUTBOX_MAX_ATTEMPTS
    OutgoingMessage.objects.filter(pk=row.pk, state=MessageState.SENDING).update(
        state=MessageState.QUEUED if again else MessageState.FAILED,
        last_error=text,
        next_attempt_at=now + back_off(row.attempts),
        claimed_at=None,
    )
    logger.warning("E-mail %s (%s), attempt %s: %s", row.pk, row.kind, row.attempts, text)
    return again


def outbox_deliver(*, now: dt.datetime | None = None, batch: int | None = None) -> Delivery:
    """Send one batch of the messages that are due. Safe to run by several workers at once."""
    at = now or timezone.now()
    rows = _claim(now=at, batch=batch or settings.SMANAV_OUTBOX_BATCH)
    sent = retrying = failed = 0
    if not rows:
        return Delivery(0, 0, 0)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # the server is unreachable: every claimed message waits
        for row in rows:
            if _failed(row, error, at):
                retrying += 1
            else:
                failed += 1
        return Delivery(sent, retrying, failed)
    try:
        for row in rows:
            try:
                email = email_of(row)
                email.connection = connection
                email.send()
            except Exception as error:
                if _failed(row, error, at):
                    retrying += 1
                else:
                    failed += 1
                continue
            OutgoingMessage.objects.filter(pk=row.pk, state=MessageState.SENDING).update(
                state=MessageState.SENT, sent_at=timezone.now(), last_error=""
            )
            sent += 1
    finally:
        connection.close()
    return Delivery(sent, retrying, failed)


def next_due() -> dt.datetime | None:
    """When the earliest queued message is due, or None when none waits."""
    found: dt.datetime | None = OutgoingMessage.objects.filter(state=MessageState.QUEUED).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    return found


def outbox_recover(*, now: dt.datetime | None = None) -> int:
    """Mark failed the messages a worker claimed and never finished (it died): they may have gone, so
    they are not sent again. Answers how many."""
    at = now or timezone.now()
    cutoff = at - dt.timedelta(seconds=settings.SMANAV_WORKER_LEASE_SECONDS)
    return OutgoingMessage.objects.filter(state=MessageState.SENDING, claimed_at__lt=cutoff).update(
        state=MessageState.FAILED,
        last_error="The worker stopped while sending: the message may have been sent; not tried again.",
    )


def outbox_flush() -> Delivery:
    """Send every message that is due now, batch after batch, in this process (a command's `--now`)."""
    sent = retrying = failed = 0
    while True:
        delivery = outbox_deliver()
        sent, retrying, failed = sent + delivery.sent, retrying + delivery.retrying, failed + delivery.failed
        if delivery.sent + delivery.retrying + delivery.failed == 0:
            return Delivery(sent, retrying, failed)


# Sent and failed messages are kept this long (what was sent to whom, for questions), then removed. Their
# keys are never made again after so long (a day's reminder, a digest's period, the last news told).
KEPT = dt.timedelta(days=30)


def outbox_prune(*, now: dt.datetime | None = None) -> int:
    """Remove the messages sent or failed more than `KEPT` ago; answers how many."""
    cutoff = (now or timezone.now()) - KEPT
    removed, _by_model = OutgoingMessage.objects.filter(
        state__in=[MessageState.SENT, MessageState.FAILED], created_at__lt=cutoff
    ).delete()
    return removed
