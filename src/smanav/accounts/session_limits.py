"""Idle and absolute limits on a signed-in session, shorter for accounts with powers over other
people's records (clinic staff, administrators, anyone who needs a second factor) than for families.

A session that has been idle too long, or has lasted too long since sign-in, is ended: the person is
signed out and a page sends them to sign in again, then back to where they were; the API answers as to
anyone not signed in (401). Limits come from settings (`SMANAV_*_SESSION_*`, docs/security.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from smanav.accounts.kept_forms import submission_keep
from smanav.accounts.roles import needs_second_factor

STARTED = "smanav_session_started"
LAST_SEEN = "smanav_session_last_seen"
# The last-seen time is written at most this often: a session write on every request would add a
# database write to every page.
TOUCH_SECONDS = 60


@receiver(user_logged_in)
def _session_started(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = now
        request.session[LAST_SEEN] = now


def limits_for(user: Any) -> tuple[int, int]:
    """(idle, absolute) limits in seconds for this account."""
    if needs_second_factor(user):
        return settings.SMANAV_STAFF_SESSION_IDLE_SECONDS, settings.SMANAV_STAFF_SESSION_MAX_SECONDS
    return settings.SMANAV_FAMILY_SESSION_IDLE_SECONDS, settings.SMANAV_FAMILY_SESSION_MAX_SECONDS


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = self._ended(request, user)
            if ended is not None:
                user_pk = user.pk
                logout(request)
                if not request.path.startswith("/api/"):
                    if submission_keep(request, user_pk=user_pk):
                        ended = (
                            ended
                            + " "
                            + _(
                                "What you typed has been kept: once you sign in, it is put back in the form "
                                "for you to check and send again."
                            )
                        )
                    messages.info(request, ended)
                    return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def _ended(self, request: HttpRequest, user: Any) -> str | None:
        """Why the session has ended, or None (and the session is marked as seen now)."""
        now = int(time.time())
        session = request.session
        started = session.setdefault(STARTED, now)
        last_seen = session.get(LAST_SEEN, now)
        idle, absolute = limits_for(user)
        if now - last_seen > idle:
            minutes = idle // 60
            return _(
                "You were signed out after %(minutes)d minutes without activity. Please sign in again."
            ) % {"minutes": minutes}
        if now - started > absolute:
            hours = absolute // 3600
            return _("You were signed out after %(hours)d hours. Please sign in again.") % {"hours": hours}
        if now - last_seen >= TOUCH_SECONDS or LAST_SEEN not in session:
            session[LAST_SEEN] = now
        return None
