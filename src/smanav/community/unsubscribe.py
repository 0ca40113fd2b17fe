"""The signed link in every community e-mail that stops that kind of e-mail, without signing in
(RFC 8058's one-click unsubscribe, and a page with one button for a person who follows the link).

Like the accounts' links (ADR 0013) the link is signed with the site's secret key and a salt of its own,
and nothing is stored. Unlike them it does not expire: it can only ever turn e-mails off, and an e-mail
read months later must still be able to stop the next one. Changing the secret key voids it, as it voids
every link sent.
"""

from __future__ import annotations

from django.core import signing

from smanav.community.models import NotificationKind

SALT = "smanav.community.unsubscribe"


def unsubscribe_token(*, member_id: int, kind: str) -> str:
    return signing.dumps({"m": member_id, "k": kind}, salt=SALT, compress=True)


def unsubscribe_payload(token: str) -> tuple[int, str] | None:
    """The member and kind a link was made for, or None if this site did not make it."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    member_id, kind = payload.get("m"), payload.get("k")
    if not isinstance(member_id, int) or kind not in NotificationKind.values:
        return None
    return member_id, kind
