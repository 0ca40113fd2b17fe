"""Supportive reactions (hug, like, helpful) to a post or a reply: the same button adds and takes back.
Counts are kept on the post or reply so that pages never count rows."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from smanav.community import notifications
from smanav.community.models import Comment, Member, Post, Reaction, ReactionKind, Status
from smanav.community.services.posts import SubmissionRefused


@transaction.atomic
def reaction_toggle(
    *, member: Member, kind: ReactionKind, post: Post | None = None, comment: Comment | None = None
) -> bool:
    """Add the member's reaction, or take it back if they had made it. True when it is now there."""
    target = post if post is not None else comment
    if target is None or (post is not None and comment is not None):
        raise ValueError("a reaction is to a post or to a reply")
    if target.status != Status.PUBLISHED:
        raise SubmissionRefused("This is no longer there to react to.")
    model = Post if post is not None else Comment
    existing = Reaction.objects.filter(member=member, post=post, comment=comment, kind=kind)
    if existing.delete()[0]:
        model.objects.filter(pk=target.pk).update(reaction_count=F("reaction_count") - 1)
        return False
    try:
        with transaction.atomic():
            reaction = Reaction.objects.create(member=member, post=post, comment=comment, kind=kind)
    except IntegrityError:
        return True  # made by a request that ran at the same time
    model.objects.filter(pk=target.pk).update(reaction_count=F("reaction_count") + 1)
    if target.author_id not in (None, member.pk):
        notifications.notify_reaction(reaction=reaction)
    return True
