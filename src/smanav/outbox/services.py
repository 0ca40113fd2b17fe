"""Queueing e-mail and sending it from the job queue in batches, with retries and never twice.

`message_queue` writes a message (or several) in the caller's transaction and queues one delivery job.
`delivery.outbox_deliver` (the job `tasks.deliver_outbox`, or `manage.py outbox_send`) claims a batch of due
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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from smanav.outbox.models import OutgoingMessage
from smanav.outbox.tasks import deliver_outbox


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
    context: Mapping[str, object],
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
