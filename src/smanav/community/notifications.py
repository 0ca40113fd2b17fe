"""Telling members what happened to what they wrote: replies, mentions, reactions, accepted answers,
welcomes and messages from the moderators. On the site, and by e-mail as each member chose.

The conversation's services call these after they save (inside the same transaction), moderation calls
`notify_moderation`, the welcoming committee `notify_welcome`. Nobody is told of their own doing, of
anything by a member they block or who blocks them, of a member they muted, or of what is not published
(a post or comment waiting for a moderator is announced when a moderator approves it: call these then).
An e-mail is queued as a job in the same transaction (`tasks.send_notification_email`): no request
waits for the mail server. How and what: `notices/delivery.py`; the weekly digest:
`notices/digests.py`.
"""

from __future__ import annotations

import re

from smanav.community.models import Comment, Member, NotificationKind, Post, Reaction, Status
from smanav.community.notices import delivery as services
from smanav.community.tasks import send_notification_email

# "@" then a name: up to four words of letters, digits, "_", "." or "-" (display names may have spaces;
# the longest run of words that is a member's name wins).
MENTION = re.compile(r"(?<![\w@])@([\w.\-]+(?: [\w.\-]+){0,3})")


def _tell(
    *,
    recipient: Member,
    kind: NotificationKind,
    actor: Member | None = None,
    post: Post | None = None,
    comment: Comment | None = None,
    text: str = "",
) -> bool:
    told = services.notification_create(
        recipient=recipient, kind=kind, actor=actor, post=post, comment=comment, text=text
    )
    if told is None:
        return False
    if told.email:
        send_notification_email.enqueue(notification_id=told.notification.pk)
    return True


def _published(post: Post, comment: Comment | None = None) -> bool:
    return post.status == Status.PUBLISHED and (comment is None or comment.status == Status.PUBLISHED)


def notify_reply(*, comment: Comment) -> None:
    """Tell the post's author (and the parent comment's author) about a new reply."""
    post = comment.post
    if comment.author is None or not _published(post, comment):
        return
    told: set[int] = set()
    if comment.parent is not None and comment.parent.author is not None:
        _tell(
            recipient=comment.parent.author,
            kind=NotificationKind.REPLY,
            actor=comment.author,
            post=post,
            comment=comment,
        )
        told.add(comment.parent.author.pk)
    if post.author is not None and post.author.pk not in told:
        _tell(
            recipient=post.author,
            kind=NotificationKind.REPLY,
            actor=comment.author,
            post=post,
            comment=comment,
        )


def mentioned_members(text: str) -> list[Member]:
    """The members named with @display-name in `text` (capitals do not matter), each once."""
    candidates: list[list[str]] = []
    for match in MENTION.finditer(text):
        words = match.group(1).split(" ")
        # Longest first; a trailing full stop or comma belongs to the sentence, not the name.
        candidates.append([" ".join(words[:n]).rstrip(".,-").lower() for n in range(len(words), 0, -1)])
    if not candidates:
        return []
    keys = {key for group in candidates for key in group}
    members = {
        member.name_key: member for member in Member.objects.filter(name_key__in=keys).select_related("user")
    }
    found: dict[int, Member] = {}
    for group in candidates:
        for key in group:
            if key in members:
                found.setdefault(members[key].pk, members[key])
                break
    return list(found.values())


def notify_mentions(*, author: Member, text: str, post: Post, comment: Comment | None) -> None:
    """Tell each member named with @display-name in `text` (blocked members are not told). A member
    already told of the same reply (as the post's author) is not told twice."""
    if not _published(post, comment):
        return
    from smanav.community.models import Notification

    already = set(
        Notification.objects.filter(post=post, comment=comment, actor=author).values_list(
            "recipient_id", flat=True
        )
    )
    for member in mentioned_members(text):
        if member.pk not in already:
            _tell(recipient=member, kind=NotificationKind.MENTION, actor=author, post=post, comment=comment)


def notify_reaction(*, reaction: Reaction) -> None:
    """Tell the author of what was reacted to."""
    target: Post | Comment | None = reaction.post or reaction.comment
    if target is None or target.author is None:
        return
    post = reaction.post if reaction.post is not None else reaction.comment.post  # type: ignore[union-attr]
    comment = reaction.comment
    if not _published(post, comment):
        return
    _tell(
        recipient=target.author,
        kind=NotificationKind.REACTION,
        actor=reaction.member,
        post=post,
        comment=comment,
        text=reaction.get_kind_display(),
    )


def notify_accepted(*, post: Post, comment: Comment) -> None:
    """Tell the author of the accepted answer."""
    if comment.author is None or not _published(post, comment):
        return
    _tell(
        recipient=comment.author,
        kind=NotificationKind.ACCEPTED,
        actor=post.author,
        post=post,
        comment=comment,
    )


def notify_moderation(
    *, member: Member, text: str, post: Post | None = None, comment: Comment | None = None
) -> None:
    """Tell a member what a moderator decided about them or what they wrote (`text`, in plain words: a
    warning, a silence, a hidden post and why, and the guideline). Always shown on the site; by e-mail
    unless turned off. `post`/`comment`: what it is about (the notification opens it)."""
    _tell(recipient=member, kind=NotificationKind.MODERATION, post=post, comment=comment, text=text)


def notify_welcome(*, member: Member, welcomer: Member, text: str = "") -> None:
    """Tell a new member that a volunteer of the welcoming committee greeted them."""
    _tell(recipient=member, kind=NotificationKind.WELCOME, actor=welcomer, text=text)
