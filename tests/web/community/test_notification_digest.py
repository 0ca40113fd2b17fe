"""The weekly digest (followed topics, replies and reactions to one's posts; once per member and week;
nothing from blocked members) and e-mail through a real SMTP server started by the test."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socketserver
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from tests.web.background import run_worker_fixture  # noqa: F401
from tests.web.community.notice_people import Folk, comment_make, folk_make, post_make

from smanav.community import notifications
from smanav.community.models import FollowKind, MemberLink, Notification, NotificationKind, TopicFollow
from smanav.community.notices.delivery import Choice, preferences_save

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 12, 7)
LAST_WEEK = timezone.make_aware(dt.datetime(2026, 12, 3, 10, 0))


@pytest.fixture(name="folk")
def folk_fixture(settings: Any) -> Folk:
    return folk_make(settings)


def test_digest_lists_followed_topics_and_activity_once_a_week(folk: Folk) -> None:
    TopicFollow.objects.create(member=folk.ben, topic=folk.topic)
    folk.post.created_at = LAST_WEEK
    folk.post.save()
    old = post_make(folk.cai, folk.topic, title="An old post")
    old.created_at = LAST_WEEK - dt.timedelta(days=30)
    old.save()
    reply = comment_make(folk.post, folk.ben)
    reply.created_at = LAST_WEEK
    reply.save()

    call_command("community_digest", "--today", "2026-12-09")
    by_recipient = {message.to[0]: message for message in mail.outbox}
    ben = by_recipient["ben@example.org"]
    assert ben.subject == "Your week in the smanav community"
    assert "- Our first wheelchair (Equipment)" in ben.body
    assert "An old post" not in ben.body
    assert ben.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "1 reply to your posts." in by_recipient["ana_lopez@example.org"].body
    assert "cai@example.org" not in by_recipient  # nothing happened for Cai: no e-mail
    # Run again the same week: nothing more.
    call_command("community_digest", "--today", "2026-12-10")
    assert len(mail.outbox) == 2


def test_digest_leaves_out_blocked_members_and_respects_turning_it_off(folk: Folk) -> None:
    TopicFollow.objects.create(member=folk.ben, topic=folk.topic)
    folk.post.created_at = LAST_WEEK
    folk.post.save()
    MemberLink.objects.create(member=folk.ana, other=folk.ben, kind=FollowKind.BLOCK)
    call_command("community_digest", "--today", MONDAY.isoformat())
    assert mail.outbox == []
    MemberLink.objects.all().delete()
    preferences_save(
        member=folk.ben, choices={NotificationKind.DIGEST: Choice(on_site=False, email=False, digest=False)}
    )
    call_command("community_digest", "--today", MONDAY.isoformat())
    assert mail.outbox == []


def test_reactions_chosen_for_the_digest_are_listed_in_it(folk: Folk) -> None:
    from smanav.community.models import Reaction, ReactionKind

    notifications.notify_reaction(
        reaction=Reaction.objects.create(member=folk.ben, post=folk.post, kind=ReactionKind.HELPFUL)
    )
    Notification.objects.update(created_at=LAST_WEEK)
    call_command("community_digest", "--today", MONDAY.isoformat())
    (message,) = mail.outbox
    assert "- Ben reacted to what you wrote in “Our first wheelchair”: Helpful." in message.body


class SmtpSink(socketserver.StreamRequestHandler):
    """Just enough of SMTP (RFC 5321) to take a message: the test's own mail server."""

    received: list[bytes] = []

    def handle(self) -> None:
        self.wfile.write(b"220 test ready\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                SmtpSink.received.append(data)
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SmtpSink.received = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_a_notification_goes_through_a_real_smtp_server_with_its_headers(
    folk: Folk, settings: Any, smtp_server: int, run_worker: Callable[[], None]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server
    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    run_worker()
    (raw,) = SmtpSink.received
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "Someone replied to you in the smanav community"
    assert message["To"] == "ana_lopez@example.org"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message["List-Unsubscribe"].strip().startswith(f"<{settings.SMANAV_SITE_URL}/community/unsubscribe/")
    )
