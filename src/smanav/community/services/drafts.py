"""Drafts saved on the server as a member types, one per member and place, so that nothing is lost to a
session time-out, a closed tab or a flat battery. Saved by the composer's script every few seconds and
by the "Save draft" button; removed when what they held is published."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from smanav.community.models import Draft, Member, Picture, Post, PostKind, Topic

PLACE_NEW_POST = "post"
MAX_DRAFT_BODY = 20_000


def place_for_reply(*, post_id: int, parent_id: int | None = None) -> str:
    return f"reply:{post_id}" if parent_id is None else f"reply:{post_id}:{parent_id}"


@transaction.atomic
def draft_save(
    *,
    member: Member,
    place: str,
    title: str = "",
    body: str = "",
    topic: Topic | None = None,
    kind: str = "",
    picture: Picture | None = None,
    keep_picture: bool = True,
) -> Draft:
    """Keep what the member has written so far at `place` (replacing the earlier draft there). A draft
    keeps its picture unless a new one is given or `keep_picture` is off."""
    draft, _ = Draft.objects.select_for_update().get_or_create(member=member, place=place)
    draft.title = title[:200]
    draft.body = body[:MAX_DRAFT_BODY]
    draft.topic = topic
    draft.kind = kind if kind in PostKind.values else ""
    replaced = draft.picture_id
    if picture is not None:
        draft.picture = picture
    elif not keep_picture:
        draft.picture = None
    draft.updated_at = timezone.now()
    draft.save()
    if replaced is not None and replaced != draft.picture_id:
        # A picture only this draft held goes when another replaces it or it is taken off.
        _forget_picture(replaced)
    return draft


def _forget_picture(picture_id: int) -> None:
    in_use = (
        Post.objects.filter(picture_id=picture_id).exists()
        or Member.objects.filter(photo_id=picture_id).exists()
        or Draft.objects.filter(picture_id=picture_id).exists()
    )
    if not in_use:
        Picture.objects.filter(pk=picture_id).delete()


def draft_discard(*, member: Member, place: str) -> None:
    Draft.objects.filter(member=member, place=place).delete()


def draft_for(*, member: Member, place: str) -> Draft | None:
    return (
        Draft.objects.filter(member=member, place=place)
        .select_related("picture")
        .defer("picture__data")
        .first()
    )
