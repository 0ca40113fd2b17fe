"""Writing posts: a post has a title and text, a picture, or both. Screened before it is saved
(`screening.screen_submission`), saved once however often it is submitted (`submission_key`), its draft
removed once it is published, and the mentioned members told afterwards."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from smanav.community import notifications, screening
from smanav.community.models import Member, Picture, Post, PostKind, Status, Topic
from smanav.community.services.drafts import PLACE_NEW_POST, draft_discard
from smanav.community.services.markdown import render_markdown

MAX_TITLE = 200
MAX_BODY = 20_000


class SubmissionRefused(Exception):
    """A post or comment that is not saved; `message` says why in plain words, `field` which field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Submitted:
    post: Post
    # Whether this submission made the post (False: the same submission was already saved).
    created: bool
    # Said to the member when the post waits for a moderator.
    message: str = ""
    mentions_self_harm: bool = False


def may_write(member: Member) -> bool:
    return member.silenced_until is None or member.silenced_until <= timezone.now()


def check_writer(member: Member) -> None:
    if not may_write(member):
        raise SubmissionRefused(
            "The moderators have paused your writing for now; you can still read. "
            "Their message to you says when it ends."
        )


@transaction.atomic
def post_create(
    *,
    author: Member,
    topic: Topic,
    title: str,
    body: str,
    submission_key: str,
    kind: PostKind = PostKind.DISCUSSION,
    picture: Picture | None = None,
) -> Submitted:
    """Publish (or hold for a moderator) a member's post. Raises `SubmissionRefused`, saving nothing."""
    earlier = Post.objects.filter(author=author, submission_key=submission_key).first()
    if earlier is not None:
        return Submitted(post=earlier, created=False)
    check_writer(author)
    title = " ".join(title.split())
    body = body.strip()
    if not title:
        raise SubmissionRefused("Give your post a title.", field="title")
    if len(title) > MAX_TITLE:
        raise SubmissionRefused(f"Keep the title under {MAX_TITLE} characters.", field="title")
    if not body and picture is None:
        raise SubmissionRefused("Write some text, add a picture, or both.", field="body")
    if len(body) > MAX_BODY:
        raise SubmissionRefused(f"Keep the text under {MAX_BODY:,} characters.", field="body")
    if picture is not None and picture.owner_id != author.pk:
        raise SubmissionRefused("That picture could not be found: add it again.", field="picture")
    verdict = screening.screen_submission(
        member=author, text=f"{title}\n\n{body}", has_picture=picture is not None, is_comment=False
    )
    if verdict.status is None:
        raise SubmissionRefused(verdict.message or "This post cannot be published.")
    now = timezone.now()
    try:
        with transaction.atomic():
            post = Post.objects.create(
                author=author,
                topic=topic,
                kind=kind,
                title=title,
                body=body,
                body_html=render_markdown(body),
                picture=picture,
                status=verdict.status,
                submission_key=submission_key,
                created_at=now,
                last_activity_at=now,
            )
    except IntegrityError:
        # The same submission saved by a request that ran at the same time.
        return Submitted(post=Post.objects.get(author=author, submission_key=submission_key), created=False)
    draft_discard(member=author, place=PLACE_NEW_POST)
    if post.status == Status.PUBLISHED:
        notifications.notify_mentions(author=author, text=body, post=post, comment=None)
    return Submitted(
        post=post, created=True, message=verdict.message, mentions_self_harm=verdict.mentions_self_harm
    )


def post_touch(*, post_id: int) -> None:
    """A new reply moves the post up the feed and counts it."""
    Post.objects.filter(pk=post_id).update(
        last_activity_at=timezone.now(), comment_count=F("comment_count") + 1
    )
