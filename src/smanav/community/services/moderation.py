"""Moderation's one write path: flags from members, moderators' decisions on posts, replies and members,
moderators granted and revoked, watched words, trust levels and "what the sources say" links.

Every action of a moderator (and every grant on the command line) adds one `ModerationAction`, with its
reason, in the same transaction as the change; the member concerned is told through
`notifications.notify_moderation`. Nothing here deletes what a member wrote (ADR 0020).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from smanav.community import notifications
from smanav.community.guidelines import guideline_of_flags
from smanav.community.models import (
    Comment,
    Flag,
    FlagReason,
    Guideline,
    Member,
    ModerationAction,
    ModerationKind,
    Moderator,
    Post,
    Revision,
    Status,
    TrustLevel,
    WatchedWord,
    WatchedWordAction,
)
from smanav.community.screening import is_moderator, published_count, qualifies_for_trust
from smanav.community.services.posts import post_touch

# The command line acts as no member; its actions are kept under this name.
COMMAND_LINE = "the server's command line"
# The apps whose pages may be linked as "what the sources say": cited pages of smanav itself.
SOURCES_NAMESPACES = frozenset({"library"})
SOURCES_URL_NAMES = frozenset({"sources"})


class ModerationError(Exception):
    """A refused moderation request; the message names the problem in plain words."""


class Decision(StrEnum):
    APPROVE = ModerationKind.APPROVE.value
    HIDE = ModerationKind.HIDE.value
    RESTORE = ModerationKind.RESTORE.value


class MemberAction(StrEnum):
    WARN = ModerationKind.WARN.value
    SILENCE = ModerationKind.SILENCE.value
    SUSPEND = ModerationKind.SUSPEND.value
    LIFT = ModerationKind.LIFT.value


HIDDEN_BY_FLAGS = "Hidden after reports from members, until a moderator decides."


def _what(target: Post | Comment) -> str:
    if isinstance(target, Post):
        return _("your post “%(title)s”") % {"title": target.title}
    return _("your reply in “%(title)s”") % {"title": target.post.title}


def _judged(guideline: Guideline | None) -> str:
    if guideline is None:
        return ""
    return " " + _("The guideline: %(guideline)s.") % {"guideline": guideline.label}


def _require_moderator(member: Member) -> None:
    if not is_moderator(member):
        raise ModerationError(_("Only a moderator can do this."))


def _record(
    *,
    moderator: Member | None,
    kind: ModerationKind,
    reason: str,
    member: Member | None = None,
    post: Post | None = None,
    comment: Comment | None = None,
    until: dt.datetime | None = None,
    guideline: Guideline | None = None,
) -> ModerationAction:
    return ModerationAction.objects.create(
        moderator=moderator,
        moderator_label=moderator.display_name if moderator is not None else COMMAND_LINE,
        kind=kind,
        member=member,
        post=post,
        comment=comment,
        reason=reason,
        until=until,
        guideline=guideline or "",
    )


# Flags ------------------------------------------------------------------------------------------


@transaction.atomic
def flag_create(
    *,
    reporter: Member,
    reason: FlagReason,
    post: Post | None = None,
    comment: Comment | None = None,
    note: str = "",
) -> Flag:
    """A member reports a published post or reply, once. After `SMANAV_COMMUNITY_FLAGS_TO_HIDE` open
    reports from different members it is hidden until a moderator decides."""
    if (post is None) == (comment is None):
        raise ValueError("flag a post or a comment")
    target: Post | Comment = post if post is not None else comment  # type: ignore[assignment]
    if target.author_id == reporter.pk:
        raise ModerationError(_("You cannot report what you wrote yourself. You can edit or remove it."))
    if target.status != Status.PUBLISHED:
        raise ModerationError(_("This is already waiting for a moderator."))
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                reporter=reporter, post=post, comment=comment, reason=reason, note=note
            )
    except IntegrityError:
        raise ModerationError(_("You have already reported this. A moderator will look at it.")) from None
    open_flags = Flag.objects.filter(post=post, comment=comment, resolved_at__isnull=True).count()
    if open_flags >= settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE:
        hidden = (
            type(target)
            .objects.filter(pk=target.pk, status=Status.PUBLISHED)
            .update(status=Status.HIDDEN, status_reason=HIDDEN_BY_FLAGS)
        )
        if hidden and isinstance(target, Comment):
            count_replies(post_id=target.post_id, change=-1)
        target.refresh_from_db(fields=["status", "status_reason"])
        if hidden and target.author is not None:
            # The author is told what the reports were about, never who sent them.
            reasons = list(
                Flag.objects.filter(post=post, comment=comment, resolved_at__isnull=True).values_list(
                    "reason", flat=True
                )
            )
            notifications.notify_moderation(
                member=target.author,
                text=_(
                    "Members reported %(what)s, so it is hidden until a moderator reads it.%(guideline)s "
                    "You can edit it; the moderator will read your change."
                )
                % {"what": _what(target), "guideline": _judged(guideline_of_flags(reasons))},
                post=post if post is not None else target.post,  # type: ignore[union-attr]
                comment=comment,
            )
    return flag


# Decisions on posts and replies -------------------------------------------------------------------


def count_replies(*, post_id: int, change: int) -> None:
    """A post counts its published replies: one hidden or restored changes the count, not the feed."""
    Post.objects.filter(pk=post_id).update(comment_count=Greatest(F("comment_count") + change, 0))


_ALLOWED_FROM = {
    Decision.APPROVE: {Status.PENDING},
    Decision.HIDE: {Status.PENDING, Status.PUBLISHED},
    Decision.RESTORE: {Status.HIDDEN},
}


def _decide(
    *,
    moderator: Member,
    target: Post | Comment,
    decision: Decision,
    reason: str,
    guideline: Guideline | None = None,
) -> None:
    _require_moderator(moderator)
    reason = reason.strip()
    if decision != Decision.APPROVE and not reason:
        raise ModerationError(_("Enter the reason: the member is told it."))
    if decision == Decision.HIDE and guideline is None:
        raise ModerationError(_("Choose the guideline this breaks: the member is told it."))
    if target.status not in _ALLOWED_FROM[decision]:
        raise ModerationError(_("Someone already decided on this; the page shows where it is now."))
    flags = Flag.objects.filter(resolved_at__isnull=True)
    flags = flags.filter(post=target) if isinstance(target, Post) else flags.filter(comment=target)
    if guideline is None and decision == Decision.RESTORE:
        # Restored: judged against what the reports said it broke.
        guideline = guideline_of_flags(list(flags.values_list("reason", flat=True)))
    was_published = target.status == Status.PUBLISHED
    target.status = Status.HIDDEN if decision == Decision.HIDE else Status.PUBLISHED
    target.status_reason = reason if decision == Decision.HIDE else ""
    target.save(update_fields=["status", "status_reason"])
    flags.update(resolved_at=timezone.now())
    _record(
        moderator=moderator,
        kind=ModerationKind(decision.value),
        reason=reason or _("Approved."),
        member=target.author,
        post=target if isinstance(target, Post) else target.post,
        comment=None if isinstance(target, Post) else target,
        guideline=guideline,
    )
    _announce(target=target, decision=decision, was_published=was_published)
    author = target.author
    if author is None:
        return
    what = _what(target)
    post = target if isinstance(target, Post) else target.post
    comment = None if isinstance(target, Post) else target
    if decision == Decision.APPROVE:
        member_trust_refresh(member=author)
        text = _("A moderator approved %(what)s.") % {"what": what}
    elif decision == Decision.HIDE:
        text = _("A moderator removed %(what)s from view.%(guideline)s The reason: %(reason)s") % {
            "what": what,
            "guideline": _judged(guideline),
            "reason": reason,
        }
    else:
        text = _("A moderator restored %(what)s.%(guideline)s The reason: %(reason)s") % {
            "what": what,
            "guideline": _judged(guideline),
            "reason": reason,
        }
    notifications.notify_moderation(member=author, text=text, post=post, comment=comment)


def _announced_before(target: Post | Comment) -> bool:
    """Whether an edited post or reply was published before its edit sent it back to a moderator (its
    readers were told then: approving the edit tells nobody again)."""
    revisions = Revision.objects.filter(
        **({"post": target} if isinstance(target, Post) else {"comment": target})
    )
    return revisions.filter(status__in=[Status.PUBLISHED, Status.HIDDEN]).exists()


def _announce(*, target: Post | Comment, decision: Decision, was_published: bool) -> None:
    """What publishing does when a moderator publishes: an approved reply moves its post up the feed
    and tells those it answers and names, like a reply never held; a hidden or restored reply changes
    its post's count of replies. An approved edit of what was published before only counts again."""
    again = decision == Decision.APPROVE and target.edited_at is not None and _announced_before(target)
    if isinstance(target, Post):
        if decision == Decision.APPROVE and target.author is not None and not again:
            notifications.notify_mentions(author=target.author, text=target.body, post=target, comment=None)
        return
    if again:
        count_replies(post_id=target.post_id, change=1)
    elif decision == Decision.APPROVE:
        post_touch(post_id=target.post_id)
        notifications.notify_reply(comment=target)
        if target.author is not None:
            notifications.notify_mentions(
                author=target.author, text=target.body, post=target.post, comment=target
            )
    elif decision == Decision.HIDE and was_published:
        count_replies(post_id=target.post_id, change=-1)
    elif decision == Decision.RESTORE:
        count_replies(post_id=target.post_id, change=1)


