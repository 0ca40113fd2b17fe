"""Writing notifications: one member told of something another did, on the site and by e-mail as the
member chose; marking them read; the member's preferences; unsubscribing from a link in an e-mail.

E-mail never leaves inside the request that caused it: a notification that should be e-mailed queues a
job (`community/tasks.py`) in the same transaction; the worker decides it again (still wanted, still
published) and queues it in the outbox (`smanav.outbox`, ADR 0024), which sends it in batches, retries
it and never sends it twice (`notification_email_send`).
Subjects are fixed sentences per kind: they never carry a title, a name or anything a member wrote, so
a lock screen or a shared inbox shows nothing of anyone's health.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from smanav.community.models import (
    Comment,
    FollowKind,
    Member,
    MemberLink,
    Notification,
    NotificationKind,
    NotificationPreference,
    Post,
    Status,
)
from smanav.community.unsubscribe import unsubscribe_token
from smanav.outbox.services import Message, message_queue, unsubscribe_headers


@dataclass(frozen=True, slots=True)
class Choice:
    """How a member is told of one kind of notification."""

    on_site: bool
    email: bool
    digest: bool


# What a member who never opened the preferences page gets. Replies, mentions and accepted answers are
# worth an e-mail at once; reactions come in the weekly digest only (they are many and never urgent).
# The moderators' messages are always shown on the site (`ALWAYS_ON_SITE`).
DEFAULTS: dict[str, Choice] = {
    NotificationKind.REPLY: Choice(on_site=True, email=True, digest=False),
    NotificationKind.MENTION: Choice(on_site=True, email=True, digest=False),
    NotificationKind.REACTION: Choice(on_site=True, email=False, digest=True),
    NotificationKind.ACCEPTED: Choice(on_site=True, email=True, digest=False),
    NotificationKind.WELCOME: Choice(on_site=True, email=True, digest=False),
    NotificationKind.MODERATION: Choice(on_site=True, email=True, digest=False),
    # The weekly digest itself: `email` says whether it is sent.
    NotificationKind.DIGEST: Choice(on_site=False, email=True, digest=False),
}
ALWAYS_ON_SITE = frozenset({NotificationKind.MODERATION})

# The subject of each kind's e-mail: fixed words, nothing a member wrote.
SUBJECTS: dict[str, str] = {
    NotificationKind.REPLY: "Someone replied to you in the smanav community",
    NotificationKind.MENTION: "Someone mentioned you in the smanav community",
    NotificationKind.REACTION: "Someone reacted to what you wrote in the smanav community",
    NotificationKind.ACCEPTED: "Your answer was accepted in the smanav community",
    NotificationKind.WELCOME: "Welcome to the smanav community",
    NotificationKind.MODERATION: "A message from the smanav community's moderators",
    NotificationKind.DIGEST: "Your week in the smanav community",
}


def choice_for(*, member: Member, kind: str) -> Choice:
    """The member's choice for `kind`: their saved preference, or the default."""
    saved = NotificationPreference.objects.filter(member=member, kind=kind).first()
    if saved is None:
        return DEFAULTS[kind]
    return Choice(on_site=saved.on_site or kind in ALWAYS_ON_SITE, email=saved.email, digest=saved.digest)


def blocked_or_muted(*, recipient: Member, actor: Member) -> bool:
    """Whether `recipient` should hear nothing of `actor`: a block either way, or the recipient muted them."""
    return MemberLink.objects.filter(
        Q(member=recipient, other=actor, kind__in=[FollowKind.BLOCK, FollowKind.MUTE])
        | Q(member=actor, other=recipient, kind=FollowKind.BLOCK)
    ).exists()


@dataclass(frozen=True, slots=True)
class Told:
    notification: Notification
    # Whether the member wants it by e-mail at once (the caller queues the e-mail job).
    email: bool


@transaction.atomic
def notification_create(
    *,
    recipient: Member,
    kind: NotificationKind,
    actor: Member | None = None,
    post: Post | None = None,
    comment: Comment | None = None,
    text: str = "",
) -> Told | None:
    """Tell `recipient` that `actor` did something (`kind`), as they chose. Answers the notification and
    whether to e-mail it, or None when nobody is told: the recipient is the actor, one blocks the other,
    the recipient muted the actor, or the recipient turned this kind off everywhere."""
    if actor is not None and (actor.pk == recipient.pk or blocked_or_muted(recipient=recipient, actor=actor)):
        return None
    choice = choice_for(member=recipient, kind=kind)
    if not (choice.on_site or choice.email or choice.digest):
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor=actor,
        post=post,
        comment=comment,
        text=text[:300],
        # Not wanted on the site: it waits only for its e-mail or the digest, already read.
        read_at=None if choice.on_site else timezone.now(),
    )
    return Told(notification=notification, email=choice.email and bool(recipient.user.email))


