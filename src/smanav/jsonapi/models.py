"""The counters of the anonymous API's throttles (`throttling.py`): one row per caller, kind of request
and window of time. They live in the database because every app server must see the same count."""

from __future__ import annotations

from django.db import models


class ThrottleWindow(models.Model):
    # "<scope>:<address>", e.g. "evaluate:203.0.113.7"; an IPv6 address and a scope fit well within.
    key = models.CharField(max_length=100)
    # Which window: whole seconds since the epoch divided by the window's length.
    window = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="throttle_window_unique")]
        indexes = [models.Index(fields=["window"], name="throttle_window_age")]

    def __str__(self) -> str:
        return f"{self.key} #{self.window}: {self.hits}"
