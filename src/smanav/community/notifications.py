"""Telling members what happened to what they wrote: replies, mentions, reactions, accepted answers,
welcomes and messages from the moderators. On the site, and by e-mail as each member chose.

The conversation's services call these after they save (inside the same transaction). Until
notifications are built, they do nothing.
"""

from __future__ import annotations

from smanav.community.models import Comment, Member, Post, Reaction


def notify_reply(*, comment: Comment) -> None:
    """Tell the post's author (and the parent comment's author) about a new reply."""


def notify_mentions(*, author: Member, text: str, post: Post, comment: Comment | None) -> None:
    """Tell each member named with @display-name in `text` (blocked members are not told)."""


def notify_reaction(*, reaction: Reaction) -> None:
    """Tell the author of what was reacted to."""


def notify_accepted(*, post: Post, comment: Comment) -> None:
    """Tell the author of the accepted answer."""


def notify_moderation(*, member: Member, text: str) -> None:
    """Tell a member what a moderator decided about them or what they wrote (`text`, plain words, with
    the moderator's reason)."""