@transaction.atomic
def post_decide(
    *, moderator: Member, post: Post, decision: Decision, reason: str, guideline: Guideline | None = None
) -> Post:
    """Approve a waiting post, hide a post (with a reason and the guideline it breaks), or restore a
    hidden one. The author is told, with the guideline; never who reported it."""
    locked = Post.objects.select_for_update().get(pk=post.pk)
    _decide(moderator=moderator, target=locked, decision=decision, reason=reason, guideline=guideline)
    return locked


@transaction.atomic
def comment_decide(
    *,
    moderator: Member,
    comment: Comment,
    decision: Decision,
    reason: str,
    guideline: Guideline | None = None,
) -> Comment:
    """Approve a waiting reply, hide a reply (with a reason and the guideline), or restore a hidden one."""
    locked = Comment.objects.select_for_update().select_related("post").get(pk=comment.pk)
    _decide(moderator=moderator, target=locked, decision=decision, reason=reason, guideline=guideline)
    return locked


# Members -------------------------------------------------------------------------------------------


@transaction.atomic
def member_trust_refresh(*, member: Member) -> TrustLevel:
    """Store the trust a member earned: a new member becomes a member after `SMANAV_COMMUNITY_REVIEW_FIRST`
    approved posts and replies, a member becomes trusted after `SMANAV_COMMUNITY_TRUST_AFTER_POSTS`
    published ones and `SMANAV_COMMUNITY_TRUST_AFTER_DAYS` days. Never lowers a level."""
    level = TrustLevel(member.trust_level)
    if member.trust_by_hand:
        return level
    if level == TrustLevel.NEW and published_count(member) >= settings.SMANAV_COMMUNITY_REVIEW_FIRST:
        level = TrustLevel.MEMBER
    if level == TrustLevel.MEMBER and qualifies_for_trust(member, now=timezone.now()):
        level = TrustLevel.TRUSTED
    if level != member.trust_level:
        member.trust_level = level
        member.save(update_fields=["trust_level"])
    return level