def notifications_mark_read(*, member: Member, notification_ids: list[int] | None = None) -> int:
    """Mark the member's notifications read: the given ones, or all. Answers how many changed."""
    unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, member: Member, choices: dict[str, Choice]) -> None:
    """Save the member's choice for each kind given (the others keep theirs)."""
    for kind, choice in choices.items():
        NotificationPreference.objects.update_or_create(
            member=member,
            kind=kind,
            defaults={
                "on_site": choice.on_site or kind in ALWAYS_ON_SITE,
                "email": choice.email,
                "digest": choice.digest,
            },
        )


@transaction.atomic
def email_unsubscribe(*, member: Member, kind: str) -> None:
    """Stop e-mails of `kind` to the member, at once and in the digest (the unsubscribe link)."""
    current = choice_for(member=member, kind=kind)
    preferences_save(
        member=member, choices={kind: Choice(on_site=current.on_site, email=False, digest=False)}
    )


def site_url(path: str) -> str:
    return f"{settings.SMANAV_SITE_URL}{path}"


def unsubscribe_url(*, member: Member, kind: str) -> str:
    return site_url(
        reverse("community:unsubscribe", args=[unsubscribe_token(member_id=member.pk, kind=kind)])
    )


def email_message(
    *, member: Member, kind: str, key: str, template: str, context: dict[str, object]
) -> Message:
    """The e-mail to the member, for the outbox (`smanav.outbox`): `key` names what made it, the subject is
    the kind's fixed sentence, the plain text and HTML come from `<template>.txt` and `<template>.html`,
    with the one-click unsubscribe headers of RFC 8058 for `kind`."""
    link = unsubscribe_url(member=member, kind=kind)
    subject = SUBJECTS[kind]
    full = {**context, "subject": subject}
    return Message(
        key=key,
        kind=f"community.{kind}",
        to=member.user.email,
        subject=subject,
        text=render_to_string(f"{template}.txt", full),
        html=render_to_string(f"{template}.html", full),
        headers=unsubscribe_headers(link),
    )


@transaction.atomic
def notification_email_send(*, notification_id: int) -> bool:
    """Queue the e-mail of one notification in the outbox, if it is still wanted: the member still
    chooses e-mail for its kind, has an address, and it was not queued already. Answers whether it was
    queued. Safe to run twice: the notification is marked (`emailed_at`) in the transaction that queues
    it, and the outbox key (`community.notification:<id>`) is queued once; the outbox sends it."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .filter(pk=notification_id)
        .select_related("recipient__user", "actor", "post", "comment")
        .first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    # Hidden, removed or held since it was queued: the e-mail would show what members may not see.
    # The moderators' messages are about the recipient's own writing, hidden or not: they go.
    about_others = notification.kind != NotificationKind.MODERATION
    if about_others and notification.post is not None and notification.post.status != Status.PUBLISHED:
        return False
    if about_others and notification.comment is not None and notification.comment.status != Status.PUBLISHED:
        return False
    member = notification.recipient
    if not member.user.is_active or not member.user.email:
        return False
    if not choice_for(member=member, kind=notification.kind).email:
        return False
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    context: dict[str, object] = {
        "member": member,
        "notification": notification,
        "link": site_url(notification_target(notification)),
        "preferences_url": site_url(reverse("community:notification_preferences")),
        "unsubscribe_url": unsubscribe_url(member=member, kind=notification.kind),
    }
    message = email_message(
        member=member,
        kind=notification.kind,
        key=f"community.notification:{notification.pk}",
        template="community/notifications/email",
        context=context,
    )
    return message_queue(message)


def notification_target(notification: Notification) -> str:
    """Where a notification leads: the comment in its post, the post, or the inbox."""
    if notification.post_id is None:
        return reverse("community:notifications")
    path = post_path(notification.post_id)
    if path is None:
        return reverse("community:notifications")
    if notification.comment_id is None:
        return path
    # The post's replies come a page at a time: `?reply=` opens the page that holds this one.
    return f"{path}?reply={notification.comment_id}#reply-{notification.comment_id}"


def post_path(post_id: int) -> str | None:
    """The page of a post (the conversation's route), or None while that route does not exist."""
    from django.urls import NoReverseMatch

    try:
        return reverse("community:post", args=[post_id])
    except NoReverseMatch:
        return None


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())
