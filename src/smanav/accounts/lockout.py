"""Lockout after wrong passwords, per account and per address (django-axes, with our own count).

Each failure is recorded by django-axes under the account name and the address together. It is then
counted two ways: failures on this account from anywhere (`AXES_FAILURE_LIMIT`, default 5: guessing one
person's password), and failures from this address on any account (`SMANAV_ADDRESS_FAILURE_LIMIT`,
default 50: trying many accounts). Before, the address alone counted at 5, so five mistyped passwords
behind a clinic's one address locked every account there. A successful sign-in clears only that
account's failures from that address, so signing into one's own account does not reset the count of
an address that is trying others.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def _failures(**match: Any) -> int:
    total = AccessAttempt.objects.filter(**match).aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


class AccountAndAddressHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        since = get_cool_off_threshold(request)
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        by_account = _failures(username=username, attempt_time__gte=since) if username else 0
        by_address = _failures(ip_address=address, attempt_time__gte=since) if address else 0
        if by_address >= settings.SMANAV_ADDRESS_FAILURE_LIMIT:
            # axes compares one number with AXES_FAILURE_LIMIT: answer "locked" for the address.
            return max(by_account, int(settings.AXES_FAILURE_LIMIT))
        return by_account
