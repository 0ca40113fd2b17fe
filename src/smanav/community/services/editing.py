"""An author edits or removes their own post or reply, as members of other forums expect.

An edit keeps what it replaced as a `Revision` (moderators read the history; members see "edited"),
goes through `screening.screen_edit` (an edit of something waiting for a moderator or hidden goes back
to a moderator; new words about self-harm hold it), and removes the edit's draft. A removal empties the
post or reply and its history but keeps the row, so the replies under it keep their place; the thread
shows it as removed by its author. Nobody is told of an edit or a removal.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from smanav.community import screening
from smanav.community.models import Comment, Flag, Member, Picture, Post, Revision, Status
from smanav.community.services.drafts import draft_discard
from smanav.community.services.markdown import render_markdown
from smanav.community.services.members import REMOVED_TEXT, REMOVED_TITLE
from smanav.community.services.moderation import count_replies
from smanav.community.services.posts import MAX_BODY, MAX_TITLE, SubmissionRefused, Submitted, check_writer

MAX_REPLY = 10_000
EDITABLE = (Status.PUBLISHED, Status.PENDING, Status.HIDDEN)


def place_for_edit(*, post_id: int | None = None, comment_id: int | None = None) -> str:
    """The draft's place of an edit in progress (one per member and post or reply)."""
    return f"edit:post:{post_id}" if comment_id is None else f"edit:comment:{comment_id}"


def _check_author(member: Member, target: Post | Comment) -> None:
    if target.author_id != member.pk:
        raise SubmissionRefused("Only its author can change this.")
    if target.status not in EDITABLE:
        raise SubmissionRefused("This was removed and cannot be changed.")


@transaction.atomic
def post_edit(*, author: Member, post: Post, title: str, body: str) -> Submitted:
    """Change the title and text of the author's own post (its picture stays). Raises
    `SubmissionRefused`, changing nothing."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    _check_author(author, post)
    check_writer(author)
    title = " ".join(title.split())
    body = body.strip()
    if not title:
        raise SubmissionRefused("Give your post a title.", field="title")
    if len(title) > MAX_TITLE:
        raise SubmissionRefused(f"Keep the title under {MAX_TITLE} characters.", field="title")
    if not body and post.picture_id is None:
        raise SubmissionRefused("Write some text: this post has no picture.", field="body")
    if len(body) > MAX_BODY:
        raise SubmissionRefused(f"Keep the text under {MAX_BODY:,} characters.", field="body")
    if title == post.title and body == post.body:
        draft_discard(member=author, place=place_for_edit(post_id=post.pk))
        return Submitted(post=post, created=False, message="Nothing changed.")
    verdict = screening.screen_edit(member=author, text=f"{title}\n\n{body}", was=Status(post.status))
    if verdict.status is None:
        raise SubmissionRefused(verdict.message or "This change cannot be saved.")
    now = timezone.now()
    Revision.objects.create(
        post=post,
        title=post.title,
        body=post.body,
        status=post.status,
        written_at=post.edited_at or post.created_at,
        replaced_at=now,
    )
    post.title, post.body, post.body_html = title, body, render_markdown(body)
    post.status = verdict.status
    post.edited_at = now
    post.save(update_fields=["title", "body", "body_html", "status", "edited_at"])
    draft_discard(member=author, place=place_for_edit(post_id=post.pk))
    return Submitted(
        post=post, created=True, message=verdict.message, mentions_self_harm=verdict.mentions_self_harm
    )


@transaction.atomic
def comment_edit(*, author: Member, comment: Comment, body: str) -> tuple[Comment, Submitted]:
    """Change the text of the author's own reply. Raises `SubmissionRefused`, changing nothing."""
    comment = Comment.objects.select_for_update().select_related("post").get(pk=comment.pk)
    _check_author(author, comment)
    check_writer(author)
    body = body.strip()
    if not body:
        raise SubmissionRefused("Write your reply, or remove it.", field="body")
    if len(body) > MAX_REPLY:
        raise SubmissionRefused(f"Keep the reply under {MAX_REPLY:,} characters.", field="body")
    if body == comment.body:
        draft_discard(member=author, place=place_for_edit(comment_id=comment.pk))
        return comment, Submitted(post=comment.post, created=False, message="Nothing changed.")
    verdict = screening.screen_edit(member=author, text=body, was=Status(comment.status))
    if verdict.status is None:
        raise SubmissionRefused(verdict.message or "This change cannot be saved.")
    now = timezone.now()
    Revision.objects.create(
        comment=comment,
        body=comment.body,
        status=comment.status,
        written_at=comment.edited_at or comment.created_at,
        replaced_at=now,
    )
    if comment.status == Status.PUBLISHED and verdict.status != Status.PUBLISHED:
        count_replies(post_id=comment.post_id, change=-1)
    comment.body, comment.body_html = body, render_markdown(body)
    comment.status = verdict.status
    comment.edited_at = now
    comment.save(update_fields=["body", "body_html", "status", "edited_at"])
    draft_discard(member=author, place=place_for_edit(comment_id=comment.pk))
    submitted = Submitted(
        post=comment.post,
        created=True,
        message=verdict.message,
        mentions_self_harm=verdict.mentions_self_harm,
    )
    return comment, submitted


def _forget(*, post: Post | None = None, comment: Comment | None = None) -> None:
    """What went with the removed text: its earlier versions, its open reports, its draft of an edit."""
    Revision.objects.filter(Q(post=post) if post is not None else Q(comment=comment)).delete()
    flags = Flag.objects.filter(resolved_at__isnull=True)
    (flags.filter(post=post) if post is not None else flags.filter(comment=comment)).update(
        resolved_at=timezone.now()
    )


@transaction.atomic
def post_remove(*, author: Member, post: Post) -> Post:
    """The author removes their post: its title, text, picture and history go; the row stays so the
    replies keep their place, shown as removed by its author."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    _check_author(author, post)
    picture_id = post.picture_id
    post.status = Status.REMOVED
    post.status_reason = ""
    post.title = REMOVED_TITLE
    post.body = REMOVED_TEXT
    post.body_html = f"<p>{REMOVED_TEXT}</p>"
    post.picture = None
    post.sources_path = ""
    post.save(
        update_fields=["status", "status_reason", "title", "body", "body_html", "picture", "sources_path"]
    )
    if picture_id is not None:
        Picture.objects.filter(pk=picture_id).delete()
    _forget(post=post)
    draft_discard(member=author, place=place_for_edit(post_id=post.pk))
    return post


@transaction.atomic
def comment_remove(*, author: Member, comment: Comment) -> Comment:
    """The author removes their reply: its text and history go; its place in the thread stays."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    _check_author(author, comment)
    if comment.status == Status.PUBLISHED:
        count_replies(post_id=comment.post_id, change=-1)
    comment.status = Status.REMOVED
    comment.status_reason = ""
    comment.body = REMOVED_TEXT
    comment.body_html = f"<p>{REMOVED_TEXT}</p>"
    comment.sources_path = ""
    comment.save(update_fields=["status", "status_reason", "body", "body_html", "sources_path"])
    Post.objects.filter(pk=comment.post_id, accepted_answer=comment).update(accepted_answer=None)
    _forget(comment=comment)
    draft_discard(member=author, place=place_for_edit(comment_id=comment.pk))
    return comment
