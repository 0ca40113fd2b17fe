"""Notifications: who is told of what, on the site and by e-mail (read from Django's test outbox after
a real worker ran the queued jobs), and what is never told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult
from tests.web.background import run_worker_fixture  # noqa: F401
from tests.web.community.jobs import deliver
from tests.web.community.notice_people import Folk, comment_make, folk_make, member_make, post_make

from smanav.community import notifications
from smanav.community.models import (
    FollowKind,
    MemberLink,
    Notification,
    NotificationKind,
    Reaction,
    ReactionKind,
    Status,
)
from smanav.community.notices.delivery import Choice, preferences_save

pytestmark = pytest.mark.django_db


@pytest.fixture(name="folk")
def folk_fixture(settings: Any) -> Folk:
    return folk_make(settings)


@pytest.mark.django_db(transaction=True)
def test_a_reply_tells_the_author_on_the_site_and_by_email_after_the_worker_ran(
    folk: Folk, run_worker: Callable[[], None]
) -> None:
    comment = comment_make(folk.post, folk.ben)
    notifications.notify_reply(comment=comment)

    notice = Notification.objects.get(recipient=folk.ana)
    assert (notice.kind, notice.actor, notice.comment, notice.read_at) == ("reply", folk.ben, comment, None)
    # The request only queued the e-mail: nothing went yet.
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana_lopez@example.org"]
    assert "Ben replied in “Our first wheelchair”." in message.body
    assert Notification.objects.get(pk=notice.pk).emailed_at is not None
    # A second run of the same job sends nothing.
    from smanav.community.tasks import send_notification_email

    assert send_notification_email.call(notification_id=notice.pk) is False
    assert len(mail.outbox) == 1


def test_a_reply_to_a_comment_tells_both_authors_once(folk: Folk) -> None:
    first = comment_make(folk.post, folk.ben)
    reply = comment_make(folk.post, folk.cai, "Agreed", parent=first)
    notifications.notify_reply(comment=reply)
    assert sorted(Notification.objects.values_list("recipient__display_name", flat=True)) == [
        "Ana Lopez",
        "Ben",
    ]
    # The author replying in their own post tells nobody but the comment's author.
    Notification.objects.all().delete()
    notifications.notify_reply(comment=comment_make(folk.post, folk.ana, "Thanks", parent=first))
    assert list(Notification.objects.values_list("recipient__display_name", flat=True)) == ["Ben"]


def test_no_health_detail_or_name_in_any_subject(folk: Folk) -> None:
    post = post_make(
        folk.ana, folk.topic, title="Type 1 and the new breathing machine", body="Nusinersen day"
    )
    comment = comment_make(post, folk.ben, "@Cai spinal fusion went well")
    notifications.notify_reply(comment=comment)
    notifications.notify_mentions(author=folk.ben, text=comment.body, post=post, comment=comment)
    notifications.notify_accepted(post=post, comment=comment)
    notifications.notify_moderation(member=folk.cai, text="Your post about Risdiplam was hidden.")
    deliver()
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        for secret in ("Type 1", "breathing", "Nusinersen", "spinal", "Risdiplam", "Ben", "Lopez", "Cai"):
            assert secret.lower() not in message.subject.lower()


def test_mentions_by_display_name_with_spaces_and_capitals(folk: Folk) -> None:
    comment = comment_make(folk.post, folk.ben, "Ask @ana lopez, or @CAI. Not @nobody.")
    notifications.notify_mentions(author=folk.ben, text=comment.body, post=folk.post, comment=comment)
    told = dict(Notification.objects.values_list("recipient__display_name", "kind"))
    assert told == {"Ana Lopez": "mention", "Cai": "mention"}


def test_a_mention_and_a_reply_of_the_same_comment_tell_once(folk: Folk) -> None:
    comment = comment_make(folk.post, folk.ben, "@Ana Lopez congratulations")
    notifications.notify_reply(comment=comment)
    notifications.notify_mentions(author=folk.ben, text=comment.body, post=folk.post, comment=comment)
    assert Notification.objects.filter(recipient=folk.ana).count() == 1


@pytest.mark.parametrize("who_blocks", ["author", "replier"])
def test_blocked_members_never_notify_each_other(folk: Folk, who_blocks: str) -> None:
    blocker, blocked = (folk.ana, folk.ben) if who_blocks == "author" else (folk.ben, folk.ana)
    MemberLink.objects.create(member=blocker, other=blocked, kind=FollowKind.BLOCK)
    comment = comment_make(folk.post, folk.ben, "@Ana Lopez hello")
    notifications.notify_reply(comment=comment)
    notifications.notify_mentions(author=folk.ben, text=comment.body, post=folk.post, comment=comment)
    notifications.notify_reaction(
        reaction=Reaction.objects.create(member=folk.ben, post=folk.post, kind=ReactionKind.HUG)
    )
    back = comment_make(folk.post, folk.ana, "@Ben hi")
    notifications.notify_mentions(author=folk.ana, text=back.body, post=folk.post, comment=back)
    deliver()
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_muted_member_is_not_heard_but_the_muter_still_is(folk: Folk) -> None:
    MemberLink.objects.create(member=folk.ana, other=folk.ben, kind=FollowKind.MUTE)
    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    assert Notification.objects.count() == 0
    ben_post = post_make(folk.ben, folk.topic, title="Ramps")
    notifications.notify_reply(comment=comment_make(ben_post, folk.ana))
    assert Notification.objects.filter(recipient=folk.ben).count() == 1


def test_what_waits_for_a_moderator_tells_nobody(folk: Folk) -> None:
    comment = comment_make(folk.post, folk.ben, "@Cai look")
    comment.status = Status.PENDING
    comment.save()
    notifications.notify_reply(comment=comment)
    notifications.notify_mentions(author=folk.ben, text=comment.body, post=folk.post, comment=comment)
    assert Notification.objects.count() == 0


def test_reactions_are_on_the_site_and_in_the_digest_by_default_not_emailed(folk: Folk) -> None:
    notifications.notify_reaction(
        reaction=Reaction.objects.create(member=folk.ben, post=folk.post, kind=ReactionKind.HUG)
    )
    notice = Notification.objects.get(recipient=folk.ana)
    assert (notice.kind, notice.text) == ("reaction", "Hug")
    deliver()
    assert mail.outbox == []


def test_preferences_decide_site_and_email(folk: Folk) -> None:
    preferences_save(
        member=folk.ana, choices={NotificationKind.REPLY: Choice(on_site=False, email=True, digest=False)}
    )
    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    deliver()
    assert len(mail.outbox) == 1
    # Not wanted on the site: kept only for the e-mail, already read (no unread count).
    assert Notification.objects.get(recipient=folk.ana).read_at is not None
    preferences_save(
        member=folk.ana, choices={NotificationKind.REPLY: Choice(on_site=False, email=False, digest=False)}
    )
    notifications.notify_reply(comment=comment_make(folk.post, folk.cai))
    deliver()
    assert Notification.objects.filter(recipient=folk.ana).count() == 1
    assert len(mail.outbox) == 1


def test_email_turned_off_after_queueing_is_not_sent(folk: Folk) -> None:
    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    preferences_save(
        member=folk.ana, choices={NotificationKind.REPLY: Choice(on_site=True, email=False, digest=False)}
    )
    deliver()
    assert mail.outbox == []


def test_moderators_messages_are_always_on_the_site(folk: Folk) -> None:
    preferences_save(
        member=folk.cai,
        choices={NotificationKind.MODERATION: Choice(on_site=False, email=False, digest=False)},
    )
    notifications.notify_moderation(member=folk.cai, text="Please keep to the guidelines.")
    notice = Notification.objects.get(recipient=folk.cai)
    assert (notice.kind, notice.read_at, notice.actor) == ("moderation", None, None)


def test_a_member_without_an_email_address_is_told_on_the_site_only(folk: Folk, settings: Any) -> None:
    quiet = member_make("Dee", email="")
    notifications.notify_welcome(member=quiet, welcomer=folk.ana, text="Glad you are here")
    deliver()
    assert Notification.objects.filter(recipient=quiet, kind="welcome").count() == 1
    assert DBTaskResult.objects.count() == 0
    assert mail.outbox == []


def test_a_reply_hidden_after_it_was_queued_is_neither_emailed_nor_shown(folk: Folk) -> None:
    from smanav.community.selectors.notifications import notifications_page, notifications_unread_count

    comment = comment_make(folk.post, folk.ben, "Buy cheap pills")
    notifications.notify_reply(comment=comment)
    assert notifications_unread_count(member=folk.ana) == 1
    comment.status = Status.HIDDEN
    comment.save()
    deliver()
    assert mail.outbox == []
    assert notifications_unread_count(member=folk.ana) == 0
    assert notifications_page(member=folk.ana)[0] == []


def test_a_member_blocked_after_notifying_disappears_from_the_inbox(folk: Folk) -> None:
    from smanav.community.selectors.notifications import notifications_unread_count

    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    MemberLink.objects.create(member=folk.ben, other=folk.ana, kind=FollowKind.BLOCK)
    assert notifications_unread_count(member=folk.ana) == 0
