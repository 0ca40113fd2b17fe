"""Replies: to a post, or to another reply of the same post (threaded). Screened before they are saved,
saved once however often they are submitted; the asker of a question accepts one reply as its answer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from smanav.community import notifications, screening
from smanav.community.models import Comment, Member, Post, PostKind, Status
from smanav.community.services.drafts import draft_discard, place_for_reply
from smanav.community.services.markdown import render_markdown
from smanav.community.services.posts import SubmissionRefused, check_writer, post_touch

MAX_REPLY = 10_000


@dataclass(frozen=True, slots=True)
class Replied:
    comment: Comment
    created: bool
    message: str = ""
    mentions_self_harm: bool = False


@transaction.atomic
def comment_create(
    *, author: Member, post: Post, body: str, submission_key: str, parent: Comment | None = None
) -> Replied:
    """Reply to `post` (or to `parent`, a reply of the same post). Raises `SubmissionRefused`."""
    earlier = Comment.objects.filter(author=author, submission_key=submission_key).first()
    if earlier is not None:
        return Replied(comment=earlier, created=False)
    check_writer(author)
    if post.status != Status.PUBLISHED:
        raise SubmissionRefused("This post is not open for replies.")
    if parent is not None and (parent.post_id != post.pk or parent.status != Status.PUBLISHED):
        raise SubmissionRefused("The reply you answered is no longer there.")
    body = body.strip()
    if not body:
        raise SubmissionRefused("Write your reply.", field="body")
    if len(body) > MAX_REPLY:
        raise SubmissionRefused(f"Keep the reply under {MAX_REPLY:,} characters.", field="body")
    verdict = screening.screen_submission(member=author, text=body, has_picture=False, is_comment=True)
    if verdict.status is None:
        raise SubmissionRefused(verdict.message or "This reply cannot be published.")
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                post=post,
                parent=parent,
                author=author,
                body=body,
                body_html=render_markdown(body),
                status=verdict.status,
                submission_key=submission_key,
            )
    except IntegrityError:
        existing = Comment.objects.get(author=author, submission_key=submission_key)
        return Replied(comment=existing, created=False)
    draft_discard(
        member=author, place=place_for_reply(post_id=post.pk, parent_id=parent.pk if parent else None)
    )
    if comment.status == Status.PUBLISHED:
        post_touch(post_id=post.pk)
        notifications.notify_reply(comment=comment)
        notifications.notify_mentions(author=author, text=body, post=post, comment=comment)
    return Replied(
        comment=comment, created=True, message=verdict.message, mentions_self_harm=verdict.mentions_self_harm
    )


@transaction.atomic
def answer_accept(*, member: Member, post: Post, comment: Comment | None) -> None:
    """The asker of a question marks `comment` as the answer that helped (None: no answer accepted)."""
    if post.author_id != member.pk:
        raise SubmissionRefused("Only the person who asked the question can choose the answer.")
    if post.kind != PostKind.QUESTION:
        raise SubmissionRefused("Only questions have an accepted answer.")
    if post.status == Status.REMOVED:
        raise SubmissionRefused("This question was removed.")
    if comment is not None and (comment.post_id != post.pk or comment.status != Status.PUBLISHED):
        raise SubmissionRefused("That reply is no longer there.")
    Post.objects.filter(pk=post.pk).update(accepted_answer=comment)
    post.accepted_answer = comment
    if comment is not None and comment.author_id not in (None, member.pk):
        notifications.notify_accepted(post=post, comment=comment)
