"""Reading a member's notifications: the inbox, newest first, and how many are unread."""

from __future__ import annotations

from django.db.models import QuerySet

from smanav.community.models import FollowKind, Member, MemberLink, Notification, NotificationKind, Status

INBOX_PAGE = 30


NOT_SHOWN = [Status.PENDING, Status.HIDDEN, Status.REMOVED]


def notifications_unread_count(*, member: Member) -> int:
    return _shown(member).filter(read_at__isnull=True).count()


def _shown(member: Member) -> QuerySet[Notification]:
    """The member's notifications that may still be shown: not about a post or comment that was hidden
    or removed since, nor by a member blocked since (either way) or muted."""
    blocked = MemberLink.objects.filter(member=member, kind__in=[FollowKind.BLOCK, FollowKind.MUTE]).values(
        "other"
    )
    blockers = MemberLink.objects.filter(other=member, kind=FollowKind.BLOCK).values("member")
    return (
        Notification.objects.filter(recipient=member)
        .exclude(kind=NotificationKind.DIGEST)
        .exclude(post__status__in=NOT_SHOWN)
        .exclude(comment__status__in=NOT_SHOWN)
        .exclude(actor__in=blocked)
        .exclude(actor__in=blockers)
    )


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