@transaction.atomic
def member_trust_set(
    *, moderator: Member, member: Member, level: TrustLevel, reason: str
) -> ModerationAction:
    """A moderator sets a member's trust level by hand, with a reason kept in the audit. The level then
    stays as set (screening applies it; `member_trust_refresh` no longer raises it)."""
    _require_moderator(moderator)
    reason = reason.strip()
    if not reason:
        raise ModerationError(_("Enter the reason: it is kept in the moderators' audit."))
    if member.pk == moderator.pk:
        raise ModerationError(_("A moderator cannot act on their own account."))
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.trust_level == level and member.trust_by_hand:
        raise ModerationError(_("This member is already at that trust level."))
    before = TrustLevel(member.trust_level)
    member.trust_level = level
    member.trust_by_hand = True
    member.save(update_fields=["trust_level", "trust_by_hand"])
    return _record(
        moderator=moderator,
        kind=ModerationKind.TRUST,
        reason=f"{before.label} → {level.label}: {reason}",
        member=member,
    )


@transaction.atomic
def member_moderate(
    *,
    moderator: Member,
    member: Member,
    action: MemberAction,
    reason: str,
    until: dt.datetime | None = None,
) -> ModerationAction:
    """Warn a member, silence them (they read but cannot write) or suspend them (they cannot use the
    community) until a date, or lift a silence or suspension. Always with a reason the member is told."""
    _require_moderator(moderator)
    reason = reason.strip()
    if not reason:
        raise ModerationError(_("Enter the reason: the member is told it."))
    if member.pk == moderator.pk:
        raise ModerationError(_("A moderator cannot act on their own account."))
    if action in (MemberAction.SILENCE, MemberAction.SUSPEND):
        if is_moderator(member):
            raise ModerationError(
                _("This member is a moderator: their role is ended on the server's command line first.")
            )
        if until is None or until <= timezone.now():
            raise ModerationError(_("Enter a date in the future for “until”."))
    member = Member.objects.select_for_update().get(pk=member.pk)
    if action == MemberAction.SILENCE:
        member.silenced_until = until
        text = _("A moderator paused your posting until %(date)s. The reason: %(reason)s")
    elif action == MemberAction.SUSPEND:
        member.suspended_until = until
        text = _(
            "A moderator suspended your account from the community until %(date)s. The reason: %(reason)s"
        )
    elif action == MemberAction.LIFT:
        if member.silenced_until is None and member.suspended_until is None:
            raise ModerationError(_("This member is neither silenced nor suspended."))
        member.silenced_until = None
        member.suspended_until = None
        text = _("A moderator lifted the pause on your account. The reason: %(reason)s")
    else:
        text = _("A message from the moderators: %(reason)s")
    member.save(update_fields=["silenced_until", "suspended_until"])
    action_row = _record(
        moderator=moderator,
        kind=ModerationKind(action.value),
        reason=reason,
        member=member,
        until=until if action in (MemberAction.SILENCE, MemberAction.SUSPEND) else None,
    )
    date = timezone.localtime(until).strftime("%d %B %Y, %H:%M") if until is not None else ""
    notifications.notify_moderation(member=member, text=text % {"date": date, "reason": reason})
    return action_row


