"""Queueing e-mail and sending it from the job queue in batches, with retries and never twice.

`message_queue` writes a message (or several) in the caller's transaction and queues one delivery job.
`outbox_deliver` (the job `tasks.deliver_outbox`, or `manage.py outbox_send`) claims a batch of due
messages, sends them over one connection and records each outcome:

* claimed: in one transaction the batch is locked (skip-locked, so two workers take different rows) and
  marked `sending`, with its attempt counted. Only a `queued` row can be claimed.
* sent: the mail server accepted it; marked `sent` at once, row by row.
* refused or unreachable: back to `queued` with the error and a back-off (1, 2, 4... minutes, at most
  six hours), until `SMANAV_OUTBOX_MAX_ATTEMPTS`; then `failed`.

The window: a worker that dies after the server accepted a message and before the row says `sent`
leaves it `sending`. Such a row is never sent again on its own: after the lease it is marked `failed`
("may have been sent") by `outbox_recover`. So a crash can lose a message but never send one twice,
unless the server accepted a message and the connection broke before its answer reached us, which SMTP
cannot tell apart from a refusal; the stable Message-ID then lets the receiving side see the repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Min
from django.template.loader import render_to_string
from django.utils import timezone

from smanav.outbox.models import MessageState, OutgoingMessage

logger = logging.getLogger("smanav.outbox")

LONGEST_BACK_OFF = dt.timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class Message:
    """One e-mail to one address, before it is queued. `key` names what made it, uniquely: queueing the
    same key twice queues it once."""

    key: str
    kind: str
    to: str
    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def rendered(
    *,
    key: str,
    kind: str,
    to: str,
    template: str,
    context: dict[str, object],
    headers: dict[str, str] | None = None,
) -> Message:
    """A message from the templates `<template>_subject.txt`, `<template>.txt` and `<template>.html`.
    The subject is one line; the HTML extends `outbox/email.html` (accessible, no images, no tracking)."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    return Message(
        key=key,
        kind=kind,
        to=to,
        subject=subject[:200],
        text=render_to_string(f"{template}.txt", context),
        html=render_to_string(f"{template}.html", {**context, "subject": subject}),
        headers=headers or {},
    )


def unsubscribe_headers(link: str) -> dict[str, str]:
    """RFC 8058's one-click unsubscribe: a mail program may POST `List-Unsubscribe=One-Click` to `link`."""
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def messages_queue(messages: Iterable[Message], *, now: dt.datetime | None = None) -> int:
    """Queue the messages (those whose key is already queued or sent are left alone) and one delivery
    job, in the caller's transaction. Answers how many were new."""
    from smanav.outbox.tasks import deliver_outbox

    at = now or timezone.now()
    rows = [
        OutgoingMessage(
            key=message.key[:200],
            kind=message.kind[:60],
            to=message.to,
            subject=message.subject[:200],
            body_text=message.text,
            body_html=message.html,
            headers=message.headers,
            created_at=at,
            next_attempt_at=at,
        )
        for message in messages
    ]
    if not rows:
        return 0
    with transaction.atomic():
        known = set(
            OutgoingMessage.objects.filter(key__in=[row.key for row in rows]).values_list("key", flat=True)
        )
        fresh: dict[str, OutgoingMessage] = {}
        for row in rows:
            if row.key not in known:
                fresh.setdefault(row.key, row)
        OutgoingMessage.objects.bulk_create(fresh.values(), batch_size=1000, ignore_conflicts=True)
        if fresh:
            deliver_outbox.enqueue()
    return len(fresh)


def message_queue(message: Message, *, now: dt.datetime | None = None) -> bool:
    """Queue one message; answers whether it was new."""
    return messages_queue([message], now=now) == 1


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
