"""Moderation's reads: who moderates, the moderators' queue (most urgent, then oldest, first), the
audit of moderator actions with its filters, and what a member or a moderator may flag or see."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from smanav.accounts.http import Visitor
from smanav.community.access import member_for
from smanav.community.guidelines import guideline_of_flags
from smanav.community.models import (
    Comment,
    Flag,
    FlagReason,
    Member,
    ModerationAction,
    Post,
    Status,
    WatchedWord,
)
from smanav.community.screening import is_moderator, mentions_self_harm
from smanav.community.selectors import feed

# The queue shows at most this many of each kind at once: a moderator works from the top.
QUEUE_LIMIT = 100


def moderator_for(user: Visitor) -> Member | None:
    """The member an account is, if that member moderates now; else None."""
    member = member_for(user)
    if member is None or not is_moderator(member):
        return None
    return member


@dataclass
class QueueItem:
    post: Post
    comment: Comment | None
    # Open reports by reason, e.g. {"spam": 2}.
    flags: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    self_harm: bool = False

    @property
    def target(self) -> Post | Comment:
        return self.comment if self.comment is not None else self.post

    @property
    def status(self) -> str:
        return self.target.status

    @property
    def guideline(self) -> str:
        """The guideline the reports point to, offered first to the moderator ("" for none)."""
        return guideline_of_flags(self.flags.elements()) or ""

    @property
    def since(self) -> dt.datetime:
        return self.target.created_at

    @property
    def text(self) -> str:
        return self.target.body

    @property
    def flag_labels(self) -> list[tuple[str, int]]:
        return [(str(FlagReason(reason).label), count) for reason, count in self.flags.most_common()]

    @property
    def urgency(self) -> int:
        """0 comes first: someone may be at risk; then hidden by reports; then waiting; then reported."""
        if self.self_harm:
            return 0
        if self.status == Status.HIDDEN:
            return 1
        if self.status == Status.PENDING:
            return 2
        return 3


def moderation_queue() -> list[QueueItem]:
    """Posts and replies waiting for a moderator, and those with open reports (hidden or not)."""
    flagged_posts = Flag.objects.filter(resolved_at__isnull=True, post__isnull=False).values("post_id")
    flagged_comments = Flag.objects.filter(resolved_at__isnull=True, comment__isnull=False).values(
        "comment_id"
    )
    posts = (
        Post.objects.filter(Q(status=Status.PENDING) | Q(pk__in=flagged_posts))
        .exclude(status=Status.REMOVED)
        .select_related("author", "topic")
        .order_by("created_at", "id")[:QUEUE_LIMIT]
    )
    comments = (
        Comment.objects.filter(Q(status=Status.PENDING) | Q(pk__in=flagged_comments))
        .exclude(status=Status.REMOVED)
        .select_related("author", "post", "post__author")
        .order_by("created_at", "id")[:QUEUE_LIMIT]
    )
    items: dict[tuple[str, int], QueueItem] = {}
    for post in posts:
        items[("post", post.pk)] = QueueItem(post=post, comment=None)
    for comment in comments:
        items[("comment", comment.pk)] = QueueItem(post=comment.post, comment=comment)
    open_flags = Flag.objects.filter(resolved_at__isnull=True).filter(
        Q(post_id__in=[pk for kind, pk in items if kind == "post"])
        | Q(comment_id__in=[pk for kind, pk in items if kind == "comment"])
    )
    for flag in open_flags.order_by("created_at"):
        key = ("post", flag.post_id) if flag.post_id is not None else ("comment", flag.comment_id)
        item = items.get(key)  # type: ignore[arg-type]
        if item is None:
            continue
        item.flags[flag.reason] += 1
        if flag.note:
            item.notes.append(flag.note)
    for item in items.values():
        title = item.post.title if item.comment is None else ""
        item.self_harm = FlagReason.SELF_HARM in item.flags or mentions_self_harm(f"{title}\n{item.text}")
    return sorted(items.values(), key=lambda item: (item.urgency, item.since))


def waiting_count() -> int:
    """Posts and replies waiting for approval, and those with open reports: the queue's length."""
    open_flags = Flag.objects.filter(resolved_at__isnull=True)
    flagged_posts = open_flags.filter(post__isnull=False).values("post_id")
    flagged_comments = open_flags.filter(comment__isnull=False).values("comment_id")
    posts = Post.objects.filter(Q(status=Status.PENDING) | Q(pk__in=flagged_posts)).exclude(
        status=Status.REMOVED
    )
    comments = Comment.objects.filter(Q(status=Status.PENDING) | Q(pk__in=flagged_comments)).exclude(
        status=Status.REMOVED
    )
    return posts.count() + comments.count()