# Moderators (the server's command line) ------------------------------------------------------------


@transaction.atomic
def moderator_grant(*, member: Member, reason: str) -> Moderator:
    """Make a member a moderator (again). Only the server's command line does this."""
    moderator, created = Moderator.objects.select_for_update().get_or_create(member=member)
    if not created and moderator.revoked_at is None:
        raise ModerationError(f"{member.display_name} is already a moderator.")
    if not created:
        moderator.granted_at = timezone.now()
        moderator.revoked_at = None
        moderator.save(update_fields=["granted_at", "revoked_at"])
    _record(moderator=None, kind=ModerationKind.MODERATOR_GRANTED, reason=reason, member=member)
    return moderator


@transaction.atomic
def moderator_revoke(*, member: Member, reason: str) -> Moderator:
    moderator = Moderator.objects.select_for_update().filter(member=member, revoked_at__isnull=True).first()
    if moderator is None:
        raise ModerationError(f"{member.display_name} is not a moderator.")
    moderator.revoked_at = timezone.now()
    moderator.save(update_fields=["revoked_at"])
    _record(moderator=None, kind=ModerationKind.MODERATOR_REVOKED, reason=reason, member=member)
    return moderator


# Watched words -----------------------------------------------------------------------------------


@transaction.atomic
def watched_word_add(*, moderator: Member, word: str, action: WatchedWordAction, reason: str) -> WatchedWord:
    _require_moderator(moderator)
    word = " ".join(word.split())
    if not word:
        raise ModerationError(_("Enter the word or phrase to watch."))
    if WatchedWord.objects.filter(word__iexact=word).exists():
        raise ModerationError(_("“%(word)s” is already watched.") % {"word": word})
    watched = WatchedWord.objects.create(word=word, action=action)
    _record(
        moderator=moderator,
        kind=ModerationKind.WATCHED_WORD,
        reason=f"{word} → {WatchedWordAction(action).label}: {reason}".strip(": "),
    )
    return watched


@transaction.atomic
def watched_word_remove(*, moderator: Member, watched: WatchedWord, reason: str) -> None:
    _require_moderator(moderator)
    _record(
        moderator=moderator,
        kind=ModerationKind.WATCHED_WORD,
        reason=f"{watched.word} removed: {reason}".strip(": "),
    )
    watched.delete()


# What the sources say ----------------------------------------------------------------------------


def sources_path_clean(value: str) -> str:
    """The path of one of smanav's own cited pages (a library article, the sources page), from a path or
    a full address of this site; anything else raises `ModerationError`. The community does not import
    the library: the path is checked by the URL map alone."""
    value = value.strip()
    parts = urlsplit(value)
    site = urlsplit(settings.SMANAV_SITE_URL)
    foreign = parts.scheme not in ("http", "https") or parts.netloc != site.netloc
    if (parts.scheme or parts.netloc) and foreign:
        raise ModerationError(_("Link a page of this site, such as a library article."))
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in path or ".." in path.split("/"):
        raise ModerationError(_("Link a page of this site, such as a library article."))
    try:
        match = resolve(path)
    except Resolver404:
        raise ModerationError(_("There is no page at this address on this site.")) from None
    if match.namespace not in SOURCES_NAMESPACES and match.url_name not in SOURCES_URL_NAMES:
        raise ModerationError(_("Link a cited page, such as a library article."))
    if match.namespace == "library" and match.url_name not in ("article", "index"):
        raise ModerationError(_("Link a cited page, such as a library article."))
    return path


@transaction.atomic
def sources_link_set(
    *, actor: Member, path: str, post: Post | None = None, comment: Comment | None = None
) -> str:
    """Link "what the sources say" under a post or reply (or clear it with an empty path): its author
    or a moderator may; a moderator's link is recorded in the moderators' audit."""
    if (post is None) == (comment is None):
        raise ValueError("link under a post or a comment")
    target: Post | Comment = post if post is not None else comment  # type: ignore[assignment]
    moderating = is_moderator(actor)
    if target.author_id != actor.pk and not moderating:
        raise ModerationError(_("Only the author or a moderator can link what the sources say."))
    clean = sources_path_clean(path) if path.strip() else ""
    target.sources_path = clean
    target.save(update_fields=["sources_path"])
    if moderating and target.author_id != actor.pk:
        _record(
            moderator=actor,
            kind=ModerationKind.SOURCES,
            reason=clean or _("Link removed."),
            member=target.author,
            post=target if isinstance(target, Post) else target.post,
            comment=None if isinstance(target, Post) else target,
        )
    return clean
