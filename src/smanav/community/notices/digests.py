"""The weekly digest: one e-mail per member and week of what happened in the topics they follow and to
what they wrote, for members who keep it on (`NotificationKind.DIGEST`, on by default).

It lists new posts in followed topics (titles, linked; never from a member one blocks or is blocked by,
nor muted ones) and counts the replies and reactions to the member's own posts, with the notifications
the member chose to have in the digest. Its subject names nothing. A digest is recorded per member and
week (`Digest`), written in the transaction that queues the e-mail in the outbox (`smanav.outbox`), so
the job can run twice or late and each week's digest is sent once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from smanav.community.models import (
    Comment,
    Digest,
    FollowKind,
    Member,
    MemberLink,
    Notification,
    NotificationKind,
    NotificationPreference,
    Post,
    Reaction,
    Status,
)
from smanav.community.notices.delivery import (
    DEFAULTS,
    choice_for,
    email_message,
    post_path,
    site_url,
    unsubscribe_url,
    week_start,
)
from smanav.outbox.services import message_queue

# At most this many new posts of followed topics are listed; the digest says how many more there were.
POSTS_LISTED = 10


@dataclass(frozen=True)
class DigestContent:
    topic_posts: list[Post]
    more_topic_posts: int
    replies_to_mine: int
    reactions_to_mine: int
    notices: list[Notification]

    @property
    def empty(self) -> bool:
        return not (self.topic_posts or self.replies_to_mine or self.reactions_to_mine or self.notices)


def _not_heard(member: Member) -> Q:
    """Authors the member hears nothing of: blocked either way, or muted by the member."""
    mine = MemberLink.objects.filter(member=member, kind__in=[FollowKind.BLOCK, FollowKind.MUTE]).values(
        "other"
    )
    theirs = MemberLink.objects.filter(other=member, kind=FollowKind.BLOCK).values("member")
    return Q(author__in=mine) | Q(author__in=theirs)


def digest_content(*, member: Member, start: dt.datetime, end: dt.datetime) -> DigestContent:
    """What the member's digest for the time from `start` to `end` says."""
    topic_posts = (
        Post.objects.filter(
            status=Status.PUBLISHED,
            topic__followers__member=member,
            created_at__gte=start,
            created_at__lt=end,
        )
        .exclude(author=member)
        .exclude(_not_heard(member))
        .select_related("topic")
        .order_by("-created_at", "-id")
    )
    listed = list(topic_posts[: POSTS_LISTED + 1])
    more = topic_posts.count() - POSTS_LISTED if len(listed) > POSTS_LISTED else 0
    replies = (
        Comment.objects.filter(
            post__author=member, status=Status.PUBLISHED, created_at__gte=start, created_at__lt=end
        )
        .exclude(author=member)
        .exclude(_not_heard(member))
        .count()
    )
    reactions = (
        Reaction.objects.filter(Q(post__author=member) | Q(comment__author=member))
        .filter(created_at__gte=start, created_at__lt=end)
        .exclude(member=member)
        .count()
    )
    digest_kinds = [kind for kind in NotificationKind.values if choice_for(member=member, kind=kind).digest]
    notices = list(
        Notification.objects.filter(
            recipient=member, kind__in=digest_kinds, created_at__gte=start, created_at__lt=end
        ).select_related("actor")[:20]
    )
    return DigestContent(
        topic_posts=listed[:POSTS_LISTED],
        more_topic_posts=more,
        replies_to_mine=replies,
        reactions_to_mine=reactions,
        notices=notices,
    )


def digest_recipients() -> list[Member]:
    """Members who get the digest: an active account with an address, and the digest not turned off."""
    members = Member.objects.filter(user__is_active=True).exclude(user__email="").select_related("user")
    if not DEFAULTS[NotificationKind.DIGEST].email:
        return list(
            members.filter(
                notification_preferences__kind=NotificationKind.DIGEST, notification_preferences__email=True
            )
        )
    turned_off = NotificationPreference.objects.filter(kind=NotificationKind.DIGEST, email=False).values(
        "member"
    )
    return list(members.exclude(pk__in=turned_off).order_by("pk"))


def digest_send(*, member: Member, week_of: dt.date) -> bool:
    """Queue the member's digest of the seven days before `week_of` (a Monday), unless it was queued already
    or there is nothing to say. Answers whether an e-mail was queued."""
    end = timezone.make_aware(dt.datetime.combine(week_of, dt.time()))
    start = end - dt.timedelta(days=7)
    content = digest_content(member=member, start=start, end=end)
    if content.empty:
        return False
    try:
        with transaction.atomic():
            Digest.objects.create(member=member, week_of=week_of)
            context: dict[str, object] = {
                "member": member,
                "content": content,
                "posts": [(post, site_url(post_path(post.pk) or "")) for post in content.topic_posts],
                "community_url": site_url(reverse("community:notifications")),
                "preferences_url": site_url(reverse("community:notification_preferences")),
                "unsubscribe_url": unsubscribe_url(member=member, kind=NotificationKind.DIGEST),
            }
            # Queued in the outbox with the week's mark, in one transaction: both or neither.
            message_queue(
                email_message(
                    member=member,
                    kind=NotificationKind.DIGEST,
                    key=f"community.digest:{member.pk}:{week_of.isoformat()}",
                    template="community/notifications/digest",
                    context=context,
                )
            )
    except IntegrityError:
        return False  # queued already, by an earlier or a parallel run
    return True


def digests_send(*, today: dt.date) -> int:
    """Queue the digest of last week for every member who gets it; answers how many e-mails were queued."""
    week_of = week_start(today)
    sent = 0
    for member in digest_recipients():
        if Digest.objects.filter(member=member, week_of=week_of).exists():
            continue
        sent += digest_send(member=member, week_of=week_of)
    return sent
