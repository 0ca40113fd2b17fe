"""Every e-mail smanav sends: one row per message and recipient, from queued to sent or failed.

A message is written in the transaction of what caused it (a digest, a record's news, a newsletter
confirmation) and sent later by a background job (`services.outbox_deliver`), so no request waits for the
mail server and nothing is lost if it is down. How a message is kept from going twice: ADR 0024.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class MessageState(models.TextChoices):
    QUEUED = "queued", "queued"
    # Claimed by a worker, handed to the mail server or about to be. A message left here by a worker that
    # died is never sent again on its own (it may have gone): it is marked failed, with that reason.
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"


class OutgoingMessage(models.Model):
    # What made the message, unique: a job that runs twice finds the row and queues nothing more.
    key = models.CharField(max_length=200, unique=True)
    # What kind of notice it is ("newsletter.digest", "records.news", ...), for the logs and the counts.
    kind = models.CharField(max_length=60)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True, default="")
    # Extra headers (List-Unsubscribe and List-Unsubscribe-Post of RFC 8058).
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=MessageState.choices, default=MessageState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # Not sent before this time: the back-off after a failed attempt.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}: {self.state}"
