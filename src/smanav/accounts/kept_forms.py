"""Nothing a person types is lost when their session ends as they send a form.

When the session limits (`session_limits.py`) end a session at a form's submission, what the person
typed is kept in the new, signed-out session, with the account it belongs to. After they sign in again
as the same account, the first page they open at the form's address gets it back (`kept_form` in the
template context); `static/js/kept-form.js` puts it back in the form and the page says so. A different
account signing in on the same browser gets nothing, and the kept copy is forgotten.

Passwords, one-time codes, tokens and files are never kept. The copy lives in the server-side session
only (never in the browser's storage) and for at most `KEEP_SECONDS`.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "smanav_kept_form"
KEEP_SECONDS = 24 * 3600
# Most a kept form may hold: a long note fits, a pasted book does not.
MAX_CHARACTERS = 100_000
_NEVER_KEPT = ("password", "csrfmiddlewaretoken", "otp", "token", "recovery", "form_key", "submission_key")


def _keepable(name: str) -> bool:
    lowered = name.lower()
    return not any(word in lowered for word in _NEVER_KEPT)


def submission_keep(request: HttpRequest, *, user_pk: Any) -> bool:
    """Keep what was sent with `request` (a POST of a form) for `user_pk`. Call after signing out (the
    session is new). Answers whether anything was kept."""
    if request.method != "POST":
        return False
    fields: list[list[str]] = []
    size = 0
    for name, values in request.POST.lists():
        if not _keepable(name):
            continue
        for value in values:
            size += len(name) + len(value)
            fields.append([name, value])
    if not fields or size > MAX_CHARACTERS:
        return False
    request.session[SESSION_KEY] = {
        "user": str(user_pk),
        "path": request.path,
        "fields": fields,
        "at": int(time.time()),
    }
    return True


def kept_form(request: Any) -> dict[str, Any]:
    """Template context: `kept_form`, the fields typed before the session ended, on the page where they
    were typed, for the account that typed them (once; then forgotten)."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.method != "GET":
        return {}
    kept = session.get(SESSION_KEY) or {}
    stale = int(time.time()) - int(kept.get("at", 0)) > KEEP_SECONDS
    if stale or kept.get("user") != str(user.pk):
        del session[SESSION_KEY]
        return {}
    if kept.get("path") != request.path:
        return {}
    del session[SESSION_KEY]
    return {"kept_form": kept["fields"]}
