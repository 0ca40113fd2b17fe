"""Signed, time-limited links sent by email: confirm an address at sign-up, confirm a new address,
accept an invitation to care for a record.

A link carries a small signed payload (Django's `signing`, keyed by the site's secret key, one salt per
purpose so a link made for one purpose is refused for another) and the time it was made. Nothing is
stored until the link is used; each use checks that what the link was made for still holds, which makes
it single-use (an address already taken, an email already changed, an invitation already accepted).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.core import signing


class LinkPurpose(StrEnum):
    SIGNUP = "smanav.accounts.signup"
    EMAIL_CHANGE = "smanav.accounts.email-change"
    CARER_INVITATION = "smanav.patients.carer-invitation"


# How long a link may be used after it was sent.
LINK_MAX_AGE = {
    LinkPurpose.SIGNUP: dt.timedelta(days=3),
    LinkPurpose.EMAIL_CHANGE: dt.timedelta(days=1),
    LinkPurpose.CARER_INVITATION: dt.timedelta(days=14),
}


def link_token(purpose: LinkPurpose, payload: dict[str, Any]) -> str:
    return signing.dumps(payload, salt=purpose.value, compress=True)


def link_payload(purpose: LinkPurpose, token: str) -> dict[str, Any] | None:
    """What a link says, if it was made by this site for `purpose` and has not expired; otherwise None
    (tampered, made for another purpose, or too old: the page says to ask for a new one)."""
    try:
        payload = signing.loads(token, salt=purpose.value, max_age=LINK_MAX_AGE[purpose])
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return payload if isinstance(payload, dict) else None
