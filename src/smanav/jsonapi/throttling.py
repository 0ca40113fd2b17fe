"""Throttles on the anonymous API (evaluate, triage, services search, trial matching): each caller
address may make so many requests of one kind per window (`SMANAV_API_RATE`, default 60 a minute);
beyond that the answer is 429 with `Retry-After`, the seconds until the window ends.

The count is kept in the database (`ThrottleWindow`), not in the process, so that several app servers
behind one proxy share it. A fixed window is counted with one atomic UPDATE (or an INSERT for the
window's first request), which both SQLite and PostgreSQL apply without a lost increment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from smanav.jsonapi.errors import ApiError
from smanav.jsonapi.models import ThrottleWindow


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """`60/minute`, `1000/hour`, `5/second`, `100/day`."""
        count, _, period = text.partition("/")
        seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[period.strip()]
        return cls(int(count), seconds)


class Throttled(ApiError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__([(None, f"too many requests from your address: try again in {retry_after} seconds")])


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or, behind `SMANAV_PROXY_COUNT` reverse proxies of our own,
    the address the nearest of them saw (the proxies append to X-Forwarded-For; what the client wrote
    there itself comes first and is not trusted)."""
    proxies: int = settings.SMANAV_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def throttle_hit(*, key: str, rate: Rate, now: float | None = None) -> int | None:
    """Count one request under `key`; None if it is allowed, else the seconds until it would be."""
    moment = time.time() if now is None else now
    window = int(moment // rate.seconds)
    counted = ThrottleWindow.objects.filter(key=key, window=window).update(hits=F("hits") + 1)
    if not counted:
        try:
            with transaction.atomic():
                ThrottleWindow.objects.create(key=key, window=window, hits=1)
        except IntegrityError:  # another process made the window's row first
            ThrottleWindow.objects.filter(key=key, window=window).update(hits=F("hits") + 1)
        # The first request of a window clears windows that are over, for every key.
        ThrottleWindow.objects.filter(window__lt=window - 1, key__startswith=key.split(":", 1)[0]).delete()
    hits = ThrottleWindow.objects.filter(key=key, window=window).values_list("hits", flat=True).first()
    if hits is not None and hits > rate.requests:
        return max(1, int((window + 1) * rate.seconds - moment + 0.999))
    return None


def throttle(request: HttpRequest, scope: str) -> None:
    """Count this request under `scope` and the caller's address; beyond the rate, 429 (`Throttled`)
    with the seconds to wait. Called first in each throttled API view."""
    rate = Rate.parse(settings.SMANAV_API_RATE)
    retry_after = throttle_hit(key=f"{scope}:{client_address(request)}", rate=rate)
    if retry_after is not None:
        raise Throttled(retry_after)
