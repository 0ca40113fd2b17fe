"""Reading for the author's changes: their own post or reply that they may still change, and the
earlier versions of a post or reply (for moderators)."""

from __future__ import annotations

from django.db.models import QuerySet

from smanav.community.models import Comment, Member, Post, Revision, Status

EDITABLE = (Status.PUBLISHED, Status.PENDING, Status.HIDDEN)


def post_get_for_author(*, member: Member, post_id: int) -> Post | None:
    """The member's own post, not removed; anyone else's answers None ("not found")."""
    return (
        Post.objects.select_related("topic", "picture")
        .defer("picture__data")
        .filter(pk=post_id, author=member, status__in=EDITABLE)
        .first()
    )


def comment_get_for_author(*, member: Member, comment_id: int) -> Comment | None:
    return (
        Comment.objects.select_related("post")
        .filter(pk=comment_id, author=member, status__in=EDITABLE)
        .first()
    )


def revisions_of(target: Post | Comment) -> QuerySet[Revision]:
    """The earlier versions, the latest replaced first."""
    if isinstance(target, Post):
        return Revision.objects.filter(post=target).order_by("-replaced_at", "-id")
    return Revision.objects.filter(comment=target).order_by("-replaced_at", "-id")