def moderation_audit(
    *,
    moderator: Member | None = None,
    member: Member | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[ModerationAction]:
    """Every moderator action, newest first, narrowed by who acted, whom it concerned and the days
    (inclusive, in the site's time zone)."""
    actions = ModerationAction.objects.select_related("moderator", "member", "post", "comment")
    if moderator is not None:
        actions = actions.filter(moderator=moderator)
    if member is not None:
        actions = actions.filter(member=member)
    zone = timezone.get_current_timezone()
    if date_from is not None:
        actions = actions.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=zone))
    if date_to is not None:
        actions = actions.filter(
            at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        )
    return actions.order_by("-at", "-id")


def moderators_and_former() -> QuerySet[Member]:
    """Members who moderate or once did, for the audit's filter."""
    return Member.objects.filter(moderator__isnull=False).order_by("display_name")


def member_get_for_moderator(*, member_id: int) -> Member | None:
    return Member.objects.filter(pk=member_id).first()


def member_recent_writing(*, member: Member, limit: int = 10) -> tuple[list[Post], list[Comment]]:
    posts = list(Post.objects.filter(author=member).order_by("-created_at")[:limit])
    comments = list(
        Comment.objects.filter(author=member).select_related("post").order_by("-created_at")[:limit]
    )
    return posts, comments


def post_get_for_moderator(*, post_id: int) -> Post | None:
    return Post.objects.select_related("author").filter(pk=post_id).first()


def comment_get_for_moderator(*, comment_id: int) -> Comment | None:
    return Comment.objects.select_related("author", "post").filter(pk=comment_id).first()


def post_get_to_report(*, member: Member, post_id: int) -> Post | None:
    """A published post the member can read (the conversation's chokepoint: blocks both ways)."""
    post = feed.post_for_member(member=member, post_id=post_id)
    return post if post is not None and post.status == Status.PUBLISHED else None


def comment_get_to_report(*, member: Member, comment_id: int) -> Comment | None:
    """A published reply of a post the member can read, not by a member hidden from them."""
    comment = Comment.objects.filter(pk=comment_id, status=Status.PUBLISHED).first()
    if comment is None or post_get_to_report(member=member, post_id=comment.post_id) is None:
        return None
    if comment.author_id is not None and comment.author_id in feed.hidden_ids(member):
        return None
    return comment


def post_get_for_sources(*, member: Member, post_id: int) -> Post | None:
    """A post whose "what the sources say" link the member may set: their own, or any for a moderator."""
    posts = Post.objects.exclude(status=Status.REMOVED).filter(pk=post_id)
    if not is_moderator(member):
        posts = posts.filter(author=member)
    return posts.first()


def comment_get_for_sources(*, member: Member, comment_id: int) -> Comment | None:
    comments = Comment.objects.exclude(status=Status.REMOVED).select_related("post").filter(pk=comment_id)
    if not is_moderator(member):
        comments = comments.filter(author=member)
    return comments.first()


def watched_words() -> QuerySet[WatchedWord]:
    return WatchedWord.objects.order_by("word")
