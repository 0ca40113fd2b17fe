"""Reading the conversation: the feed (everything, or what a member follows), a topic, a post with its
replies. Pages are cut by keyset (the last row's time and id), never by OFFSET, and each page costs the
same few queries however many posts there are: authors, topics and pictures are joined, the reader's
own reactions come in one query, counts are kept on the rows.

Blocks and mutes: a member never sees posts or replies of members they blocked or muted, nor of
members who blocked them (a block is both ways)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from smanav.community.models import Comment, FollowKind, Member, MemberLink, Picture, Post, Reaction, Status

PAGE_SIZE = 20


def hidden_author_ids(member: Member) -> QuerySet[MemberLink, int]:
    """Whose writing `member` does not see: members they blocked or muted, members who blocked them."""
    mine = Q(member=member, kind__in=[FollowKind.BLOCK, FollowKind.MUTE])
    return (
        MemberLink.objects.filter(mine)
        .values_list("other_id", flat=True)
        .union(
            MemberLink.objects.filter(other=member, kind=FollowKind.BLOCK).values_list("member_id", flat=True)
        )
    )


def blocked_between(a: Member, b_id: int | None) -> bool:
    if b_id is None:
        return False
    return MemberLink.objects.filter(
        Q(member=a, other_id=b_id) | Q(member_id=b_id, other=a), kind=FollowKind.BLOCK
    ).exists()


def hidden_ids(member: Member) -> list[int]:
    # A member links to few others: one small query, then a plain NOT IN list the planner likes.
    return list(hidden_author_ids(member))


def _visible_posts(member: Member) -> QuerySet[Post]:
    # Published only, so that every page walks one index in order; the reader's own posts that wait
    # for a moderator are listed apart (`pending_of`).
    posts = (
        Post.objects.filter(status=Status.PUBLISHED)
        .select_related("author", "topic", "picture")
        .defer("picture__data", "body", "author__about")
    )
    hidden = hidden_ids(member)
    if hidden:
        posts = posts.exclude(author_id__in=hidden)
    return posts


@dataclass(frozen=True, slots=True)
class Cursor:
    at: dt.datetime
    id: int

    def encode(self) -> str:
        return f"{self.at.timestamp():.6f}_{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        try:
            stamp, _, ident = text.partition("_")
            return cls(at=dt.datetime.fromtimestamp(float(stamp), tz=dt.UTC), id=int(ident))
        except (ValueError, OverflowError, OSError):
            return None


@dataclass
class FeedPage:
    posts: list[Post]
    next_cursor: str | None
    # Per post id, the kinds of reaction the reader made.
    my_reactions: dict[int, set[str]] = field(default_factory=dict)


def _page(posts: QuerySet[Post], *, member: Member, after: str | None) -> FeedPage:
    cursor = Cursor.decode(after)
    if cursor is not None:
        posts = posts.filter(
            Q(last_activity_at__lt=cursor.at) | Q(last_activity_at=cursor.at, id__lt=cursor.id)
        )
    rows = list(posts.order_by("-last_activity_at", "-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_cursor = Cursor(at=rows[-1].last_activity_at, id=rows[-1].pk).encode() if more else None
    return FeedPage(posts=rows, next_cursor=next_cursor, my_reactions=my_post_reactions(member, rows))


def my_post_reactions(member: Member, posts: list[Post]) -> dict[int, set[str]]:
    mine: dict[int, set[str]] = {}
    if not posts:
        return mine
    pairs = Reaction.objects.filter(member=member, post_id__in=[p.pk for p in posts]).values_list(
        "post_id", "kind"
    )
    for post_id, kind in pairs:
        mine.setdefault(post_id, set()).add(kind)
    return mine


def pending_of(member: Member) -> list[Post]:
    """The member's own posts waiting for a moderator (only they see them)."""
    return list(
        Post.objects.filter(author=member, status=Status.PENDING)
        .select_related("topic")
        .only("id", "title", "kind", "created_at", "topic__name", "topic__slug")
        .order_by("-created_at")[:10]
    )


