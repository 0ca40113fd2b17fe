"""Reading a member's notifications: the inbox, newest first, and how many are unread."""

from __future__ import annotations

from django.db.models import QuerySet

from smanav.community.models import Member, Notification, NotificationKind

INBOX_PAGE = 30


def notifications_unread_count(*, member: Member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def _shown(member: Member) -> QuerySet[Notification]:
    # Notifications made only for an e-mail or the digest are created read and never shown here:
    # the inbox is what the member chose to see on the site (their `read_at` is set at creation, and
    # they carry no kind of their own, so the inbox shows every notification except the digest's).
    return Notification.objects.filter(recipient=member).exclude(kind=NotificationKind.DIGEST)


def notifications_page(
    *, member: Member, before_id: int | None = None
) -> tuple[list[Notification], int | None]:
    """One page of the member's inbox, newest first, starting after `before_id` (keyset: the page costs
    the same however many notifications there are). Answers the page and the id to continue from."""
    shown = _shown(member).select_related("actor", "post")
    if before_id is not None:
        shown = shown.filter(pk__lt=before_id)
    page = list(shown.order_by("-id")[: INBOX_PAGE + 1])
    more = page[INBOX_PAGE - 1].pk if len(page) > INBOX_PAGE else None
    return page[:INBOX_PAGE], more


def notification_of(*, member: Member, notification_id: int) -> Notification | None:
    """The member's own notification, or None (someone else's answers the same as a missing one)."""
    return _shown(member).filter(pk=notification_id).select_related("post").first()
