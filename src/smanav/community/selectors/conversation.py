"""A post's replies, a page at a time.

Replies are numbered in the order they were written (`created_at`, then `id`) and shown
`REPLIES_PAGE_SIZE` at a time, each page cut by keyset (the last reply's time and id, as the feed),
never by OFFSET. Pages start at fixed places (replies 1-50, 51-100, ...), so that the page holding a
given reply can be found (`reply=<id>`: a link to a reply lands on the page that shows it) and walking
forward from the first page shows every reply once, in the same order each time.

Inside a page, replies are threaded: a reply sits under the reply it answers when that one is on the
same page; otherwise it starts a thread of its own and says whom it answers, with a link to that reply's
page. Each page costs the same few queries however many replies the post has.

A reply that was removed or hidden, or is by a member the reader does not see, keeps its place (so its
replies keep theirs, and the numbering does not move) but shows no text. Another member's reply that
waits for a moderator is not there at all."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet

from smanav.community.models import Comment, Member, Post, Reaction, Status
from smanav.community.selectors.feed import Cursor, hidden_ids

REPLIES_PAGE_SIZE = 50


@dataclass
class Thread:
    comment: Comment
    replies: list[Thread]
    depth: int
    # The kinds of reaction the reader made to this reply.
    mine: set[str] = field(default_factory=set)
    # For a reply whose parent is on another page: whom it answers ("" when that reply is not shown).
    answers_elsewhere: bool = False
    answers_name: str = ""
    # Replies to this one on later pages: how many, and the first of them (to link to its page).
    later_count: int = 0
    later_first_id: int | None = None


@dataclass
class Conversation:
    threads: list[Thread]
    # Every reply the reader may see on every page.
    count: int
    # The number (from 1) of the first reply of this page, and of its last; 0 when there is none.
    first_number: int = 0
    last_number: int = 0
    # The cursor of the next page, or None on the last page.
    next_cursor: str | None = None
    # The cursor of the previous page ("" for the first page), or None on the first page.
    previous_cursor: str | None = None


def _visible(member: Member, post: Post) -> QuerySet[Comment]:
    return Comment.objects.filter(post=post).exclude(Q(status=Status.PENDING) & ~Q(author=member))


def _before(comments: QuerySet[Comment], cursor: Cursor) -> QuerySet[Comment]:
    return comments.filter(Q(created_at__lt=cursor.at) | Q(created_at=cursor.at, id__lt=cursor.id))


def _after(comments: QuerySet[Comment], cursor: Cursor) -> QuerySet[Comment]:
    return comments.filter(Q(created_at__gt=cursor.at) | Q(created_at=cursor.at, id__gt=cursor.id))


def _cursor_for_start(visible: QuerySet[Comment], *, of: Cursor, back: int) -> Cursor | None:
    """The cursor of a page starting `back` replies before the reply at `of` (0: at it); None for the
    first reply. Reads at most a page of the (post, created_at, id) index."""
    keys = list(
        _before(visible, of).order_by("-created_at", "-id").values_list("created_at", "id")[: back + 1]
    )
    if len(keys) <= back:
        return None
    at, ident = keys[back]
    return Cursor(at=at, id=ident)


def page_cursor_of_reply(*, member: Member, post: Post, comment_id: int) -> str | None:
    """The cursor of the page that holds reply `comment_id` ("" for the first page), or None when the
    post has no such reply the reader may see. Three small queries on the post's index."""
    visible = _visible(member, post)
    key = visible.filter(pk=comment_id).values_list("created_at", "id").first()
    if key is None:
        return None
    at = Cursor(at=key[0], id=key[1])
    rank = _before(visible, at).count()
    start = _cursor_for_start(visible, of=at, back=rank % REPLIES_PAGE_SIZE)
    return start.encode() if start is not None else ""


def conversation_for(*, member: Member, post: Post, after: str | None = None) -> Conversation:
    """The page of the post's replies after the cursor `after` (the first page when None or not a
    cursor): at most `REPLIES_PAGE_SIZE` replies as threads, with the cursors of its neighbours."""
    hidden = set(hidden_ids(member))
    visible = _visible(member, post)
    cursor = Cursor.decode(after)
    count = visible.count()
    rows = visible if cursor is None else _after(visible, cursor)
    comments = list(
        rows.select_related("author", "parent__author")
        .defer("author__about", "parent__body", "parent__body_html", "parent__author__about")
        .order_by("created_at", "id")[: REPLIES_PAGE_SIZE + 1]
    )
    more = len(comments) > REPLIES_PAGE_SIZE
    comments = comments[:REPLIES_PAGE_SIZE]
    if not comments:
        return Conversation(threads=[], count=count)
    start = Cursor(at=comments[0].created_at, id=comments[0].pk)
    # How many replies come before this page (none on the first page), and where the page before starts.
    before = 0 if cursor is None else _before(visible, start).count()
    previous = None
    if before > 0:
        back = _cursor_for_start(visible, of=start, back=REPLIES_PAGE_SIZE)
        previous = back.encode() if back is not None else ""
    last = comments[-1]
    end = Cursor(at=last.created_at, id=last.pk)
    return Conversation(
        threads=_threads(comments, member=member, hidden=hidden, later=_after(visible, end)),
        count=count,
        first_number=before + 1,
        last_number=before + len(comments),
        next_cursor=end.encode() if more else None,
        previous_cursor=previous,
    )


def _threads(
    comments: list[Comment], *, member: Member, hidden: set[int], later: QuerySet[Comment]
) -> list[Thread]:
    """The page's replies as threads, with the reader's reactions and, per reply, its replies on later
    pages: three queries in all."""
    nodes: dict[int, Thread] = {}
    roots: list[Thread] = []
    for comment in comments:
        if comment.author_id in hidden:
            comment.status = Status.HIDDEN
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        node = Thread(comment=comment, replies=[], depth=(parent.depth + 1 if parent else 0))
        if parent is None and comment.parent_id is not None:
            node.answers_elsewhere = True
            node.answers_name = _name_of(comment.parent, member=member, hidden=hidden)
        nodes[comment.pk] = node
        (parent.replies if parent else roots).append(node)
    pairs = Reaction.objects.filter(member=member, comment_id__in=list(nodes)).values_list(
        "comment_id", "kind"
    )
    for comment_id, kind in pairs:
        nodes[comment_id].mine.add(kind)
    # Ids grow with time, so the smallest is the first of them (only a link's target depends on it).
    answered = (
        later.filter(parent_id__in=list(nodes)).values("parent_id").annotate(n=Count("id"), first=Min("id"))
    )
    for row in answered.order_by():
        nodes[row["parent_id"]].later_count = row["n"]
        nodes[row["parent_id"]].later_first_id = row["first"]
    return roots


def _name_of(comment: Comment | None, *, member: Member, hidden: set[int]) -> str:
    """The display name of the author of a reply shown elsewhere, or "" when the reader would not see it."""
    if comment is None or comment.author is None or comment.author_id in hidden:
        return ""
    shown = comment.status == Status.PUBLISHED
    own_waiting = comment.status == Status.PENDING and comment.author_id == member.pk
    return comment.author.display_name if shown or own_waiting else ""