def blocking_ids(member: Member) -> QuerySet[MemberLink, int]:
    """The members on either side of a block with `member` (a block is both ways)."""
    return (
        MemberLink.objects.filter(member=member, kind=FollowKind.BLOCK)
        .values_list("other_id", flat=True)
        .union(
            MemberLink.objects.filter(other=member, kind=FollowKind.BLOCK).values_list("member_id", flat=True)
        )
    )


def picture_visible_to(*, member: Member, picture_id: int) -> bool:
    """A member sees their own pictures, pictures of posts they may read, and the photos of members
    on neither side of a block with them (as their profiles: a blocked member sees neither)."""
    if Picture.objects.filter(pk=picture_id, owner=member).exists():
        return True
    posts = Post.objects.filter(picture_id=picture_id, status=Status.PUBLISHED)
    hidden = hidden_ids(member)
    if hidden:
        posts = posts.exclude(author_id__in=hidden)
    if posts.exists():
        return True
    return Member.objects.filter(photo_id=picture_id).exclude(pk__in=list(blocking_ids(member))).exists()


def feed_all(*, member: Member, after: str | None = None) -> FeedPage:
    return _page(_visible_posts(member), member=member, after=after)


def feed_following(*, member: Member, after: str | None = None) -> FeedPage:
    """Posts by members the reader follows and in topics the reader follows."""
    followed_members = list(
        MemberLink.objects.filter(member=member, kind=FollowKind.FOLLOW).values_list("other_id", flat=True)
    )
    followed_topics = list(member.followed_topics.values_list("topic_id", flat=True))
    if not followed_members and not followed_topics:
        return FeedPage(posts=[], next_cursor=None)
    posts = _visible_posts(member).filter(Q(author_id__in=followed_members) | Q(topic_id__in=followed_topics))
    return _page(posts, member=member, after=after)


def feed_topic(*, member: Member, topic_id: int, after: str | None = None) -> FeedPage:
    return _page(_visible_posts(member).filter(topic_id=topic_id), member=member, after=after)


def post_for_member(*, member: Member, post_id: int) -> Post | None:
    """A post the member may read (published, or their own waiting for a moderator or hidden), or a post
    its author removed (shown as removed, so that its replies keep their place), or None."""
    post = (
        Post.objects.select_related("author", "topic", "picture")
        .defer("picture__data")
        .filter(pk=post_id)
        .filter(
            Q(status__in=[Status.PUBLISHED, Status.REMOVED])
            | Q(status__in=[Status.PENDING, Status.HIDDEN], author=member)
        )
        .first()
    )
    if post is None or (post.author_id is not None and post.author_id in hidden_ids(member)):
        return None
    return post


@dataclass
class Thread:
    comment: Comment
    replies: list[Thread]
    depth: int
    # The kinds of reaction the reader made to this reply.
    mine: set[str] = field(default_factory=set)


@dataclass
class Conversation:
    threads: list[Thread]
    count: int


def conversation_for(*, member: Member, post: Post) -> Conversation:
    """The post's replies as threads, oldest first, in two queries however many there are. A reply that
    was removed or hidden, or is by a hidden author, keeps its place (so its replies keep theirs) but
    shows no text."""
    hidden = set(hidden_ids(member))
    comments = list(
        Comment.objects.filter(post=post)
        .exclude(Q(status=Status.PENDING) & ~Q(author=member))
        .select_related("author")
        .defer("author__about")
        .order_by("created_at", "id")
    )
    nodes: dict[int, Thread] = {}
    roots: list[Thread] = []
    for comment in comments:
        if comment.author_id in hidden:
            comment.status = Status.HIDDEN
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        node = Thread(comment=comment, replies=[], depth=(parent.depth + 1 if parent else 0))
        nodes[comment.pk] = node
        (parent.replies if parent else roots).append(node)
    pairs = Reaction.objects.filter(member=member, comment__post=post).values_list("comment_id", "kind")
    for comment_id, kind in pairs:
        if comment_id in nodes:
            nodes[comment_id].mine.add(kind)
    return Conversation(threads=roots, count=len(comments))
